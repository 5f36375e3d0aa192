import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { type ColumnMetaData, type FileMetaData, parquetMetadata, snappyUncompress } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { CuratedBatch } from '../../core/exports/curated-batch.ts';
import { encodeCuratedBatch } from '../../functions/adapters/parquet-encoder.ts';
import {
  ENCODINGS,
  PAGE_TYPES,
  type PageHeader,
  readPageHeader,
} from '../../functions/adapters/parquet-page-header.ts';

// ---------------------------------------------------------------------------------------------
// Real files: every column chunk walked page by page.

interface Walked {
  header: PageHeader;
  /** Where the header starts in the file. */
  at: number;
  headerBytes: number;
}

/** A column chunk's pages, header after header, each page's body skipped by its stored size. */
function walkChunk(file: Uint8Array, chunk: ColumnMetaData): Walked[] {
  const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
  const length = Number(chunk.total_compressed_size);
  const reader = { view: new DataView(file.buffer, file.byteOffset + start, length), offset: 0 };
  const pages: Walked[] = [];
  while (reader.offset < length) {
    const at = reader.offset;
    const header = readPageHeader(reader);
    pages.push({ header, at: start + at, headerBytes: reader.offset - at });
    reader.offset += header.compressed_page_size;
  }
  // The pages tile the chunk: the last one ends exactly at its end.
  expect(reader.offset).toBe(length);
  return pages;
}

/** A page's body (levels of a v2 page left out) as its codec decompresses it. */
function decompress(body: Uint8Array, size: number, codec: ColumnMetaData['codec']): Uint8Array {
  if (codec === 'UNCOMPRESSED') return body;
  if (codec === 'GZIP') return gunzipSync(body);
  if (codec === 'SNAPPY') {
    const out = new Uint8Array(size);
    snappyUncompress(body, out);
    return out;
  }
  throw new Error(`no ${codec} here`);
}

interface Seen {
  pages: number;
  byType: Record<string, number>;
  chunks: number;
}

/**
 * Walks every column chunk of the file and checks what its pages' headers say against the
 * footer: the pages tile the chunk (offsets), the data pages hold the chunk's values (and, v2,
 * the row group's rows and the chunk's nulls), the headers and uncompressed pages make the
 * chunk's uncompressed size, a dictionary comes first and once, and each body decompresses to
 * the size its header gives.
 */
function checkPages(file: Uint8Array): Seen {
  const metadata: FileMetaData = parquetMetadata(
    file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
  );
  const seen: Seen = { pages: 0, byType: {}, chunks: 0 };
  for (const group of metadata.row_groups) {
    for (const column of group.columns) {
      const chunk = column.meta_data as ColumnMetaData;
      const pages = walkChunk(file, chunk);
      seen.chunks++;
      seen.pages += pages.length;
      let values = 0;
      let rows = 0;
      let nulls = 0;
      let uncompressed = 0;
      const dictionaries = pages.filter((page) => page.header.type === 'DICTIONARY_PAGE');
      if (chunk.dictionary_page_offset) {
        expect(dictionaries).toHaveLength(1);
        expect(pages[0]?.header.type).toBe('DICTIONARY_PAGE');
        expect(pages[0]?.at).toBe(Number(chunk.dictionary_page_offset));
      } else expect(dictionaries).toHaveLength(0);
      const data = pages.filter((page) => page.header.type !== 'DICTIONARY_PAGE');
      expect(data[0]?.at).toBe(Number(chunk.data_page_offset));
      for (const { header, at, headerBytes } of pages) {
        seen.byType[header.type] = (seen.byType[header.type] ?? 0) + 1;
        uncompressed += headerBytes + header.uncompressed_page_size;
        const bodyAt = at + headerBytes;
        let body = file.subarray(bodyAt, bodyAt + header.compressed_page_size);
        let size = header.uncompressed_page_size;
        let compressed = true;
        if (header.type === 'DATA_PAGE') {
          const page = header.data_page_header;
          if (!page) throw new Error('a data page without its header');
          values += page.num_values;
          expect(chunk.encodings).toContain(page.encoding);
        } else if (header.type === 'DATA_PAGE_V2') {
          const page = header.data_page_header_v2;
          if (!page) throw new Error('a v2 data page without its header');
          values += page.num_values;
          rows += page.num_rows;
          nulls += page.num_nulls;
          expect(chunk.encodings).toContain(page.encoding);
          const levels = page.definition_levels_byte_length + page.repetition_levels_byte_length;
          expect(levels).toBeLessThanOrEqual(header.compressed_page_size);
          body = body.subarray(levels);
          size -= levels;
          compressed = page.is_compressed;
        } else if (header.type === 'DICTIONARY_PAGE') {
          expect(header.dictionary_page_header?.num_values).toBeGreaterThan(0);
        } else throw new Error(`unexpected page type ${header.type}`);
        const page = compressed && size > 0 ? decompress(body, size, chunk.codec) : body;
        expect(page.length).toBe(size);
      }
      expect(values).toBe(Number(chunk.num_values));
      expect(uncompressed).toBe(Number(chunk.total_uncompressed_size));
      if (pages.some((page) => page.header.type === 'DATA_PAGE_V2')) {
        expect(rows).toBe(Number(group.num_rows));
        if (chunk.statistics?.null_count !== undefined)
          expect(nulls).toBe(Number(chunk.statistics.null_count));
      }
    }
  }
  return seen;
}

