import { Buffer } from 'node:buffer';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ColumnMetaData, FileMetaData, SchemaElement } from 'hyparquet';
import { parquetMetadata, parquetRead, snappyUncompress } from 'hyparquet';
import type { ByteKeys } from '../../core/text/byte-keys.ts';
import type { ArrayPool } from './array-pool.ts';
import { decimalScaleOf, isDateElement, storedIntegersOf } from './parquet-conversions.ts';
import { PARQUET_DECOMPRESSORS, PARQUET_PARSERS } from './parquet-encoder.ts';
import { type PageHeader, readPageHeader } from './parquet-page-header.ts';
import { type PageReader, readHybrid, skipAllDefined } from './rle-hybrid.ts';

/**
 * Whole columns of one Parquet file as flat arrays, for loads too big for row objects. Flat
 * (non-nested) columns of physical type INT32, INT64 or BYTE_ARRAY, PLAIN or dictionary encoded,
 * in data pages v1 or v2, are decoded here straight from the pages: integers into a Float64Array
 * (exact; DECIMAL columns stay unscaled, `scale` says where the point is), strings into one array
 * with a value repeated on adjacent rows decoded once. Anything else falls back to hyparquet's own
 * reader, which is slower (a typed array per page, a string per row, nulls via generic assembly).
 * A string column asked for as keyed comes back as codes (see ByteKeys): no string per row at all.
 */
export type RawColumn = RawNumbers | RawStrings | RawCodes | RawBytes;

export interface RawNumbers {
  kind: 'numbers';
  /** Per row; NaN for null and for integers beyond 2^53 (those are in `large`). */
  values: Float64Array;
  /** 1 where the row is null; null when no row is. */
  nulls: Uint8Array | null;
  /** Integers too large for a double to hold exactly, by row. */
  large: Map<number, bigint>;
  /** Decimal scale (digits after the point) of a DECIMAL column, 0 otherwise. */
  scale: number;
}

export interface RawStrings {
  kind: 'strings';
  values: (string | null)[];
}

/** A keyed string column: each row's code in the column's ByteKeys. */
export interface RawCodes {
  kind: 'codes';
  /** Per row; -1 for null. */
  codes: Int32Array;
}

/**
 * A string column as its UTF-8 bytes: row r is bytes[ends[r - 1] + gap, ends[r]) (ends[-1] = 0;
 * empty when null). Each value keeps `gap` bytes before it, the room of Parquet's length prefix,
 * so a page of PLAIN values is copied whole.
 */
export interface RawBytes {
  kind: 'bytes';
  bytes: Uint8Array;
  ends: Uint32Array;
  gap: number;
  /** 1 where the row is null; null when no row is. */
  nulls: Uint8Array | null;
}

export interface RawColumns {
  rows: number;
  /** By requested name; a column the file does not have is absent. */
  columns: Map<string, RawColumn>;
}

export async function readRawColumns(
  bytes: Uint8Array,
  names: readonly string[],
  keyed: ReadonlyMap<string, ByteKeys> = new Map(),
  asBytes: ReadonlySet<string> = new Set(),
): Promise<RawColumns> {
  const { buffer, metadata } = openParquet(bytes);
  return readColumnsOf(buffer, metadata, names, keyed, asBytes);
}

/**
 * The same, whole row groups at a time, at least `batchRows` rows a batch (the last may have
 * fewer), so a large file is never decoded all at once: each batch's arrays can go before the
 * next is read. Keyed columns share their keys across batches. The next batch's GZIP pages are
 * decompressed on the zlib thread pool while a batch is decoded and used, the first batch's from
 * the call on (not from the first read), so a caller can open its next file while it reads this
 * one.
 */
