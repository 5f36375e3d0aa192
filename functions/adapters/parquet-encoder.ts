import { gunzipSync, gzipSync } from 'node:zlib';
// The writer's own SchemaElement: it brings its own hyparquet, whose types may differ from ours.
import { ByteWriter, type ColumnSource, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import {
  type BatchColumn,
  CuratedBatch,
  isTextColumn,
  type NumberColumn,
  STORED_SCALE,
  type TakenBatch,
  type TextColumn,
  textStart,
} from '../../core/exports/curated-batch.ts';
import type { ColumnDefinition } from '../../core/tables.ts';
import { ByteKeys } from '../../core/text/byte-keys.ts';

/**
 * Curated Parquet straight from a columnar batch, through hyparquet-writer's public API
 * (ParquetWriter): row groups of at most MAX_ROW_GROUP_ROWS rows, one data page (v2, the writer's
 * only kind) per column and group, text dictionary-encoded when it repeats (decided here from the
 * batch's first rows, as before), numbers PLAIN, pages GZIP-compressed by zlib at level 1, no
 * statistics (as before).
 *
 * The writer takes a JS value per cell, so the batch's typed arrays are handed over in the shapes
 * that cost it least: INT64 as bigints (small ones made once), text as Uint8Array views of the
 * batch's UTF-8 bytes (a repeated value as one view shared by its rows, which the writer's
 * dictionary then finds by identity instead of hashing bytes), and every array and schema element
 * of the few kinds the writer's code settles on. Still, it costs three times the CPU of the page
 * writer that used the library's internals (120 ms a 100,000-row part of transactions against
 * 40 ms); ingest runs it on a worker thread (parquet-encode-worker.ts). Native zlib GZIP level 1
 * is both faster and smaller here than snappy in JS, and every reader (Athena, DuckDB, hyparquet
 * with a zlib decompressor) reads it.
 */
export function encodeCuratedBatch(batch: TakenBatch): Uint8Array {
  const rows = batch.rows;
  const definitions = batch.columns.map((column) => column.definition);
  const writer = new ByteWriter(initialSize(batch));
  const parquet = new ParquetWriter({
    writer,
    schema: [element({ name: 'root', num_children: definitions.length }), ...definitions.map(schemaElement)],
    codec: 'GZIP',
    compressors: { GZIP: gzipPage },
    statistics: false,
    createdBy: 'customer-value',
  });
  const columns = batch.columns.map((column) => columnPlan(column, rows));
  // Row groups of equal size, none above MAX_ROW_GROUP_ROWS.
  const groupRows = Math.ceil(rows / Math.max(1, Math.ceil(rows / MAX_ROW_GROUP_ROWS)));
  for (let start = 0; start < rows; start += groupRows) {
    const end = Math.min(rows, start + groupRows);
    parquet.write({
      columnData: batch.columns.map((column, c) =>
        columnSource(column, columns[c] as ColumnPlan, start, end),
      ),
      rowGroupSize: end - start,
      pageSize: 0,
    });
  }
  parquet.finish();
  // A fresh buffer of exactly the file (getBuffer copies it out), so it can be transferred
  // between threads.
  return new Uint8Array(writer.getBuffer());
}

/**
 * The writer copies a row group's values several times (the group's rows, levels, converted
 * values, the page's slice), each copy a JS array, and makes a value or two a cell. Kept to 8,000
 * rows, a group's arrays stay below V8's large-object size (128 KB) and what is alive at once
 * stays small, so they are born and die in the young generation. CPU to encode a part of 100,000
 * transactions (14 columns), median of 20: one row group 500-640 ms, groups of 16,000 rows 230 ms,
 * of 8,000 rows 120 ms (the files 3 % larger than one group's: a dictionary page per group).
 */
const MAX_ROW_GROUP_ROWS = 8_000;

/**
 * Encodes a few rows once, for a thread that is to encode many. The writer's writeLevels calls a
 * small schema helper once a page, and V8 gives a function its type feedback only after several
 * calls; writeLevels, busy with a part's long loops, could be optimized before the helper had
 * any, and then deoptimized at it on every later page (in about half the runs of a 12-part
 * encode: 355 deoptimizations, writeLevels 14 % of the encoding). A batch of four rows first,
 * which calls the helper once per column, and it did not happen in any of 8 runs.
 */
export function warmUpEncoder(): void {
  const batch = new CuratedBatch('transactions');
  for (let row = 0; row < 4; row++) {
    batch.reserve();
    batch.definitions.forEach((definition, c) => {
      const value =
        row === 0
          ? null
          : definition.type === 'string'
            ? `${definition.name === 'order_id' ? row : row % 2}`
            : definition.type === 'date'
              ? '2025-01-02'
              : row;
      batch.setValue(c, row, value);
    });
    batch.length += 1;
  }
  encodeCuratedBatch(batch.take());
}

/** GZIP level 1 into one output buffer the size of the input (the default 16 KB chunks cost a copy each). */
function gzipPage(input: Uint8Array): Uint8Array {
  return gzipSync(input, { level: 1, chunkSize: Math.max(64 * 1024, input.length + 1024) });
}

/** About the file's size, so the writer's buffer seldom has to grow. */
function initialSize(batch: TakenBatch): number {
  let bytes = 1024;
  for (const column of batch.columns)
    bytes += isTextColumn(column) ? column.bytes.length / 2 : batch.rows * 2;
  return Math.ceil(bytes);
}

/** The curated column types and how Parquet stores them. */
export function schemaElement(definition: ColumnDefinition): SchemaElement {
  const { name, type } = definition;
  const column = { name, repetition_type: 'OPTIONAL' } as const;
  switch (type) {
    case 'string':
      return element({ ...column, type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    case 'money':
    case 'rate':
      return element({
        ...column,
        type: 'INT64',
        converted_type: 'DECIMAL',
        precision: 18,
        scale: STORED_SCALE[type],
      });
    case 'bigint':
      return element({ ...column, type: 'INT64' });
    case 'date':
      return element({ ...column, type: 'INT32', converted_type: 'DATE' });
    default:
      throw new Error(`curated Parquet has no ${type} columns (${name})`);
  }
}

/**
 * A schema element with every field a curated file's elements have, those it lacks undefined
 * (which the footer leaves out): with the root and every column alike, the writer's code that
 * reads them meets one shape; meeting five, it deoptimized on every page.
 */
function element(fields: SchemaElement): SchemaElement {
  return {
    name: fields.name,
    type: fields.type,
    repetition_type: fields.repetition_type,
    converted_type: fields.converted_type,
    num_children: fields.num_children,
    precision: fields.precision,
    scale: fields.scale,
  };
}

/** What a column's rows are written as, decided once for the whole batch. */
interface ColumnPlan {
  /** Text repeated enough for a dictionary: one view per distinct value, by entry. */
  entries: Uint8Array[] | null;
  /** Each row's entry (text with a dictionary). */
  entryOfRow: Int32Array | null;
}

function columnPlan(column: BatchColumn, rows: number): ColumnPlan {
  if (!isTextColumn(column) || !repeats(column, rows)) return { entries: null, entryOfRow: null };
  const { nulls, bytes, ends } = column;
  // The distinct values by their bytes: no string a row (the batch holds text as UTF-8 bytes).
  const dictionary = new ByteKeys();
  const entries: Uint8Array[] = [];
  const entryOfRow = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (nulls[i] === 1) continue;
    const entry = valueCode(column, dictionary, i);
    if (entry === entries.length) entries.push(bytes.subarray(textStart(column, i), ends[i] as number));
    entryOfRow[i] = entry;
  }
  return { entries, entryOfRow };
}

function columnSource(column: BatchColumn, plan: ColumnPlan, start: number, end: number): ColumnSource {
  return isTextColumn(column) ? textSource(column, plan, start, end) : numberSource(column, start, end);
}

/**
 * The bigints of 0 to 65,535, made once: quantities, zero amounts, amounts up to 655.35 and the
 * first lines then cost no allocation per cell.
 */
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 65_536 }, (_, i) => BigInt(i));

