import { ControlTotals } from './control-totals.ts';
import {
  CuratedBatch,
  type NumberColumn,
  type TakenBatch,
  type TextColumn,
  textAt,
  textStart,
} from './curated-batch.ts';
import { DuplicateKeys, hashKeyBytes, MAX_TRANSACTION_ROWS } from './duplicate-keys.ts';
import {
  fastCents,
  fastCentsBytes,
  fastEpochDay,
  fastEpochDayBytes,
  fastInteger,
  fastIntegerBytes,
  fastText,
  fastTextBytes,
} from './fast-cells.ts';
import {
  ambiguousHeaderReason,
  type HeaderAliasOverrides,
  type HeaderMapping,
  mapHeaders,
} from './headers.ts';
import { KeySketch } from './key-sketch.ts';
import { amountColumns, type ColumnSpec, type ExportKind, KIND_COLUMNS } from './kinds.ts';
import { type RowProblem, validateRow } from './validate-row.ts';

export interface QuarantinedRow {
  readonly line: number;
  readonly column: string;
  readonly reason: string;
  readonly fields: readonly string[];
  /**
   * The fields already written as quarantine CSV cells joined by commas, when the reader had that
   * at hand more cheaply than the fields (a plain row's own text: csv-out's `plainRowCsv`). The same
   * text as writing `fields` cell by cell.
   */
  readonly csvFields?: string;
}

export type HeaderOutcome = { ok: true; load: ExportLoad } | { ok: false; reason: string };

/**
 * How one column of the kind is read on the fast path: the cell's position in the file, the fast
 * parser for its type (NaN / null meaning "not simple, use the full parser"), and what an empty
 * cell becomes.
 */
interface FastColumn {
  position: number | undefined;
  text: boolean;
  parse: ((raw: string) => number) | null;
  /** For an empty or absent cell: 'null', 'value' (the default, already parsed) or 'full' (the full parser words the reason). */
  blank: 'null' | 'value' | 'full';
}

const FAST_NUMBER: Partial<Record<ColumnSpec['type'], (raw: string) => number>> = {
  amount: fastCents,
  date: fastEpochDay,
  integer: fastInteger,
};

const PARSE_NONE = 0;
const PARSE_TEXT = 1;
const PARSE_CENTS = 2;
const PARSE_DAY = 3;
const PARSE_INTEGER = 4;
const BYTE_PARSER: Partial<Record<ColumnSpec['type'], number>> = {
  string: PARSE_TEXT,
  amount: PARSE_CENTS,
  date: PARSE_DAY,
  integer: PARSE_INTEGER,
};
const BLANK_FULL = 0;
const BLANK_NULL = 1;
const BLANK_VALUE = 2;

/** `acceptBytes` could not take the row from its bytes: decode it and give it to `accept`. */
export const DECODE_ROW = 'decode';

/**
 * The row-by-row state of loading one export: header mapping, validation, duplicate detection and
 * control totals. Curated rows go into `batch` (columnar, ready for Parquet); quarantined rows are
 * returned. Pure: the caller streams rows in and takes the batch whenever it likes.
 */
export class ExportLoad {
  readonly totals: ControlTotals;
  readonly batch: CuratedBatch;
  private readonly seenOrders: DuplicateKeys;
  /** A sample of the curated order lines (transactions), to tell a re-export of another file. */
  readonly keySketch = new KeySketch();
  /** Rows of `batch` before this one have been checked for duplicates. */
  private checkedRows = 0;
  /** Where the rows not yet checked came from, to quarantine them with their own fields. */
  private readonly unchecked = new UncheckedRows();
  private hashes = new Int32Array(0);
  private firstLines = new Int32Array(0);
  private readonly specs: ColumnSpec[];
  private readonly fast: FastColumn[];
  /** The fast rules again as small integers, for the byte path's loop. */
  private readonly byteRules: { positions: Int32Array; parsers: Uint8Array; blanks: Uint8Array };
  /** Per amount column present in the file (in the totals' order), its batch column. */
  private readonly amountBatchColumns: number[];
  /** Parsed defaults by batch column, written for empty optional cells. */
  private readonly defaults: (string | number | null)[];
  private readonly sourceLineColumn: number;
  /** The header's last cell with a name: a row must reach it (see shapeProblem). */
  private readonly lastNamedPosition: number;
  /** Header cells that are blank: a value under one is a shifted row. */
  private readonly blankHeaderPositions: number[];