export function readRawColumnBatches(
  bytes: Uint8Array,
  names: readonly string[],
  keyed: ReadonlyMap<string, ByteKeys>,
  asBytes: ReadonlySet<string>,
  batchRows: number,
  /** Where the batches' arrays are taken from (the caller gives them back when done with them). */
  pool: ArrayPool | null = null,
): AsyncIterable<RawColumns> {
  const { buffer, metadata } = openParquet(bytes);
  const groups = metadata.row_groups;
  const batches: FileMetaData[] = [];
  for (let from = 0; from < groups.length; ) {
    let to = from;
    let rows = 0;
    while (to < groups.length && (to === from || rows < batchRows)) {
      rows += Number(groups[to]?.num_rows);
      to++;
    }
    batches.push({
      ...metadata,
      row_groups: groups.slice(from, to),
      num_rows: typeof metadata.num_rows === 'bigint' ? BigInt(rows) : rows,
    } as FileMetaData);
    from = to;
  }
  const ahead = (b: number): Promise<DecompressedPages> | null => {
    if (b >= batches.length) return null;
    const pages = decompressAhead(buffer, batches[b] as FileMetaData, names);
    // Read ahead but perhaps never used (the reader stopped): must not fail unobserved.
    pages.catch(() => undefined);
    return pages;
  };
  const first = ahead(0);
  return {
    async *[Symbol.asyncIterator]() {
      let next = first;
      for (let b = 0; b < batches.length; b++) {
        const pages = await next;
        next = ahead(b + 1);
        yield await readColumnsOf(buffer, batches[b] as FileMetaData, names, keyed, asBytes, pages, pool);
      }
    },
  };
}

/** Pages decompressed ahead, by the offset of the page's body in the file; each is taken once. */
type DecompressedPages = Map<number, Uint8Array>;

function decompressed(
  pages: DecompressedPages | null,
  at: number,
  compressed: Uint8Array,
  size: number,
  codec: ColumnMetaData['codec'],
): Uint8Array {
  const ready = pages?.get(at);
  if (ready) {
    pages?.delete(at);
    return ready;
  }
  return decompressPage(compressed, size, codec);
}

/**
 * A page's body decompressed by the chunk's codec: GZIP by zlib (PARQUET_DECOMPRESSORS, as the
 * general reader is given), SNAPPY by hyparquet's snappyUncompress, UNCOMPRESSED as it is. The
 * fast path takes no other codec (fastPathFits).
 */
function decompressPage(compressed: Uint8Array, size: number, codec: ColumnMetaData['codec']): Uint8Array {
  let page: Uint8Array;
  if (codec === 'UNCOMPRESSED') page = compressed;
  else if (codec === 'GZIP') page = PARQUET_DECOMPRESSORS.GZIP(compressed, size);
  else if (codec === 'SNAPPY') {
    page = new Uint8Array(size);
    snappyUncompress(compressed, page);
  } else throw new Error(`parquet compression codec ${codec} is not supported by the fast reader`);
  return ofHeaderSize(page, size);
}

/** The decompressed page, checked to be the size its header gives. */
function ofHeaderSize(page: Uint8Array, size: number): Uint8Array {
  if (page.length !== size)
    throw new Error(`parquet decompressed page length ${page.length} does not match header ${size}`);
  return page;
}

/**
 * A column chunk's pages in order: each header, checked to end within the chunk, and where its
 * body starts in the file.
 */
function* pagesOf(buffer: ArrayBuffer, chunk: ColumnMetaData): Generator<{ header: PageHeader; at: number }> {
  const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
  const reader: PageReader = {
    view: new DataView(buffer, start, Number(chunk.total_compressed_size)),
    offset: 0,
  };
  while (reader.offset < reader.view.byteLength) {
    const header = readPageHeader(reader);
    if (reader.offset + header.compressed_page_size > reader.view.byteLength)
      throw new Error(
        `parquet page of ${header.compressed_page_size} bytes at byte ${reader.offset} runs past its column chunk (${reader.view.byteLength} bytes)`,
      );
    const at = start + reader.offset;
    reader.offset += header.compressed_page_size;
    yield { header, at };
  }
}

/**
 * Decompresses the GZIP pages the fast path will read for `names` in `metadata`'s row groups, on
 * the zlib thread pool; keyed as readFast looks them up (a v2 page by its start, its body only).
 */