/** Row `row`'s exact integer as a bigint. */
function bigintAt(values: Float64Array, large: Map<number, bigint> | null, row: number): bigint {
  const value = values[row] as number;
  if (large === null && value >= 0 && value < 65_536 && (value | 0) === value)
    return SMALL_BIGINTS[value] as bigint;
  return large?.get(row) ?? BigInt(value);
}

function numberSource(column: NumberColumn, start: number, end: number): ColumnSource {
  const { definition, values, nulls } = column;
  const name = definition.name;
  if (definition.type === 'date') {
    // Small integers (| 0), not the doubles the Float64Array gives: an array of doubles would be
    // one more kind of array for the writer's code to meet. A null is left a hole, which the
    // writer reads as undefined and takes for null.
    const data = new Array<number>(end - start);
    for (let i = start; i < end; i++) if (nulls[i] !== 1) data[i - start] = (values[i] as number) | 0;
    return { name, data, encoding: 'PLAIN' };
  }
  // INT64 as bigints, which the writer takes as they are (DECIMAL ones as already unscaled), in an
  // array of objects without holes (pushed, null for null), the kind the writer's DECIMAL copies are.
  const large = column.large.size > 0 ? column.large : null;
  const data: (bigint | null)[] = [];
  for (let i = start; i < end; i++) data.push(nulls[i] === 1 ? null : bigintAt(values, large, i));
  return { name, data, encoding: 'PLAIN' };
}