describe('reading the page headers of files hyparquet-writer writes', () => {
  it('walks the curated parts encodeCuratedBatch writes (GZIP, v2 pages, dictionaries)', () => {
    const batch = new CuratedBatch('transactions');
    const names = batch.definitions.map((d) => d.name);
    for (let i = 0; i < 20_000; i++) {
      batch.reserve();
      batch.setValue(names.indexOf('order_id'), i, `SO${i}`);
      batch.setValue(names.indexOf('customer_id'), i, i % 13 === 0 ? null : `客户${i % 17}`);
      batch.setValue(names.indexOf('order_date'), i, i % 29 === 0 ? null : '2025-03-01');
      batch.setValue(names.indexOf('revenue'), i, i % 5 === 0 ? 2n ** 60n : BigInt(i * 101));
      batch.length += 1;
    }
    const seen = checkPages(encodeCuratedBatch(batch.take()));
    expect(seen.chunks).toBe(3 * names.length);
    expect(seen.byType.DATA_PAGE_V2).toBe(seen.chunks);
    expect(seen.byType.DICTIONARY_PAGE).toBeGreaterThan(0);
  });

  it.each(['UNCOMPRESSED', 'SNAPPY', 'GZIP'] as const)(
    'walks many small pages a chunk, %s, with statistics',
    (codec) => {
      const rows = 12_000;
      const writer = new ByteWriter();
      const parquet = new ParquetWriter({
        writer,
        schema: [
          { name: 'root', num_children: 6 },
          { name: 'id', type: 'INT64', repetition_type: 'OPTIONAL' },
          { name: 'category', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'note', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
          { name: 'day', type: 'INT32', repetition_type: 'REQUIRED' },
          { name: 'flag', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
          { name: 'ratio', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        ],
        codec,
        compressors: { GZIP: (input: Uint8Array) => gzipSync(input) },
        statistics: true,
      });
      parquet.write({
        columnData: [
          { name: 'id', data: Array.from({ length: rows }, (_, i) => (i % 11 === 0 ? null : BigInt(i))) },
          {
            name: 'category',
            data: Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : `c${i % 300}`)),
            encoding: 'RLE_DICTIONARY',
          },
          { name: 'note', data: Array.from({ length: rows }, (_, i) => `note ${i} ${'x'.repeat(i % 40)}`) },
          { name: 'day', data: Int32Array.from({ length: rows }, (_, i) => 19_000 + (i % 400)) },
          { name: 'flag', data: Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : i % 2 === 0)) },
          { name: 'ratio', data: Float64Array.from({ length: rows }, (_, i) => i / 7) },
        ],
        rowGroupSize: 5_000,
        pageSize: 4_096,
      });
      parquet.finish();
      const seen = checkPages(new Uint8Array(writer.getBuffer()));
      expect(seen.chunks).toBe(3 * 6);
      // Many pages a chunk, so page after page is found from the one before.
      expect(seen.byType.DATA_PAGE_V2).toBeGreaterThan(4 * seen.chunks);
    },
  );
});