async function decompressAhead(
  buffer: ArrayBuffer,
  metadata: FileMetaData,
  names: readonly string[],
): Promise<DecompressedPages> {
  const pages: DecompressedPages = new Map();
  const jobs: Promise<void>[] = [];
  for (const name of names) {
    const element = metadata.schema.find((e, i) => i > 0 && e.name === name && !e.num_children);
    if (!element || !fastPathFits(metadata, name, element)) continue;
    for (const chunk of chunksOf(metadata, name)) {
      if (chunk.codec !== 'GZIP') continue;
      for (const { header, at } of pagesOf(buffer, chunk)) {
        let body = new Uint8Array(buffer, at, header.compressed_page_size);
        let size = header.uncompressed_page_size;
        const v2 = header.type === 'DATA_PAGE_V2' ? header.data_page_header_v2 : undefined;
        if (v2) {
          const levelBytes = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
          body = body.subarray(levelBytes);
          size -= levelBytes;
          if (v2.is_compressed === false || size === 0) continue;
        } else if (header.type !== 'DATA_PAGE' && header.type !== 'DICTIONARY_PAGE') continue;
        jobs.push(
          gunzipAsync(body, { chunkSize: Math.max(64, size) }).then((page) => {
            pages.set(at, ofHeaderSize(new Uint8Array(page.buffer, page.byteOffset, page.byteLength), size));
          }),
        );
      }
    }
  }
  await Promise.all(jobs);
  return pages;
}