  private constructor(
    readonly kind: ExportKind,
    readonly header: readonly string[],
    readonly mapping: HeaderMapping,
    maxTransactionRows: number,
  ) {
    this.seenOrders = new DuplicateKeys(maxTransactionRows);
    const amountPositions = new Map<string, number>();
    for (const name of amountColumns(kind)) {
      const position = mapping.positions.get(name);
      if (position !== undefined) amountPositions.set(name, position);
    }
    this.totals = new ControlTotals(amountPositions);
    this.batch = new CuratedBatch(kind);
    this.specs = KIND_COLUMNS[kind];
    this.amountBatchColumns = this.totals
      .amountColumns()
      .map((name) => this.specs.findIndex((spec) => spec.name === name));
    this.sourceLineColumn = this.specs.length;
    this.defaults = this.specs.map(() => null);
    this.fast = this.specs.map((spec, c) => this.compile(spec, c));
    const blank = header.map((cell) => cell.trim() === '');
    this.lastNamedPosition = blank.lastIndexOf(false);
    this.blankHeaderPositions = blank.flatMap((isBlank, position) => (isBlank ? [position] : []));
    this.byteRules = {
      positions: Int32Array.from(this.fast, (f) => f.position ?? -1),
      parsers: Uint8Array.from(this.specs, (spec) => BYTE_PARSER[spec.type] ?? PARSE_NONE),
      blanks: Uint8Array.from(this.fast, (f) =>
        f.blank === 'full' ? BLANK_FULL : f.blank === 'null' ? BLANK_NULL : BLANK_VALUE,
      ),
    };
  }

  private compile(spec: ColumnSpec, c: number): FastColumn {
    const position = this.mapping.positions.get(spec.name);
    const text = spec.type === 'string';
    const parse = FAST_NUMBER[spec.type] ?? null;
    let blank: FastColumn['blank'] = spec.required ? 'full' : 'null';
    if (!spec.required && spec.defaultValue !== undefined) {
      const value = text ? fastText(spec.defaultValue) : parse ? parse(spec.defaultValue) : Number.NaN;
      if (value !== null && !Number.isNaN(value)) {
        this.defaults[c] = value;
        blank = 'value';
      } else {
        blank = 'full';
      }
    }
    return {
      position,
      text,
      parse: text ? null : parse,
      blank,
    };
  }

  /** `maxTransactionRows`: a transactions export with more order lines is refused (TooManyOrderLines). */
  static start(
    kind: ExportKind,
    header: readonly string[],
    overrides: HeaderAliasOverrides = {},
    maxTransactionRows = MAX_TRANSACTION_ROWS,
  ): HeaderOutcome {
    if (header.every((h) => h.trim() === '')) return { ok: false, reason: 'the file has no header row' };
    const mapping = mapHeaders(kind, [...header], overrides);
    // Two header cells for one column (gross `Sales` beside `Net Revenue`): rejected, not guessed.
    const ambiguous = ambiguousHeaderReason(kind, mapping);
    if (ambiguous) return { ok: false, reason: ambiguous };
    if (mapping.missingRequired.length > 0) {
      const found = header.filter((h) => h.trim() !== '').join(', ');
      return {
        ok: false,
        reason: `missing required column${mapping.missingRequired.length > 1 ? 's' : ''} ${mapping.missingRequired.join(', ')} (header has: ${found.slice(0, 300)})`,
      };
    }
    return { ok: true, load: new ExportLoad(kind, header, mapping, maxTransactionRows) };
  }