describe('reading the page headers of files DuckDB writes', () => {
  const SELECT = `SELECT i::BIGINT AS id,
      CASE WHEN i % 7 = 0 THEN NULL ELSE 'v' || (i % 70000) END AS name,
      (i % 3)::INTEGER AS small,
      i % 2 = 0 AS flag,
      i / 3.0 AS ratio,
      CASE WHEN i % 5 = 0 THEN NULL ELSE DATE '2020-01-01' + (i % 1000)::INTEGER END AS day,
      (i * 1.25)::DECIMAL(18, 2) AS amount
    FROM range(300000) t(i)`;

  it.each([
    'COMPRESSION snappy',
    'COMPRESSION gzip, PARQUET_VERSION v2',
    'COMPRESSION uncompressed, ROW_GROUP_SIZE 50000',
    'COMPRESSION snappy, PARQUET_VERSION v2, DICTIONARY_SIZE_LIMIT 1000000, ROW_GROUP_SIZE 100000',
  ])('walks every column chunk: %s', async (options) => {
    const dir = await mkdtemp(join(tmpdir(), 'cval-page-header-'));
    try {
      const path = join(dir, 'file.parquet');
      const duck = await DuckDBInstance.create(':memory:', { threads: '1' });
      const connection = await duck.connect();
      await connection.run(`COPY (${SELECT}) TO '${path}' (FORMAT parquet, ${options})`);
      connection.closeSync();
      duck.closeSync();
      const seen = checkPages(new Uint8Array(await readFile(path)));
      expect(seen.chunks).toBeGreaterThanOrEqual(3 * 7);
      expect(seen.byType.DATA_PAGE).toBeGreaterThanOrEqual(seen.chunks);
      expect(seen.byType.DICTIONARY_PAGE).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-encoded structs: a small Thrift compact-protocol writer.

type Kind = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'binary' | 'uuid' | Nested;
type Nested = 'list' | 'set' | 'map' | 'struct';

type Value =
  | { kind: 'bool'; value: boolean }
  | { kind: 'i8' | 'i16' | 'i32' | 'double'; value: number }
  | { kind: 'i64'; value: bigint }
  | { kind: 'binary' | 'uuid'; value: Uint8Array }
  | { kind: 'list' | 'set'; element: Kind; items: Value[]; boolType: 1 | 2 }
  | { kind: 'map'; key: Kind; item: Kind; entries: [Value, Value][]; boolType: 1 | 2 }
  | { kind: 'struct'; fields: Field[] };

interface Field {
  id: number;
  value: Value;
  /** The id written in full (zigzag i16) even when a delta from the one before would do. */
  long: boolean;
}

const CODE: Record<Exclude<Kind, 'bool'>, number> = {
  i8: 3,
  i16: 4,
  i32: 5,
  i64: 6,
  double: 7,
  binary: 8,
  list: 9,
  set: 10,
  map: 11,
  struct: 12,
  uuid: 13,
};

class CompactWriter {
  readonly bytes: number[] = [];

  varint(n: bigint): void {
    let rest = n;
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      this.bytes.push(rest > 0n ? low | 0x80 : low);
    } while (rest > 0n);
  }

  zigzag(n: bigint | number): void {
    const value = BigInt(n);
    this.varint(value >= 0n ? value << 1n : (-value << 1n) - 1n);
  }

  struct(fields: readonly Field[]): void {
    let previous = 0;
    for (const { id, value, long } of fields) {
      const code = value.kind === 'bool' ? (value.value ? 1 : 2) : CODE[value.kind];
      const delta = id - previous;
      if (!long && delta > 0 && delta <= 15) this.bytes.push((delta << 4) | code);
      else {
        this.bytes.push(code);
        this.zigzag(id);
      }
      previous = id;
      if (value.kind !== 'bool') this.value(value);
    }
    this.bytes.push(0);
  }

  /** A value after its field header, or as a container's element (a boolean then a byte). */
  value(value: Value): void {
    switch (value.kind) {
      case 'bool':
        this.bytes.push(value.value ? 1 : 2);
        return;
      case 'i8':
        this.bytes.push(value.value & 0xff);
        return;
      case 'i16':
      case 'i32':
      case 'i64':
        this.zigzag(value.value);
        return;
      case 'double': {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setFloat64(0, value.value, true);
        this.bytes.push(...bytes);
        return;
      }
      case 'binary':
        this.varint(BigInt(value.value.length));
        this.bytes.push(...value.value);
        return;
      case 'uuid':
        this.bytes.push(...value.value);
        return;
      case 'list':
      case 'set': {
        const code = value.element === 'bool' ? value.boolType : CODE[value.element];
        if (value.items.length < 15) this.bytes.push((value.items.length << 4) | code);
        else {
          this.bytes.push(0xf0 | code);
          this.varint(BigInt(value.items.length));
        }
        for (const item of value.items) this.value(item);
        return;
      }
      case 'map': {
        this.varint(BigInt(value.entries.length));
        if (value.entries.length === 0) return;
        const code = (kind: Kind) => (kind === 'bool' ? value.boolType : CODE[kind]);
        this.bytes.push((code(value.key) << 4) | code(value.item));
        for (const [key, item] of value.entries) {
          this.value(key);
          this.value(item);
        }
        return;
      }
      case 'struct':
        this.struct(value.fields);
        return;
    }
  }
}

function encodeStruct(fields: readonly Field[]): Uint8Array {
  const writer = new CompactWriter();
  writer.struct(fields);
  return new Uint8Array(writer.bytes);
}

const SCALARS: Kind[] = ['bool', 'i8', 'i16', 'i32', 'i64', 'double', 'binary', 'uuid'];
const NESTED: Kind[] = ['list', 'set', 'map', 'struct'];

const kindOf = (depth: number): fc.Arbitrary<Kind> =>
  fc.constantFrom(...(depth > 0 ? [...SCALARS, ...NESTED] : SCALARS));

const i16 = fc.integer({ min: -32768, max: 32767 });
const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const nat32 = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 300 }));
/** Field ids: any i16, often small ones (written as deltas). */
const fieldId = fc.oneof(i16, fc.integer({ min: -3, max: 40 }));

/** A value of the kind, containers and structs `depth` deep at most. */
function thriftValue(kind: Kind, depth: number): fc.Arbitrary<Value> {
  switch (kind) {
    case 'bool':
      return fc.boolean().map((value) => ({ kind, value }));
    case 'i8':
      return fc.integer({ min: -128, max: 127 }).map((value) => ({ kind, value }));
    case 'i16':
      return i16.map((value) => ({ kind, value }));
    case 'i32':
      return i32.map((value) => ({ kind, value }));
    case 'i64':
      return fc
        .oneof(
          fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
          fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n),
        )
        .map((value) => ({ kind, value }));
    case 'double':
      return fc.double().map((value) => ({ kind, value }));
    case 'binary':
      return fc.uint8Array({ maxLength: 40 }).map((value) => ({ kind, value }));
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((value) => ({ kind, value }));
    case 'list':
    case 'set':
      return fc.tuple(kindOf(depth - 1), fc.constantFrom<1 | 2>(1, 2)).chain(([element, boolType]) =>
        // Up to 14 items the size is in the byte of the element type, from 15 on after it.
        fc
          .oneof(
            fc.array(thriftValue(element, depth - 1), { maxLength: 4 }),
            fc.array(thriftValue(element, depth - 1), { minLength: 13, maxLength: 17 }),
          )
          .map((items) => ({ kind, element, items, boolType })),
      );
    case 'map':
      return fc
        .tuple(kindOf(depth - 1), kindOf(depth - 1), fc.constantFrom<1 | 2>(1, 2))
        .chain(([key, item, boolType]) =>
          fc
            .array(fc.tuple(thriftValue(key, depth - 1), thriftValue(item, depth - 1)), { maxLength: 6 })
            .map((entries) => ({ kind, key, item, entries, boolType })),
        );
    case 'struct':
      return fc.array(anyField(depth - 1), { maxLength: 5 }).map((fields) => ({ kind, fields }));
  }
}

