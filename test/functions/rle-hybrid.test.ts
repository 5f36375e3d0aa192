import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import {
  type ColumnMetaData,
  type FileMetaData,
  parquetMetadata,
  parquetReadObjects,
  snappyUncompress,
} from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { type RawColumn, readRawColumns } from '../../functions/adapters/parquet-columns.ts';
import { PARQUET_DECOMPRESSORS } from '../../functions/adapters/parquet-encoder.ts';
import { readPageHeader } from '../../functions/adapters/parquet-page-header.ts';
import { readHybrid, skipAllDefined } from '../../functions/adapters/rle-hybrid.ts';

type Run = { rle: true; count: number; value: number } | { rle: false; values: number[] };

function varint(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return out;
}

/** Encodes runs as Parquet's RLE/bit-packed hybrid; returns the bytes and the values they hold. */
function encode(width: number, runs: Run[]): { bytes: number[]; values: number[] } {
  const bytes: number[] = [];
  const values: number[] = [];
  for (const run of runs) {
    if (run.rle) {
      bytes.push(...varint(run.count << 1));
      for (let i = 0; i < (width + 7) >> 3; i++) bytes.push((run.value >>> (8 * i)) & 0xff);
      for (let i = 0; i < run.count; i++) values.push(run.value);
      continue;
    }
    const groups = Math.ceil(run.values.length / 8);
    bytes.push(...varint((groups << 1) | 1));
    const packed = new Array<number>(groups * width).fill(0);
    run.values.forEach((value, k) => {
      for (let bit = 0; bit < width; bit++) {
        if (Math.floor(value / 2 ** bit) % 2 === 1) {
          const at = k * width + bit;
          packed[at >>> 3] = (packed[at >>> 3] as number) | (1 << (at & 7));
        }
      }
    });
    bytes.push(...packed);
    values.push(...run.values, ...new Array<number>(groups * 8 - run.values.length).fill(0));
  }
  return { bytes, values };
}

const encoded = fc.integer({ min: 0, max: 32 }).chain((width) => {
  const value = fc.integer({ min: 0, max: width === 0 ? 0 : 2 ** Math.min(width, 31) - 1 });
  const run: fc.Arbitrary<Run> = fc.oneof(
    fc.record({ rle: fc.constant(true as const), count: fc.integer({ min: 1, max: 300 }), value }),
    fc.record({ rle: fc.constant(false as const), values: fc.array(value, { minLength: 1, maxLength: 70 }) }),
  );
  return fc.record({
    width: fc.constant(width),
    runs: fc.array(run, { minLength: 1, maxLength: 8 }),
    prefixed: fc.boolean(),
    trailing: fc.integer({ min: 0, max: 3 }),
    cut: fc.nat(20),
  });
});

/**
 * The oracle: Parquet's RLE/bit-packed hybrid decoded as the format describes it (Encodings.md),
 * one bit at a time, for any width up to 32: `count` values from page[at], after a 4-byte length
 * unless `length` is given, and the offset after (the declared length wins, as readHybrid's does).
 */
function reference(
  page: Uint8Array,
  at: number,
  width: number,
  count: number,
  length?: number,
): { output: number[]; offset: number } {
  let offset = at;
  let size = length;
  if (size === undefined) {
    size = 0;
    for (let i = 0; i < 4; i++) size += (page[offset++] as number) * 2 ** (8 * i);
  }
  const start = offset;
  const bit = (position: number) =>
    Math.floor((page[offset + Math.floor(position / 8)] ?? 0) / 2 ** (position % 8)) % 2;
  const output: number[] = [];
  while (output.length < count) {
    let header = 0;
    let byte: number;
    let shift = 0;
    do {
      byte = page[offset++] as number;
      header += (byte % 128) * 2 ** shift;
      shift += 7;
    } while (byte >= 128);
    if (header % 2 === 0) {
      // An RLE run: header / 2 repeats of one value in ceil(width / 8) little-endian bytes.
      let value = 0;
      for (let i = 0; i < Math.ceil(width / 8); i++) value += (page[offset++] as number) * 2 ** (8 * i);
      for (let i = 0; i < header / 2 && output.length < count; i++) output.push(value);
      continue;
    }
    // A bit-packed run: (header - 1) / 2 groups of eight values, each `width` bits, low bit first.
    const values = ((header - 1) / 2) * 8;
    for (let k = 0; k < values; k++) {
      let value = 0;
      for (let b = 0; b < width; b++) value += bit(k * width + b) * 2 ** b;
      if (output.length < count) output.push(value);
    }
    offset += (values * width) / 8;
  }
  // readHybrid fills an Int32Array: a 32-bit value is read as its signed counterpart.
  return { output: output.map((value) => value | 0), offset: start + size };
}