  /** About how many rows the export has, when its size tells: memory for the duplicate check is set aside once. */
  expectRows(rows: number): void {
    if (this.kind === 'transactions') this.seenOrders.reserve(rows);
  }

  /**
   * `line` is the 1-based line of the file on which the row starts. Returns null when the row was
   * curated (it is then the last row of `batch`), else the quarantined row and its reason.
   */
  accept(fields: readonly string[], line: number): QuarantinedRow | null {
    const batch = this.batch;
    if (this.checkedRows !== batch.length)
      throw new Error('a row accepted before the rows before it were checked');
    batch.reserve();
    const index = batch.length;
    const problem = this.shapeProblem(fields) ?? this.writeRow(fields, index) ?? this.duplicate(index, line);
    if (problem) {
      this.totals.addQuarantined(fields);
      return { line, column: problem.column, reason: problem.reason, fields };
    }
    this.commit(index, line);
    this.checkedRows = index + 1;
    return null;
  }

  /**
   * Quarantines a row for a problem found before its cells were read (bytes the file's encoding
   * cannot read): its fields, as far as they can be shown, go to quarantine and its amounts to the
   * totals like any other quarantined row's.
   */
  reject(fields: readonly string[], line: number, problem: RowProblem): QuarantinedRow {
    if (this.checkedRows !== this.batch.length)
      throw new Error('a row rejected before the rows before it were checked');
    this.totals.addQuarantined(fields);
    return { line, column: problem.column, reason: problem.reason, fields };
  }

  /** The name quarantine gives field `position` of the file: the kind's column it maps to, else its header. */
  columnName(position: number): string {
    for (const [name, at] of this.mapping.positions) if (at === position) return name;
    return this.header[position]?.trim() || '*';
  }

  /**
   * `accept` for a row found in UTF-8 bytes by ByteRowReader, its cells parsed from the bytes.
   * Returns DECODE_ROW for a row that needs more than the fast paths (a complex row, a cell that
   * is not simple, a problem to word): the caller decodes it and gives the fields to `accept`.
   */
  acceptBytes(
    bytes: Uint8Array,
    bounds: Int32Array,
    fieldCount: number,
    complex: boolean,
    line: number,
    rowStart: number,
    rowEnd: number,
  ): typeof DECODE_ROW | null {
    // A row that does not line up with the header, or has a field under a blank header cell, is
    // worded by shapeProblem.
    if (complex || !this.linesUp(bounds, fieldCount)) return DECODE_ROW;
    const batch = this.batch;
    batch.reserve();
    const index = batch.length;
    if (!this.writeRowBytes(bytes, bounds, fieldCount, index)) return DECODE_ROW;
    this.commit(index, line);
    if (this.kind === 'transactions') this.unchecked.add(bytes, index, rowStart, rowEnd);
    else this.checkedRows = index + 1;
    return null;
  }