function anyField(depth: number): fc.Arbitrary<Field> {
  return fc.record({
    id: fieldId,
    value: kindOf(depth).chain((kind) => thriftValue(kind, depth)),
    long: fc.boolean(),
  });
}

/**
 * The known fields (id and kind) with fields the decoder does not know interleaved, in any order:
 * ids it does not use, and ids it uses but with another type (which Thrift's readers skip).
 */
function withUnknown(known: fc.Arbitrary<Field[]>, used: ReadonlyMap<number, Kind>): fc.Arbitrary<Field[]> {
  const unknown = fc
    .array(anyField(2), { maxLength: 6 })
    .map((fields) => fields.filter((field) => used.get(field.id) !== field.value.kind));
  return fc
    .tuple(known, unknown)
    .chain(([k, u]) => fc.shuffledSubarray([...k, ...u], { minLength: k.length + u.length }));
}

const field = (id: number, value: Value, long: boolean): Field => ({ id, value, long });
const int = (value: number): Value => ({ kind: 'i32', value });

const encodingName = (n: number): string => ENCODINGS[n] ?? `ENCODING_${n}`;
const PAGE_TYPE_NAMES: readonly string[] = PAGE_TYPES;

const encoding = fc.integer({ min: 0, max: 12 });
const statistics = fc.option(thriftValue('struct', 2), { nil: undefined });

