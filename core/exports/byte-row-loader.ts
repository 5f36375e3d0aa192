import type { ByteRowSink } from '../text/byte-rows.ts';
import { plainRowCsv } from '../text/csv-out.ts';
import { type CsvRow, CsvTokenizer } from '../text/csv-tokenizer.ts';
import { UTF8_VALUES } from '../text/utf8.ts';
import { DECODE_ROW, type ExportLoad, type QuarantinedRow } from './export-load.ts';
import type { RowProblem } from './validate-row.ts';

/**
 * Feeds rows found by ByteRowReader into an ExportLoad: straight from the bytes when the fast paths
 * can, else decoded to text and read by CsvTokenizer, exactly as the text path would have read them.
 * Rows taken from bytes are checked for duplicates when the reader has scanned its bytes, or
 * earlier when a decoded row or a full batch needs it.
 */
export class ByteRowLoader implements ByteRowSink {
  private readonly decoder = UTF8_VALUES;
  private readonly rows: CsvRow[] = [];

  constructor(
    private readonly load: ExportLoad,
    private readonly delimiter: string,
    private readonly onQuarantined: (row: QuarantinedRow) => void,
  ) {}

  row(
    bytes: Uint8Array,
    bounds: Int32Array,
    fieldCount: number,
    complex: boolean,
    line: number,
    rowStart: number,
    rowEnd: number,
  ): void {
    if (this.load.acceptBytes(bytes, bounds, fieldCount, complex, line, rowStart, rowEnd) !== DECODE_ROW)
      return;
    this.checkDuplicates();
    for (const row of decodeRow(this.decoder, this.delimiter, bytes, rowStart, rowEnd, this.rows)) {
      const quarantined = this.load.accept(row.fields, line + row.line - 1);
      if (quarantined) this.onQuarantined(quarantined);
    }
  }

  /**
   * A row holding bytes that are not text in the file's encoding (the first at `badAt`): it is
   * quarantined whole rather than read with replacement characters, naming the column that holds
   * them.
   */
  unreadable(
    bytes: Uint8Array,
    bounds: Int32Array,
    fieldCount: number,
    line: number,
    rowStart: number,
    rowEnd: number,
    badAt: number,
    reason: string,
  ): void {
    this.checkDuplicates();
    let position = fieldCount - 1;
    while (position > 0 && (bounds[position * 2] as number) > badAt) position -= 1;
    const fields =
      decodeRow(this.decoder, this.delimiter, bytes, rowStart, rowEnd, this.rows)[0]?.fields ?? [];
    const column = this.load.columnName(position);
    this.onQuarantined(this.load.reject(fields, line, { column, reason }));
  }

  /** The reader is done with the bytes it handed over: check their rows before they change. */
  scanned(): void {
    this.checkDuplicates();
  }

  /** Checks the rows taken from bytes so far for duplicates (before the batch is taken). */
  checkDuplicates(): void {
    for (const row of this.load.checkDuplicates(this.quarantined)) this.onQuarantined(row);
  }

  /**
   * A row read from bytes, quarantined: a row without a quote (nearly every row) is its text split
   * at the delimiter, exactly what CsvTokenizer reads from it, split only if its fields are asked
   * for; the quarantine file takes its text as it is when no cell needs quoting or guarding.
   */
  private readonly quarantined = (
    bytes: Uint8Array,
    rowStart: number,
    rowEnd: number,
    line: number,
    problem: RowProblem,
  ): QuarantinedRow => {
    const text = this.decoder.decode(bytes.subarray(rowStart, rowEnd));
    if (!text.includes('"') && text.includes(this.delimiter) && !/[\r\n]/.test(text)) {
      return new PlainQuarantinedRow(line, problem, text, this.delimiter, plainRowCsv(text, this.delimiter));
    }
    const fields = decodeRow(this.decoder, this.delimiter, bytes, rowStart, rowEnd)[0]?.fields ?? [];
    return { line, column: problem.column, reason: problem.reason, fields };
  };
}

/** A quarantined row of plain fields (no quotes, no line breaks): its text, split when asked. */
class PlainQuarantinedRow implements QuarantinedRow {
  readonly column: string;
  readonly reason: string;
  readonly csvFields: string | undefined;

  constructor(
    readonly line: number,
    problem: RowProblem,
    private readonly text: string,
    private readonly delimiter: string,
    csvFields: string | null,
  ) {
    this.column = problem.column;
    this.reason = problem.reason;
    this.csvFields = csvFields ?? undefined;
  }

  get fields(): readonly string[] {
    return this.text.split(this.delimiter);
  }
}

/** The row in `bytes[rowStart, rowEnd)` read as text (none when it is a blank line). */
export function decodeRow(
  decoder: { decode(bytes: Uint8Array): string },
  delimiter: string,
  bytes: Uint8Array,
  rowStart: number,
  rowEnd: number,
  into: CsvRow[] = [],
): CsvRow[] {
  into.length = 0;
  const tokenizer = new CsvTokenizer(delimiter, Number.MAX_SAFE_INTEGER);
  tokenizer.push(decoder.decode(bytes.subarray(rowStart, rowEnd)), into);
  tokenizer.end(into);
  return into;
}