  /**
   * Checks the rows `acceptBytes` took since the last check for duplicate orders, all at once: one
   * tight loop of table probes lets the processor overlap their cache misses, where a probe per row
   * stalls on each (the check took a quarter of a 5M-row ingest). A duplicate leaves the batch and
   * the curated totals and is returned quarantined as `quarantine` makes it from its row's bytes
   * (its fields read from them). Must run while those bytes are unchanged, and before the batch is
   * taken or a row is given to `accept`.
   */
  checkDuplicates(
    quarantine: (
      bytes: Uint8Array,
      rowStart: number,
      rowEnd: number,
      line: number,
      problem: RowProblem,
    ) => QuarantinedRow,
  ): QuarantinedRow[] {
    const from = this.checkedRows;
    const to = this.batch.length;
    if (from === to) return [];
    const lines = (this.batch.columns[this.sourceLineColumn] as NumberColumn).values;
    const hashes = this.hashRows(from, to);
    if (this.firstLines.length < to - from) this.firstLines = new Int32Array((to - from) * 2);
    const firstLines = this.firstLines;
    this.seenOrders.firstLinesOfHashes(hashes, lines.subarray(from, to), to - from, firstLines);
    const removed: number[] = [];
    for (let index = from; index < to; index++) {
      const at = (index - from) * 2;
      if (firstLines[index - from] !== 0) removed.push(index);
      else this.keySketch.offer(hashes[at] as number, hashes[at + 1] as number);
    }
    const quarantined = removed.map((index): QuarantinedRow => {
      const { bytes, start, end } = this.unchecked.row(index);
      this.moveToQuarantined(index);
      const problem = this.duplicateProblem(index, firstLines[index - from] as number);
      return quarantine(bytes, start, end, lines[index] as number, problem);
    });
    this.batch.removeRows(removed);
    this.checkedRows = this.batch.length;
    this.unchecked.clear();
    return quarantined;
  }

  /** Hands the curated rows over (all checked) and starts an empty batch. */
  takeBatch(): TakenBatch {
    if (this.checkedRows !== this.batch.length) throw new Error('rows taken before their duplicate check');
    this.checkedRows = 0;
    return this.batch.take();
  }

  private hashRows(from: number, to: number): Int32Array {
    if (this.hashes.length < (to - from) * 2) this.hashes = new Int32Array((to - from) * 4);
    for (let index = from; index < to; index++) this.hashOrderKey(index, this.hashes, (index - from) * 2);
    return this.hashes;
  }

  /**
   * Row `index`'s duplicate key into out[at, at + 2): an order may have several lines (one per
   * product); the same order and product twice is a duplicate. Hashed from the curated bytes, the
   * same however the row was read.
   */
  private hashOrderKey(index: number, out: Int32Array, at: number): void {
    const columns = this.batch.columns;
    const order = columns[ORDER_ID_COLUMN] as TextColumn;
    const product = columns[PRODUCT_ID_COLUMN] as TextColumn;
    hashKeyBytes(
      order.bytes,
      textStart(order, index),
      order.ends[index] as number,
      product.bytes,
      textStart(product, index),
      product.ends[index] as number,
      out,
      at,
    );
  }

  /**
   * Counts the curated row at `index` as quarantined instead: its amounts, exactly what its cells
   * read, move from the curated to the quarantined totals, without reading its cells again.
   */
  private moveToQuarantined(index: number): void {
    this.totals.quarantineCuratedRow();
    for (let k = 0; k < this.amountBatchColumns.length; k++) {
      const cents = this.batch.integerAt(this.amountBatchColumns[k] as number, index);
      if (cents !== null) this.totals.quarantineCuratedCents(k, cents);
    }
  }

  /**
   * Whether a row's fields line up with the header as shapeProblem asks, judged from their bounds
   * (a field of only spaces counts as a value here: the full path words or takes it).
   */
  private linesUp(bounds: Int32Array, fieldCount: number): boolean {
    const header = this.header.length;
    if (fieldCount < header) return false;
    // Per row on the hot path: plain loops, no closure (one a row cost a fifth of a file of duplicates).
    for (let position = header; position < fieldCount; position++)
      if ((bounds[position * 2] as number) < (bounds[position * 2 + 1] as number)) return false;
    const blank = this.blankHeaderPositions;
    for (let k = 0; k < blank.length; k++) {
      const position = blank[k] as number;
      if ((bounds[position * 2] as number) < (bounds[position * 2 + 1] as number)) return false;
    }
    return true;
  }