/** A PageHeader as fields to write, and what reading it must give. */
interface Model {
  fields: Field[];
  expected: PageHeader;
}

const dataPageHeader: fc.Arbitrary<{ value: Value; expected: PageHeader['data_page_header'] }> = fc
  .record({
    values: nat32,
    encoding,
    definitions: encoding,
    repetitions: encoding,
    statistics,
    longs: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  })
  .chain((d) => {
    const known = [
      field(1, int(d.values), d.longs[0] as boolean),
      field(2, int(d.encoding), d.longs[1] as boolean),
      field(3, int(d.definitions), d.longs[2] as boolean),
      field(4, int(d.repetitions), d.longs[3] as boolean),
      ...(d.statistics ? [field(5, d.statistics, d.longs[4] as boolean)] : []),
    ];
    const used = new Map<number, Kind>([
      [1, 'i32'],
      [2, 'i32'],
      [3, 'i32'],
      [4, 'i32'],
    ]);
    return withUnknown(fc.constant(known), used).map((fields) => ({
      value: { kind: 'struct' as const, fields },
      expected: {
        num_values: d.values,
        encoding: encodingName(d.encoding),
        definition_level_encoding: encodingName(d.definitions),
        repetition_level_encoding: encodingName(d.repetitions),
      } as PageHeader['data_page_header'],
    }));
  });

const dictionaryPageHeader: fc.Arbitrary<{ value: Value; expected: PageHeader['dictionary_page_header'] }> =
  fc
    .record({
      values: nat32,
      encoding,
      sorted: fc.option(fc.boolean(), { nil: undefined }),
      long: fc.boolean(),
    })
    .chain((d) => {
      const known = [
        field(1, int(d.values), d.long),
        field(2, int(d.encoding), !d.long),
        ...(d.sorted === undefined ? [] : [field(3, { kind: 'bool', value: d.sorted }, d.long)]),
      ];
      const used = new Map<number, Kind>([
        [1, 'i32'],
        [2, 'i32'],
      ]);
      return withUnknown(fc.constant(known), used).map((fields) => ({
        value: { kind: 'struct' as const, fields },
        expected: {
          num_values: d.values,
          encoding: encodingName(d.encoding),
        } as PageHeader['dictionary_page_header'],
      }));
    });