/** Dictionary encoding pays when values repeat; mostly unique columns (order ids) are written PLAIN. */
const MAX_DICTIONARY_SHARE = 0.5;
/** Rows looked at first to tell a repeating column from a mostly unique one. */
const SAMPLE_ROWS = 2000;

function textSource(column: TextColumn, plan: ColumnPlan, start: number, end: number): ColumnSource {
  const { definition, nulls, ends } = column;
  // A null is left a hole (see numberSource).
  const data = new Array<Uint8Array>(end - start);
  const { entries, entryOfRow } = plan;
  if (entries && entryOfRow) {
    // A distinct value's one view, shared by the rows that hold it.
    for (let i = start; i < end; i++)
      if (nulls[i] !== 1) data[i - start] = entries[entryOfRow[i] as number] as Uint8Array;
    return { name: definition.name, data, encoding: 'RLE_DICTIONARY' };
  }
  const { buffer, byteOffset } = column.bytes;
  for (let i = start; i < end; i++) {
    if (nulls[i] === 1) continue;
    const from = i === 0 ? 0 : (ends[i - 1] as number);
    // A view made by the constructor: a third of the time of subarray.
    data[i - start] = new Uint8Array(buffer, byteOffset + from, (ends[i] as number) - from);
  }
  return { name: definition.name, data, encoding: 'PLAIN' };
}

function repeats(column: TextColumn, rows: number): boolean {
  const size = Math.min(rows, SAMPLE_ROWS);
  const sample = new ByteKeys();
  for (let i = 0; i < size; i++) if (column.nulls[i] !== 1) valueCode(column, sample, i);
  return sample.size <= size * MAX_DICTIONARY_SHARE;
}

/** Row `row`'s value's code among `keys` (numbered in order of first sight). */
function valueCode(column: TextColumn, keys: ByteKeys, row: number): number {
  return keys.code(column.bytes, textStart(column, row), column.ends[row] as number);
}

/**
 * What hyparquet needs to read the GZIP pages written here (it reads snappy by itself): one output
 * buffer of the page's known size, handed over as it is (a Buffer is a Uint8Array).
 */
export const PARQUET_DECOMPRESSORS = {
  GZIP: (input: Uint8Array, size: number): Uint8Array => gunzipSync(input, { chunkSize: Math.max(64, size) }),
};

/**
 * hyparquet's text decoding as the raw column reader decodes text (Buffer's UTF-8, invalid bytes as
 * U+FFFD): hyparquet's own TextDecoder drops a leading U+FEFF, so a customer id would read one way
 * from pages the raw reader takes and another from pages it hands to hyparquet (a foreign writer's
 * DELTA_LENGTH_BYTE_ARRAY, a nested file), and the kinds would no longer join on it.
 */
export const PARQUET_PARSERS = {
  stringFromBytes: (bytes: Uint8Array | undefined): string | undefined =>
    bytes && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
};