  private writeRowBytes(bytes: Uint8Array, bounds: Int32Array, fieldCount: number, index: number): boolean {
    const batch = this.batch;
    const columns = batch.columns;
    const { positions, parsers, blanks } = this.byteRules;
    for (let c = 0; c < positions.length; c++) {
      const position = positions[c] as number;
      const start = position < 0 || position >= fieldCount ? 0 : (bounds[position * 2] as number);
      const end = position < 0 || position >= fieldCount ? 0 : (bounds[position * 2 + 1] as number);
      const parser = parsers[c] as number;
      if (start === end) {
        const blank = blanks[c] as number;
        if (blank === BLANK_FULL) return false;
        const value = blank === BLANK_NULL ? null : this.defaults[c];
        if (parser === PARSE_TEXT) batch.setText(c, index, value as string | null);
        else {
          const numbers = columns[c] as NumberColumn;
          numbers.nulls[index] = value === null ? 1 : 0;
          numbers.values[index] = value === null ? 0 : (value as number);
          if (numbers.large.size > 0) numbers.large.delete(index);
        }
        continue;
      }
      // One call site per parser, so each is inlined where it is used.
      let value: number;
      if (parser === PARSE_TEXT) {
        if (!fastTextBytes(bytes, start, end)) return false;
        batch.setTextBytes(c, index, bytes, start, end);
        continue;
      } else if (parser === PARSE_CENTS) value = fastCentsBytes(bytes, start, end);
      else if (parser === PARSE_DAY) value = fastEpochDayBytes(bytes, start, end);
      else if (parser === PARSE_INTEGER) value = fastIntegerBytes(bytes, start, end);
      else return false;
      if (Number.isNaN(value)) return false; // not a simple cell
      const numbers = columns[c] as NumberColumn;
      numbers.values[index] = value;
      numbers.nulls[index] = 0;
      if (numbers.large.size > 0) numbers.large.delete(index);
    }
    return true;
  }

  private commit(index: number, line: number): void {
    const batch = this.batch;
    const lines = batch.columns[this.sourceLineColumn] as NumberColumn;
    lines.values[index] = line;
    lines.nulls[index] = 0;
    batch.length = index + 1;
    this.totals.addCuratedRow();
    for (let k = 0; k < this.amountBatchColumns.length; k++) {
      const cents = batch.integerAt(this.amountBatchColumns[k] as number, index);
      if (cents !== null) this.totals.addCuratedCents(k, cents);
    }
  }

  /**
   * A row's fields must line up with the header's: more fields (with values past the header), or
   * fewer than reach its last named column, mean a delimiter inside an unquoted value (`1,234.00`)
   * or a line cut short (a lone CR), and the amounts would land in the wrong columns, curated in
   * silence. A value under a blank header cell is the same shift. Empty fields past the header, and
   * blank header columns missing at the end of a row, are how spreadsheets pad rows: taken.
   */
  private shapeProblem(fields: readonly string[]): RowProblem | null {
    const header = this.header.length;
    const surplus = fields.length > header && fields.slice(header).some((f) => f.trim() !== '');
    if (surplus || fields.length <= this.lastNamedPosition) {
      return {
        column: '*',
        reason: `has ${fields.length} fields but the header has ${header} (a delimiter inside an unquoted value, or a line cut short?)`,
      };
    }
    for (const position of this.blankHeaderPositions) {
      if (position < fields.length && (fields[position] as string).trim() !== '')
        return {
          column: '*',
          reason: `has a value in field ${position + 1}, under a blank header cell (a delimiter inside an unquoted value?)`,
        };
    }
    return null;
  }