const dataPageHeaderV2: fc.Arbitrary<{ value: Value; expected: PageHeader['data_page_header_v2'] }> = fc
  .record({
    counts: fc.array(nat32, { minLength: 5, maxLength: 5 }),
    encoding,
    compressed: fc.option(fc.boolean(), { nil: undefined }),
    statistics,
    long: fc.boolean(),
  })
  .chain((d) => {
    const [values, nulls, rows, definitions, repetitions] = d.counts as [
      number,
      number,
      number,
      number,
      number,
    ];
    const known = [
      field(1, int(values), d.long),
      field(2, int(nulls), false),
      field(3, int(rows), d.long),
      field(4, int(d.encoding), false),
      field(5, int(definitions), d.long),
      field(6, int(repetitions), false),
      ...(d.compressed === undefined ? [] : [field(7, { kind: 'bool', value: d.compressed }, d.long)]),
      ...(d.statistics ? [field(8, d.statistics, d.long)] : []),
    ];
    const used = new Map<number, Kind>([
      [1, 'i32'],
      [2, 'i32'],
      [3, 'i32'],
      [4, 'i32'],
      [5, 'i32'],
      [6, 'i32'],
      [7, 'bool'],
    ]);
    return withUnknown(fc.constant(known), used).map((fields) => ({
      value: { kind: 'struct' as const, fields },
      expected: {
        num_values: values,
        num_nulls: nulls,
        num_rows: rows,
        encoding: encodingName(d.encoding),
        definition_levels_byte_length: definitions,
        repetition_levels_byte_length: repetitions,
        is_compressed: d.compressed ?? true,
      } as PageHeader['data_page_header_v2'],
    }));
  });

const pageHeader: fc.Arbitrary<Model> = fc
  .record({
    type: fc.integer({ min: 0, max: 6 }),
    uncompressed: nat32,
    compressed: nat32,
    crc: fc.option(i32, { nil: undefined }),
    data: fc.option(dataPageHeader, { nil: undefined }),
    index: fc.boolean(),
    dictionary: fc.option(dictionaryPageHeader, { nil: undefined }),
    v2: fc.option(dataPageHeaderV2, { nil: undefined }),
    longs: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  })
  .chain((h) => {
    const known = [
      field(1, int(h.type), h.longs[0] as boolean),
      field(2, int(h.uncompressed), h.longs[1] as boolean),
      field(3, int(h.compressed), h.longs[2] as boolean),
      ...(h.crc === undefined ? [] : [field(4, int(h.crc), false)]),
      ...(h.data ? [field(5, h.data.value, false)] : []),
      ...(h.index ? [field(6, { kind: 'struct', fields: [] }, false)] : []),
      ...(h.dictionary ? [field(7, h.dictionary.value, false)] : []),
      ...(h.v2 ? [field(8, h.v2.value, false)] : []),
    ];
    const used = new Map<number, Kind>([
      [1, 'i32'],
      [2, 'i32'],
      [3, 'i32'],
      [5, 'struct'],
      [7, 'struct'],
      [8, 'struct'],
    ]);
    const expected: PageHeader = {
      type: (PAGE_TYPE_NAMES[h.type] ?? `PAGE_TYPE_${h.type}`) as PageHeader['type'],
      uncompressed_page_size: h.uncompressed,
      compressed_page_size: h.compressed,
    };
    if (h.data) expected.data_page_header = h.data.expected;
    if (h.dictionary) expected.dictionary_page_header = h.dictionary.expected;
    if (h.v2) expected.data_page_header_v2 = h.v2.expected;
    return withUnknown(fc.constant(known), used).map((fields) => ({ fields, expected }));
  });

/** The bytes at `offset` in a buffer with `before` and `after` other bytes around them. */
function placed(bytes: Uint8Array, before: number, after: number): { view: DataView; offset: number } {
  const buffer = new Uint8Array(before + bytes.length + after).fill(0xee);
  buffer.set(bytes, before);
  return { view: new DataView(buffer.buffer, 1, buffer.length - 1), offset: before - 1 };
}