function openParquet(bytes: Uint8Array): { buffer: ArrayBuffer; metadata: FileMetaData } {
  // hyparquet reads an ArrayBuffer: the bytes' own when they are all of it, else a copy.
  const buffer = (
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
  return { buffer, metadata: parquetMetadata(buffer) };
}

async function readColumnsOf(
  buffer: ArrayBuffer,
  metadata: FileMetaData,
  names: readonly string[],
  keyed: ReadonlyMap<string, ByteKeys>,
  asBytes: ReadonlySet<string>,
  pages: DecompressedPages | null = null,
  pool: ArrayPool | null = null,
): Promise<RawColumns> {
  const rows = Number(metadata.num_rows);
  const columns = new Map<string, RawColumn>();
  for (const name of names) {
    const element = metadata.schema.find((e, i) => i > 0 && e.name === name && !e.num_children);
    if (!element) continue;
    const keying = keyed.get(name);
    const bytes = asBytes.has(name);
    if (fastPathFits(metadata, name, element)) {
      columns.set(
        name,
        readFast(buffer, metadata, name, element, rows, bytes ? undefined : keying, bytes, pages, pool),
      );
      continue;
    }
    const column = await readSlow(buffer, metadata, element, rows);
    if (!bytes && !keying) {
      columns.set(name, column);
      continue;
    }
    // Wanted as bytes or keyed but not on the fast path: strings from the general reader, converted.
    if (column.kind !== 'strings') throw new Error(`parquet column ${name} is not a string column`);
    columns.set(name, bytes ? bytesOfStrings(column.values) : keyStrings(column.values, keying as ByteKeys));
  }
  return { rows, columns };
}

const encoder = new TextEncoder();

function bytesOfStrings(values: readonly (string | null)[]): RawBytes {
  const sink = new ByteSink(values.length, values.length * 8);
  let nulls: Uint8Array | null = null;
  for (let r = 0; r < values.length; r++) {
    const value = values[r];
    if (value === null || value === undefined) {
      nulls ??= new Uint8Array(values.length);
      nulls[r] = 1;
    } else {
      const bytes = encoder.encode(value);
      sink.add(r, bytes, 0, bytes.length);
    }
  }
  return sink.finish(nulls);
}

/**
 * Rows' bytes, one after another in one growing buffer, each after a gap of PREFIX bytes (see
 * RawBytes); rows not added (nulls) are empty.
 */
class ByteSink {
  private bytes: Uint8Array;
  private readonly ends: Uint32Array;
  private used = 0;
  private next = 0;

  constructor(
    rows: number,
    sizeHint: number,
    take: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes),
  ) {
    this.bytes = new Uint8Array(take(Math.max(64, sizeHint)));
    this.ends = new Uint32Array(take(rows * 4), 0, rows);
  }

  add(row: number, from: Uint8Array, start: number, end: number): void {
    this.skipTo(row);
    const at = this.used + PREFIX;
    const to = at + (end - start);
    this.reserve(to);
    // Values are short: a loop beats a subarray (an object) per value.
    const bytes = this.bytes;
    for (let i = start, k = at; i < end; i++, k++) bytes[k] = from[i] as number;
    this.used = to;
    this.ends[row] = to;
    this.next = row + 1;
  }

  /**
   * Adds `count` PLAIN values from page[at], one row each from `row`: the page's prefixed values
   * are the sink's own layout, so they are copied in one piece; only their ends are read one by one.
   */
  addPlain(row: number, page: Uint8Array, at: number, count: number): void {
    this.skipTo(row);
    const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    const ends = this.ends;
    const base = this.used - at;
    let offset = at;
    for (let k = 0; k < count; k++) {
      offset += PREFIX + view.getUint32(offset, true);
      ends[row + k] = base + offset;
    }
    this.reserve(base + offset);
    this.bytes.set(page.subarray(at, offset), this.used);
    this.used = base + offset;
    this.next = row + count;
  }

  finish(nulls: Uint8Array | null): RawBytes {
    this.skipTo(this.ends.length);
    return { kind: 'bytes', bytes: this.bytes.subarray(0, this.used), ends: this.ends, gap: PREFIX, nulls };
  }

  /** Rows before `row` not added are empty. */
  private skipTo(row: number): void {
    if (this.next >= row) return;
    this.reserve(this.used + (row - this.next) * PREFIX);
    while (this.next < row) {
      this.used += PREFIX;
      this.ends[this.next++] = this.used;
    }
  }

  private reserve(size: number): void {
    if (size <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(size, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }
}

/** The length prefix of a PLAIN BYTE_ARRAY value. */
const PREFIX = 4;

function keyStrings(values: readonly (string | null)[], keys: ByteKeys): RawCodes {
  const codes = new Int32Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const value = values[r];
    if (value === null || value === undefined) codes[r] = -1;
    else {
      const bytes = encoder.encode(value);
      codes[r] = keys.code(bytes, 0, bytes.length);
    }
  }
  return { kind: 'codes', codes };
}

const gunzipAsync = promisify(gunzip);

const FAST_ENCODINGS = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE', 'BIT_PACKED']);
const FAST_TYPES = new Set(['INT32', 'INT64', 'BYTE_ARRAY']);

/**
 * Refuses the top-level column `name` when a version 1 page of it holds definition levels in the
 * deprecated BIT_PACKED encoding: the readers here, hyparquet's too, read levels as RLE/bit-packed
 * hybrid and would misread them into wrong nulls. Only an OPTIONAL column has such levels (old
 * writers name BIT_PACKED for the levels of required columns, which hold none). For the columns
 * hyparquet reads; the fast path checks each page as it reads it.
 */
export function refuseBitPackedLevels(buffer: ArrayBuffer, metadata: FileMetaData, name: string): void {
  const element = metadata.schema.find((e, i) => i > 0 && e.name === name && !e.num_children);
  if (element?.repetition_type !== 'OPTIONAL') return;
  for (const group of metadata.row_groups) {
    const chunk = group.columns.find(
      (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name,
    )?.meta_data;
    if (!chunk) continue;
    for (const { header } of pagesOf(buffer, chunk)) {
      const encoding = header.data_page_header?.definition_level_encoding;
      if (header.type === 'DATA_PAGE' && encoding !== undefined && encoding !== 'RLE')
        throw unsupportedLevels(name, encoding);
    }
  }
}

function unsupportedLevels(name: string, encoding: string): Error {
  return new Error(`parquet column ${name}: definition levels encoded ${encoding} are not supported`);
}

function chunksOf(metadata: FileMetaData, name: string): ColumnMetaData[] {
  return metadata.row_groups.map((group) => {
    const chunk = group.columns.find(
      (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name,
    );
    if (!chunk?.meta_data) throw new Error(`parquet column ${name} missing from a row group`);
    return chunk.meta_data;
  });
}

function fastPathFits(metadata: FileMetaData, name: string, element: SchemaElement): boolean {
  if (!FAST_TYPES.has(element.type ?? '') || element.repetition_type === 'REPEATED') return false;
  if (metadata.schema[0]?.num_children !== metadata.schema.length - 1) return false; // nested schema
  const ctype = element.converted_type;
  // A DECIMAL of bytes is a number, whichever way it is marked (hyparquet's path reads it).
  if (decimalScaleOf(element) !== undefined && element.type === 'BYTE_ARRAY') return false;
  if (
    element.type === 'BYTE_ARRAY'
      ? ctype !== undefined && ctype !== 'UTF8'
      : ctype !== undefined &&
        ctype !== 'DECIMAL' &&
        ctype !== 'DATE' &&
        ctype !== 'INT_64' &&
        ctype !== 'INT_32'
  )
    return false;
  return chunksOf(metadata, name).every(
    (chunk) =>
      chunk.encodings.every((e) => FAST_ENCODINGS.has(e)) &&
      (chunk.codec === 'UNCOMPRESSED' || chunk.codec === 'SNAPPY' || chunk.codec === 'GZIP'),
  );
}

interface Output {
  numbers: Float64Array | null;
  nulls: Uint8Array | null;
  large: Map<number, bigint>;
  strings: (string | null)[] | null;
  codes: Int32Array | null;
  sink: ByteSink | null;
}

/** A dictionary page of strings as bytes: each entry's range, and its code when the column is keyed. */
interface ByteDictionary {
  page: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  codes: Int32Array | null;
}

function readFast(
  buffer: ArrayBuffer,
  metadata: FileMetaData,
  name: string,
  element: SchemaElement,
  rows: number,
  keying: ByteKeys | undefined,
  asBytes: boolean,
  pages: DecompressedPages | null,
  pool: ArrayPool | null,
): RawColumn {
  const isString = element.type === 'BYTE_ARRAY';
  const take = (bytes: number): ArrayBuffer => pool?.take(bytes) ?? new ArrayBuffer(bytes);
  if ((keying || asBytes) && !isString) throw new Error(`parquet column ${name} is not a string column`);
  const chunks = chunksOf(metadata, name);
  const out: Output = {
    numbers: isString ? null : new Float64Array(take(rows * 8), 0, rows),
    nulls: null,
    large: new Map(),
    strings: isString && !keying && !asBytes ? new Array<string | null>(rows) : null,
    codes: keying ? new Int32Array(take(rows * 4), 0, rows) : null,
    sink: asBytes
      ? new ByteSink(
          rows,
          chunks.reduce((sum, chunk) => sum + Number(chunk.total_uncompressed_size), 0),
          take,
        )
      : null,
  };
  const optional = element.repetition_type === 'OPTIONAL';
  let row = 0;
  for (const chunk of chunks) {
    let dictionary: Float64Array | (string | null)[] | ByteDictionary | null = null;
    let dictionaryLarge: Map<number, bigint> | null = null;
    for (const { header, at: pageAt } of pagesOf(buffer, chunk)) {
      const compressed = new Uint8Array(buffer, pageAt, header.compressed_page_size);
      if (header.type === 'DICTIONARY_PAGE') {
        const page = decompressed(pages, pageAt, compressed, header.uncompressed_page_size, chunk.codec);
        const count = header.dictionary_page_header?.num_values ?? 0;
        if (keying || asBytes) dictionary = byteDictionary(page, count, keying ?? null);
        else if (isString) {
          const strings = new Array<string | null>(count);
          readStrings(page, 0, count, strings, null, 0);
          dictionary = strings;
        } else {
          const numbers = new Float64Array(count);
          dictionaryLarge = new Map();
          readNumbers(page, 0, count, element.type === 'INT64', numbers, null, 0, dictionaryLarge);
          dictionary = numbers;
        }
        continue;
      }
      let page: Uint8Array;
      let valuesAt: number;
      let defs: Int32Array | null = null;
      let count: number;
      let encoding: string;
      if (header.type === 'DATA_PAGE' && header.data_page_header) {
        page = decompressed(pages, pageAt, compressed, header.uncompressed_page_size, chunk.codec);
        count = header.data_page_header.num_values;
        encoding = header.data_page_header.encoding;
        // The levels are read as RLE/bit-packed hybrid (see refuseBitPackedLevels).
        const levelEncoding = header.data_page_header.definition_level_encoding;
        if (optional && levelEncoding !== 'RLE') throw unsupportedLevels(name, levelEncoding);
        const levels = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
        if (optional && !skipAllDefined(levels, count)) {
          defs = new Int32Array(count);
          readHybrid(levels, 1, defs);
        }
        valuesAt = levels.offset;
      } else if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
        const v2 = header.data_page_header_v2;
        count = v2.num_values;
        encoding = v2.encoding;
        const levelBytes = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
        if (optional && v2.num_nulls > 0) {
          defs = new Int32Array(count);
          const levels = {
            view: new DataView(compressed.buffer, compressed.byteOffset, levelBytes),
            offset: v2.repetition_levels_byte_length,
          };
          readHybrid(levels, 1, defs, v2.definition_levels_byte_length);
        }
        const body = compressed.subarray(levelBytes);
        const size = header.uncompressed_page_size - levelBytes;
        page =
          v2.is_compressed === false || size === 0
            ? body
            : decompressed(pages, pageAt, body, size, chunk.codec);
        valuesAt = 0;
      } else {
        continue; // index pages and the like carry no rows
      }
      let present = count;
      if (defs) {
        present = 0;
        for (let k = 0; k < count; k++) if (defs[k] === 1) present++;
        if (present === count) defs = null;
        else out.nulls ??= new Uint8Array(rows);
      }
      if (encoding === 'PLAIN') {
        if (keying) readCodes(page, valuesAt, present, out.codes as Int32Array, defs, row, keying);
        else if (out.sink) readIntoSink(page, valuesAt, present, out.sink, defs, row);
        else if (out.strings) readStrings(page, valuesAt, present, out.strings, defs, row);
        else
          readNumbers(
            page,
            valuesAt,
            present,
            element.type === 'INT64',
            out.numbers as Float64Array,
            defs,
            row,
            out.large,
          );
      } else {
        if (encoding !== 'RLE_DICTIONARY' && encoding !== 'PLAIN_DICTIONARY')
          throw new Error(`parquet column ${name}: unexpected page encoding ${encoding}`);
        if (!dictionary)
          throw new Error(`parquet column ${name}: dictionary-encoded page without a dictionary`);
        const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
        const indexReader = { view, offset: valuesAt + 1 };
        const bitWidth = view.getUint8(valuesAt);
        const indexes = new Int32Array(present);
        if (bitWidth > 0) readHybrid(indexReader, bitWidth, indexes, page.byteLength - valuesAt - 1);
        if (keying)
          spreadCodes(
            (dictionary as ByteDictionary).codes as Int32Array,
            indexes,
            defs,
            out.codes as Int32Array,
            row,
          );
        else if (out.sink) spreadBytes(dictionary as ByteDictionary, indexes, defs, out.sink, row);
        else
          spreadDictionary(
            dictionary as Float64Array | (string | null)[],
            dictionaryLarge,
            indexes,
            defs,
            out,
            row,
          );
      }
      if (defs) for (let k = 0; k < count; k++) if (defs[k] !== 1) markNull(out, row + k);
      row += count;
    }
  }
  if (row !== rows) throw new Error(`parquet column ${name}: read ${row} rows, expected ${rows}`);
  if (out.codes) return { kind: 'codes', codes: out.codes };
  if (out.sink) return out.sink.finish(out.nulls);
  if (out.strings) return { kind: 'strings', values: out.strings };
  return {
    kind: 'numbers',
    values: out.numbers as Float64Array,
    nulls: out.nulls,
    large: out.large,
    scale: decimalScaleOf(element) ?? 0,
  };
}

function markNull(out: Output, row: number): void {
  if (out.sink) (out.nulls as Uint8Array)[row] = 1;
  else if (out.codes) out.codes[row] = -1;
  else if (out.strings) out.strings[row] = null;
  else {
    (out.numbers as Float64Array)[row] = Number.NaN;
    (out.nulls as Uint8Array)[row] = 1;
  }
}

/** The row of the k-th present value: rows advance over nulls (defs[k] !== 1). */
function spreadDictionary(
  dictionary: Float64Array | (string | null)[],
  dictionaryLarge: Map<number, bigint> | null,
  indexes: Int32Array,
  defs: Int32Array | null,
  out: Output,
  row: number,
): void {
  let r = row;
  for (let k = 0; k < indexes.length; k++, r++) {
    if (defs) while (defs[r - row] !== 1) r++;
    const index = indexes[k] as number;
    if (out.strings) out.strings[r] = (dictionary as (string | null)[])[index] as string;
    else {
      (out.numbers as Float64Array)[r] = (dictionary as Float64Array)[index] as number;
      const large = dictionaryLarge?.get(index);
      if (large !== undefined) out.large.set(r, large);
    }
  }
}

/** 2^21: a high word below this keeps the 64-bit integer within 2^53. */
const HIGH_LIMIT = 0x200000;

function readNumbers(
  page: Uint8Array,
  at: number,
  count: number,
  int64: boolean,
  out: Float64Array,
  defs: Int32Array | null,
  row: number,
  large: Map<number, bigint>,
): void {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  let offset = at;
  let r = row;
  for (let k = 0; k < count; k++, r++) {
    if (defs) while (defs[r - row] !== 1) r++;
    if (!int64) {
      out[r] = view.getInt32(offset, true);
      offset += 4;
      continue;
    }
    const low = view.getUint32(offset, true);
    const high = view.getInt32(offset + 4, true);
    offset += 8;
    if (high < HIGH_LIMIT && high >= -HIGH_LIMIT) out[r] = high * 4294967296 + low;
    else {
      out[r] = Number.NaN;
      large.set(r, view.getBigInt64(offset - 8, true));
    }
  }
}

/** A value equal to the previous row's (bytes compared in place) reuses its string. */
function readStrings(
  page: Uint8Array,
  at: number,
  count: number,
  out: (string | null)[],
  defs: Int32Array | null,
  row: number,
): void {
  const text = Buffer.from(page.buffer, page.byteOffset, page.byteLength);
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  let offset = at;
  let previousStart = -1;
  let previousLength = -1;
  let previous: string | null = null;
  let r = row;
  for (let k = 0; k < count; k++, r++) {
    if (defs) while (defs[r - row] !== 1) r++;
    const length = view.getUint32(offset, true);
    const start = offset + PREFIX;
    offset = start + length;
    if (length === previousLength && sameBytes(page, previousStart, start, length)) {
      out[r] = previous;
      continue;
    }
    previous = text.toString('utf8', start, start + length);
    previousStart = start;
    previousLength = length;
    out[r] = previous;
  }
}

/** PLAIN values keyed; a value equal to the previous one reuses its code. */
function readCodes(
  page: Uint8Array,
  at: number,
  count: number,
  out: Int32Array,
  defs: Int32Array | null,
  row: number,
  keys: ByteKeys,
): void {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  let offset = at;
  let previousStart = -1;
  let previousLength = -1;
  let previous = -1;
  let r = row;
  for (let k = 0; k < count; k++, r++) {
    if (defs) while (defs[r - row] !== 1) r++;
    const length = view.getUint32(offset, true);
    const start = offset + PREFIX;
    offset = start + length;
    if (length === previousLength && sameBytes(page, previousStart, start, length)) {
      out[r] = previous;
      continue;
    }
    previous = keys.code(page, start, start + length);
    previousStart = start;
    previousLength = length;
    out[r] = previous;
  }
}

function byteDictionary(page: Uint8Array, count: number, keys: ByteKeys | null): ByteDictionary {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let offset = 0;
  for (let k = 0; k < count; k++) {
    const length = view.getUint32(offset, true);
    starts[k] = offset + PREFIX;
    offset += PREFIX + length;
    ends[k] = offset;
  }
  const codes = keys && Int32Array.from(starts, (start, k) => keys.code(page, start, ends[k] as number));
  return { page, starts, ends, codes };
}

function spreadCodes(
  codes: Int32Array,
  indexes: Int32Array,
  defs: Int32Array | null,
  out: Int32Array,
  row: number,
): void {
  let r = row;
  for (let k = 0; k < indexes.length; k++, r++) {
    if (defs) while (defs[r - row] !== 1) r++;
    out[r] = codes[indexes[k] as number] as number;
  }
}

function readIntoSink(
  page: Uint8Array,
  at: number,
  count: number,
  sink: ByteSink,
  defs: Int32Array | null,
  row: number,
): void {
  if (!defs) {
    sink.addPlain(row, page, at, count);
    return;
  }
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  let offset = at;
  let r = row;
  for (let k = 0; k < count; k++, r++) {
    while (defs[r - row] !== 1) r++;
    const length = view.getUint32(offset, true);
    sink.add(r, page, offset + PREFIX, offset + PREFIX + length);
    offset += PREFIX + length;
  }
}

function spreadBytes(
  dictionary: ByteDictionary,
  indexes: Int32Array,
  defs: Int32Array | null,
  sink: ByteSink,
  row: number,
): void {
  const { page, starts, ends } = dictionary;
  let r = row;
  for (let k = 0; k < indexes.length; k++, r++) {
    if (defs) while (defs[r - row] !== 1) r++;
    const index = indexes[k] as number;
    sink.add(r, page, starts[index] as number, ends[index] as number);
  }
}

function sameBytes(page: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (page[a + i] !== page[b + i]) return false;
  return true;
}

/** A DECIMAL's unscaled value from its bytes: big-endian two's complement, of any length. */
function unscaledOfBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const negative = bytes.length > 0 && ((bytes[0] as number) & 0x80) !== 0;
  return negative ? value - (1n << BigInt(bytes.length * 8)) : value;
}

/** hyparquet's general reader, DECIMAL and DATE left unconverted so integers stay exact. */
async function readSlow(
  buffer: ArrayBuffer,
  metadata: FileMetaData,
  element: SchemaElement,
  rows: number,
): Promise<RawColumn> {
  const raw: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map((e) =>
      decimalScaleOf(e) !== undefined || isDateElement(e) ? storedIntegersOf(e) : e,
    ),
  };
  const name = element.name;
  refuseBitPackedLevels(buffer, metadata, name);
  const scale = decimalScaleOf(element);
  const isDecimal = scale !== undefined;
  // A DECIMAL of bytes (Hive's and Spark's writers, and any precision past 18) is its unscaled
  // value as big-endian two's complement, read below like an INT64 one.
  const isString = (element.type === 'BYTE_ARRAY' || element.type === 'FIXED_LEN_BYTE_ARRAY') && !isDecimal;
  if (isString && element.converted_type !== 'UTF8' && element.logical_type?.type !== 'STRING')
    throw new Error(
      `parquet column ${name}: type ${element.type}/${element.converted_type} is not supported here`,
    );
  const out: Output = {
    numbers: isString ? null : new Float64Array(rows),
    nulls: null,
    large: new Map(),
    strings: isString ? new Array<string | null>(rows).fill(null) : null,
    codes: null,
    sink: null,
  };
  const takeChunk = (chunk: { columnData: unknown; rowStart: number; rowEnd: number }): void => {
    const values = chunk.columnData as ArrayLike<unknown>;
    for (let i = 0, r = chunk.rowStart; r < chunk.rowEnd; i++, r++) {
      const value = values[i];
      if (value === null || value === undefined) {
        if (!out.strings) out.nulls ??= new Uint8Array(rows);
        markNull(out, r);
      } else if (out.strings) out.strings[r] = String(value);
      else {
        const big =
          value instanceof Uint8Array
            ? unscaledOfBytes(value)
            : typeof value === 'bigint'
              ? value
              : BigInt(value as number);
        const number = Number(big);
        if (Number.isSafeInteger(number)) (out.numbers as Float64Array)[r] = number;
        else {
          (out.numbers as Float64Array)[r] = Number.NaN;
          out.large.set(r, big);
        }
      }
    }
  };
  // A failure inside onChunk would not reject parquetRead: kept and thrown after it.
  let failed: unknown = null;
  await parquetRead({
    file: buffer,
    metadata: raw,
    columns: [name],
    compressors: PARQUET_DECOMPRESSORS,
    parsers: PARQUET_PARSERS,
    // A DECIMAL's bytes stay bytes (hyparquet would decode a BYTE_ARRAY as text).
    utf8: !isDecimal,
    onChunk: (chunk) => {
      if (failed !== null) return;
      try {
        takeChunk(chunk);
      } catch (error) {
        failed = error;
      }
    },
  });
  if (failed !== null) throw failed;
  return out.strings
    ? { kind: 'strings', values: out.strings }
    : {
        kind: 'numbers',
        values: out.numbers as Float64Array,
        nulls: out.nulls,
        large: out.large,
        scale: scale ?? 0,
      };
}