  /** Writes the row at `index` through the fast paths, or through the full validation when a cell is not simple. */
  private writeRow(fields: readonly string[], index: number): RowProblem | null {
    const batch = this.batch;
    const columns = batch.columns;
    for (let c = 0; c < this.fast.length; c++) {
      const fast = this.fast[c] as FastColumn;
      const raw = fast.position === undefined ? undefined : fields[fast.position];
      const column = columns[c];
      if (raw === undefined || raw === '') {
        if (fast.blank === 'full') return this.writeRowFully(fields, index);
        const value = fast.blank === 'null' ? null : this.defaults[c];
        if (fast.text) batch.setText(c, index, value as string | null);
        else {
          const numbers = column as NumberColumn;
          numbers.nulls[index] = value === null ? 1 : 0;
          numbers.values[index] = value === null ? 0 : (value as number);
          if (numbers.large.size > 0) numbers.large.delete(index);
        }
        continue;
      }
      if (fast.text) {
        const text = fastText(raw);
        if (text === null) return this.writeRowFully(fields, index);
        batch.setText(c, index, text);
        continue;
      }
      const value = fast.parse ? fast.parse(raw) : Number.NaN;
      if (Number.isNaN(value)) return this.writeRowFully(fields, index);
      const numbers = column as NumberColumn;
      numbers.values[index] = value;
      numbers.nulls[index] = 0;
      if (numbers.large.size > 0) numbers.large.delete(index);
    }
    return null;
  }

  private writeRowFully(fields: readonly string[], index: number): RowProblem | null {
    const result = validateRow(this.kind, this.mapping, fields);
    if (!result.ok) return result.problem;
    this.specs.forEach((spec, c) => {
      this.batch.setValue(c, index, result.row[spec.name] ?? null);
    });
    return null;
  }

  private duplicate(index: number, line: number): RowProblem | null {
    if (this.kind !== 'transactions') return null;
    this.hashOrderKey(index, SCRATCH_KEY, 0);
    const first = this.seenOrders.firstLineOfHash(SCRATCH_KEY[0] as number, SCRATCH_KEY[1] as number, line);
    if (first !== undefined) return this.duplicateProblem(index, first);
    this.keySketch.offer(SCRATCH_KEY[0] as number, SCRATCH_KEY[1] as number);
    return null;
  }

  private duplicateProblem(index: number, firstLine: number): RowProblem {
    const columns = this.batch.columns as TextColumn[];
    const orderId = textAt(columns[ORDER_ID_COLUMN] as TextColumn, index);
    const productId = textAt(columns[PRODUCT_ID_COLUMN] as TextColumn, index);
    return {
      column: 'order_id',
      reason: `duplicate order_id "${orderId}"${productId ? ` for product ${productId}` : ''} (first on line ${firstLine})`,
    };
  }
}

const SCRATCH_KEY = new Int32Array(2);
const ORDER_ID_COLUMN = KIND_COLUMNS.transactions.findIndex((spec) => spec.name === 'order_id');
const PRODUCT_ID_COLUMN = KIND_COLUMNS.transactions.findIndex((spec) => spec.name === 'product_id');

/**
 * The bytes each unchecked row was read from, by batch index: one source buffer (ByteRowReader
 * hands over one buffer per scan, and rows are checked before the next) and each row's range in it.
 */
class UncheckedRows {
  private source: Uint8Array | null = null;
  private firstIndex = 0;
  private count = 0;
  private ranges = new Int32Array(2048);

  add(bytes: Uint8Array, index: number, start: number, end: number): void {
    if (this.count === 0) {
      this.source = bytes;
      this.firstIndex = index;
    } else if (bytes !== this.source) {
      throw new Error('rows from a new buffer before the earlier rows were checked');
    }
    if (this.count * 2 + 2 > this.ranges.length) {
      const grown = new Int32Array(this.ranges.length * 2);
      grown.set(this.ranges);
      this.ranges = grown;
    }
    this.ranges[this.count * 2] = start;
    this.ranges[this.count * 2 + 1] = end;
    this.count += 1;
  }

  row(index: number): { bytes: Uint8Array; start: number; end: number } {
    const at = (index - this.firstIndex) * 2;
    return {
      bytes: this.source as Uint8Array,
      start: this.ranges[at] as number,
      end: this.ranges[at + 1] as number,
    };
  }

  clear(): void {
    this.source = null;
    this.count = 0;
  }
}