describe('readHybrid', () => {
  it('reads the values encoded, as the format describes them, ending at the same offset', () => {
    fc.assert(
      fc.property(encoded, ({ width, runs, prefixed, trailing, cut }) => {
        const { bytes, values } = encode(width, runs);
        const body = [...bytes, ...new Array<number>(trailing).fill(0)];
        const length = body.length;
        const prefix = prefixed ? [length & 0xff, (length >>> 8) & 0xff, (length >>> 16) & 0xff, 0] : [];
        const page = new Uint8Array([7, ...prefix, ...body, 9, 9]);
        const count = Math.max(1, values.length - cut);
        const at = { view: new DataView(page.buffer, 0, page.length), offset: 1 };
        const output = new Int32Array(count);
        readHybrid(at, width, output, prefixed ? undefined : length);
        const ours = { output: [...output], offset: at.offset };
        expect(ours.output).toEqual(values.slice(0, count));
        // Every width, 25 to 32 bits too (wider than readHybrid's 32-bit window), and zero.
        expect(ours).toEqual(reference(page, 1, width, count, prefixed ? undefined : length));
      }),
      { numRuns: 500 },
    );
  });

  it('the oracle itself reads what the encoder wrote', () => {
    fc.assert(
      fc.property(encoded, ({ width, runs }) => {
        const { bytes, values } = encode(width, runs);
        expect(reference(new Uint8Array(bytes), 0, width, values.length, bytes.length)).toEqual({
          output: values.map((value) => value | 0),
          offset: bytes.length,
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('skipAllDefined', () => {
  it('skips exactly the levels that are one run of 1s over every value, and nothing else', () => {
    fc.assert(
      fc.property(encoded, fc.integer({ min: 1, max: 400 }), ({ runs, trailing }, count) => {
        const { bytes, values } = encode(
          1,
          runs.map((run) => (run.rle ? { ...run, value: run.value & 1 } : run)),
        );
        const body = [...bytes, ...new Array<number>(trailing).fill(0)];
        const page = new Uint8Array([body.length & 0xff, (body.length >>> 8) & 0xff, 0, 0, ...body, 5]);
        const reader = { view: new DataView(page.buffer), offset: 0 };
        const skipped = skipAllDefined(reader, count);
        const first = runs[0] as Run;
        const oneRunOfOnes = first.rle && first.value % 2 === 1 && first.count >= count;
        expect(skipped).toBe(oneRunOfOnes);
        expect(reader.offset).toBe(skipped ? 4 + body.length : 0);
        if (skipped) expect(values.slice(0, count)).toEqual(new Array<number>(count).fill(1));
      }),
      { numRuns: 300 },
    );
  });
});

/** A column's rows as the hand-built reader gives them: numbers or strings, null for null. */
function ourRows(column: RawColumn | undefined): unknown[] {
  if (column?.kind === 'strings') return column.values;
  if (column?.kind === 'numbers')
    return [...column.values].map((value, r) => (column.nulls?.[r] === 1 ? null : value));
  throw new Error(`unexpected column ${column?.kind}`);
}

/** The file's rows as hyparquet's public reader gives them, by column (integers as numbers). */
async function publicRows(file: ArrayBuffer, names: string[]): Promise<Record<string, unknown[]>> {
  const rows = await parquetReadObjects({ file, columns: names, compressors: PARQUET_DECOMPRESSORS });
  return Object.fromEntries(
    names.map((name) => [
      name,
      rows.map((row) => (typeof row[name] === 'bigint' ? Number(row[name]) : (row[name] as unknown))),
    ]),
  );
}

function decompress(body: Uint8Array, size: number, codec: ColumnMetaData['codec']): Uint8Array {
  if (codec === 'UNCOMPRESSED') return body;
  if (codec === 'GZIP') return gunzipSync(body);
  if (codec !== 'SNAPPY') throw new Error(`no ${codec} here`);
  const page = new Uint8Array(size);
  snappyUncompress(body, page);
  return page;
}

/**
 * The bit widths of a column's dictionary indexes, page by page: the byte before the indexes,
 * after the definition levels (a v1 page's, length-prefixed, when the column is optional).
 */
function indexWidths(file: Uint8Array, metadata: FileMetaData, name: string): Set<number> {
  const widths = new Set<number>();
  const optional = metadata.schema.find((e) => e.name === name)?.repetition_type === 'OPTIONAL';
  for (const group of metadata.row_groups) {
    const chunk = group.columns.find((c) => c.meta_data?.path_in_schema[0] === name)
      ?.meta_data as ColumnMetaData;
    const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
    const reader = {
      view: new DataView(file.buffer, file.byteOffset + start, Number(chunk.total_compressed_size)),
      offset: 0,
    };
    while (reader.offset < reader.view.byteLength) {
      const header = readPageHeader(reader);
      const body = file.subarray(start + reader.offset, start + reader.offset + header.compressed_page_size);
      reader.offset += header.compressed_page_size;
      const v1 = header.data_page_header;
      const v2 = header.data_page_header_v2;
      if (v1?.encoding.endsWith('_DICTIONARY')) {
        const page = decompress(body, header.uncompressed_page_size, chunk.codec);
        const levels = optional ? 4 + new DataView(page.buffer, page.byteOffset).getUint32(0, true) : 0;
        widths.add(page[levels] as number);
      } else if (v2?.encoding.endsWith('_DICTIONARY')) {
        const levels = v2.definition_levels_byte_length + v2.repetition_levels_byte_length;
        const values = body.subarray(levels);
        const size = header.uncompressed_page_size - levels;
        widths.add((v2.is_compressed ? decompress(values, size, chunk.codec) : values)[0] as number);
      }
    }
  }
  return widths;
}

/**
 * Reads the file with the hand-built reader and with hyparquet's public one: the same rows. The
 * columns are all dictionary encoded (so on the fast path, their indexes and definition levels
 * read by readHybrid); returns their index widths.
 */
async function readBothWays(bytes: Uint8Array, names: string[]): Promise<Set<number>> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  for (const group of metadata.row_groups)
    for (const column of group.columns)
      expect(column.meta_data?.encodings.some((e) => e.endsWith('_DICTIONARY'))).toBe(true);
  const ours = await readRawColumns(bytes, names);
  const theirs = await publicRows(file, names);
  for (const name of names) expect(ourRows(ours.columns.get(name))).toEqual(theirs[name]);
  return new Set(names.flatMap((name) => [...indexWidths(bytes, metadata, name)]));
}

describe("readHybrid on the pages of real files, against hyparquet's public reader", () => {
  it.each(['COMPRESSION snappy', 'COMPRESSION gzip, PARQUET_VERSION v2', 'COMPRESSION uncompressed'])(
    'DuckDB: indexes of 2 to 16 bits, nulls scattered and in runs (%s)',
    async (options) => {
      const dir = await mkdtemp(join(tmpdir(), 'cval-rle-'));
      try {
        const path = join(dir, 'file.parquet');
        const duck = await DuckDBInstance.create(':memory:', { threads: '1' });
        const connection = await duck.connect();
        await connection.run(
          `COPY (SELECT (i % 2)::INTEGER AS w1,
                      CASE WHEN hash(i) % 3 = 0 THEN NULL ELSE 'k' || (i % 5) END AS w3,
                      CASE WHEN i // 1000 % 4 = 0 THEN NULL ELSE (i * 7919 % 200)::BIGINT END AS w8,
                      'c' || (hash(i) % 5000) AS w13,
                      CASE WHEN hash(i + 1) % 10 = 0 THEN NULL ELSE (hash(i) % 100000)::BIGINT END AS w17
               FROM range(120000) t(i))
         TO '${path}' (FORMAT parquet, ${options}, ROW_GROUP_SIZE 60000, DICTIONARY_SIZE_LIMIT 1000000)`,
        );
        connection.closeSync();
        duck.closeSync();
        const widths = await readBothWays(new Uint8Array(await readFile(path)), [
          'w1',
          'w3',
          'w8',
          'w13',
          'w17',
        ]);
        // DuckDB 1.5 gives 2, 3, 8, 13 and 16 bits.
        expect(widths.size).toBeGreaterThanOrEqual(5);
        expect(Math.min(...widths)).toBeLessThanOrEqual(2);
        expect(Math.max(...widths)).toBeGreaterThanOrEqual(16);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it.each(['SNAPPY', 'UNCOMPRESSED'] as const)(
    'hyparquet-writer: v2 pages, their levels without a length prefix, indexes of up to 17 bits (%s)',
    async (codec) => {
      const rows = 150_000;
      const writer = new ByteWriter();
      const parquet = new ParquetWriter({
        writer,
        schema: [
          { name: 'root', num_children: 2 },
          { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'number', type: 'INT64', repetition_type: 'OPTIONAL' },
        ],
        codec,
      });
      parquet.write({
        columnData: [
          {
            name: 'text',
            data: Array.from({ length: rows }, (_, i) => (i % 9 === 0 ? null : `s${(i * 7919) % 70_000}`)),
            encoding: 'RLE_DICTIONARY',
          },
          {
            name: 'number',
            data: Array.from({ length: rows }, (_, i) =>
              Math.floor(i / 500) % 3 === 0 ? null : BigInt((i * 31) % 3000),
            ),
            encoding: 'RLE_DICTIONARY',
          },
        ],
        rowGroupSize: rows,
        pageSize: 20_000,
      });
      parquet.finish();
      const widths = await readBothWays(new Uint8Array(writer.getBuffer()), ['text', 'number']);
      // The writer's pages are cut as the dictionary grows: 11 to 17 bits.
      expect(widths.size).toBeGreaterThanOrEqual(3);
      expect(Math.max(...widths)).toBe(17);
    },
  );
});