describe('readPageHeader on hand-encoded headers', () => {
  it('reads the fields, whatever unknown fields of any type lie between them, and stops at the STOP', () => {
    fc.assert(
      fc.property(
        pageHeader,
        fc.integer({ min: 1, max: 5 }),
        fc.nat(8),
        ({ fields, expected }, before, after) => {
          const bytes = encodeStruct(fields);
          const reader = placed(bytes, before, after);
          expect(readPageHeader(reader)).toEqual(expected);
          expect(reader.offset).toBe(before - 1 + bytes.length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads headers one after another', () => {
    fc.assert(
      fc.property(fc.array(pageHeader, { minLength: 1, maxLength: 4 }), (models) => {
        const parts = models.map((model) => encodeStruct(model.fields));
        const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
        let at = 0;
        for (const part of parts) {
          all.set(part, at);
          at += part.length;
        }
        const reader = { view: new DataView(all.buffer), offset: 0 };
        expect(models.map(() => readPageHeader(reader))).toEqual(models.map((model) => model.expected));
        expect(reader.offset).toBe(all.length);
      }),
      { numRuns: 100 },
    );
  });

  it('names a page type and an encoding the format does not define by their numbers', () => {
    const bytes = encodeStruct([
      field(1, int(9), false),
      field(2, int(10), false),
      field(3, int(10), false),
      field(
        5,
        {
          kind: 'struct',
          fields: [
            field(1, int(1), false),
            field(2, int(42), false),
            field(3, int(3), false),
            field(4, int(3), false),
          ],
        },
        false,
      ),
    ]);
    const header = readPageHeader({ view: new DataView(bytes.buffer), offset: 0 });
    expect(header.type).toBe('PAGE_TYPE_9');
    expect(header.data_page_header?.encoding).toBe('ENCODING_42');
  });
});

describe('readPageHeader on hostile bytes', () => {
  const message = /^parquet page header/;

  it('throws, saying it is truncated, on every header cut short', () => {
    fc.assert(
      fc.property(pageHeader, fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), ({ fields }, cuts) => {
        const bytes = encodeStruct(fields);
        for (const cut of cuts) {
          const length = cut % bytes.length;
          const reader = { view: new DataView(bytes.buffer, 0, length), offset: 0 };
          expect(() => readPageHeader(reader)).toThrow(/^parquet page header truncated/);
          expect(reader.offset).toBeLessThanOrEqual(length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reads any bytes to a header or to an Error of its own, never past them', () => {
    const anyBytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // A valid header with a byte changed.
      fc.tuple(pageHeader, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([{ fields }, at, byte]) => {
        const bytes = encodeStruct(fields);
        bytes[at % bytes.length] = byte;
        return bytes;
      }),
    );
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), offset: 0 };
        try {
          const header = readPageHeader(reader);
          expect(header.compressed_page_size).toBeGreaterThanOrEqual(0);
          expect(header.uncompressed_page_size).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(message);
        }
        expect(reader.offset).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  const read = (bytes: number[]) => () =>
    readPageHeader({ view: new DataView(new Uint8Array(bytes).buffer), offset: 0 });
  // type DATA_PAGE, sizes 10 and 10: 0x15 0x00, 0x15 0x14, 0x15 0x14.
  const SIZES = [0x15, 0x00, 0x15, 0x14, 0x15, 0x14];

  it('throws on a required field missing, a negative size or count', () => {
    expect(read([0x15, 0x00, 0x15, 0x14, 0x00])).toThrow(/no compressed_page_size/);
    expect(read([0x15, 0x00, 0x15, 0x14, 0x15, 0x13, 0x00])).toThrow(
      /compressed_page_size is negative \(-10\)/,
    );
    // A data page header with its num_values only.
    expect(read([...SIZES, 0x2c, 0x15, 0x02, 0x00, 0x00])).toThrow(/no data_page_header.encoding/);
    expect(read([...SIZES, 0x4c, 0x15, 0x01, 0x15, 0x00, 0x00, 0x00])).toThrow(
      /dictionary_page_header.num_values is negative/,
    );
  });

  it('throws on a type it does not know, a varint too long, an i32 out of range, nesting too deep', () => {
    expect(read([...SIZES, 0x1e, 0x00])).toThrow(/unknown compact type 14/);
    expect(read([...SIZES, 0x19, 0x10, 0x00])).toThrow(/a container of element type 0/);
    expect(read([0x15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00])).toThrow(/a varint longer than 5 bytes/);
    expect(read([0x15, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00])).toThrow(/an i32 out of range/);
    expect(read([...SIZES, 0x16, ...new Array(10).fill(0x80), 0x01, 0x00])).toThrow(
      /a varint longer than 10 bytes/,
    );
    const deep = [...SIZES, ...new Array(100).fill(0x1c), ...new Array(101).fill(0x00)];
    expect(read(deep)).toThrow(/nested more than 64 deep/);
    // Not quite so deep is read.
    expect(read([...SIZES, ...new Array(60).fill(0x1c), ...new Array(61).fill(0x00)])()).toMatchObject({
      type: 'DATA_PAGE',
      compressed_page_size: 10,
    });
  });
});
