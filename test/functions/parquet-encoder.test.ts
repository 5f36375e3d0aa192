import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CuratedBatch } from '../../core/exports/curated-batch.ts';
import { KIND_COLUMNS } from '../../core/exports/kinds.ts';
import { fromUnscaled } from '../../core/money.ts';
import { ByteKeys } from '../../core/text/byte-keys.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { readRawColumns } from '../../functions/adapters/parquet-columns.ts';
import { encodeCuratedBatch } from '../../functions/adapters/parquet-encoder.ts';

/** Values as validate-row produces them for customers (strings, dates, money) and satisfaction (rates). */
const text = fc.oneof(
  fc.constant(null),
  fc.constantFrom('C1', 'C2', '华东', 'x'.repeat(40)),
  fc.string({ maxLength: 5 }),
);
const date = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -25567, max: 376199 }).map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)),
);
const cents = fc.oneof(
  fc.constant(null),
  fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }),
  fc.bigInt({ min: -1000n, max: 1000n }),
);

function batchOf(rows: [string | null, string | null, bigint | null, string | null][]): CuratedBatch {
  const batch = new CuratedBatch('customers');
  const names = KIND_COLUMNS.customers.map((spec) => spec.name);
  for (const [id, acquired, cost, segment] of rows) {
    batch.reserve();
    const index = batch.length;
    names.forEach((name, c) => {
      const value = { customer_id: id, acquired_on: acquired, acquisition_cost: cost, segment }[name] ?? null;
      batch.setValue(c, index, value);
    });
    batch.setValue(names.length, index, index + 2);
    batch.length += 1;
  }
  return batch;
}

describe('curated Parquet encoder', () => {
  it('writes what hyparquet and the raw column reader read back exactly (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(text, date, cents, fc.oneof(fc.constant(null), fc.constantFrom('A', 'B'))), {
          minLength: 1,
          maxLength: 300,
        }),
        async (rows) => {
          const batch = batchOf(rows);
          const expected = rows.map((_, i) => batch.row(i));
          const bytes = await encodeCuratedBatch(batch.take());
          const decoded = await decodeParquet(bytes, batch.definitions);
          expect(decoded.map((row) => row.customer_id)).toEqual(expected.map((row) => row.customer_id));
          expect(decoded.map((row) => row.acquired_on)).toEqual(expected.map((row) => row.acquired_on));
          expect(decoded.map((row) => row.source_line)).toEqual(expected.map((row) => row.source_line));
          const raw = await readRawColumns(bytes, ['acquisition_cost', 'segment']);
          const costs = raw.columns.get('acquisition_cost');
          if (costs?.kind !== 'numbers') throw new Error('expected numbers');
          const read = rows.map((_, i) =>
            costs.nulls?.[i] === 1 ? null : (costs.large.get(i) ?? BigInt(costs.values[i] as number)),
          );
          expect(read).toEqual(rows.map((row) => row[2]));
          const segments = raw.columns.get('segment');
          expect(segments?.kind === 'strings' && segments.values).toEqual(rows.map((row) => row[3]));
          // Keyed: codes instead of strings, one code per distinct value.
          const customerKeys = new ByteKeys();
          const segmentKeys = new ByteKeys();
          const keyed = await readRawColumns(
            bytes,
            ['customer_id', 'segment'],
            new Map([
              ['customer_id', customerKeys],
              ['segment', segmentKeys],
            ]),
          );
          const codesOf = (name: string) => {
            const column = keyed.columns.get(name);
            if (column?.kind !== 'codes') throw new Error('expected codes');
            return [...column.codes];
          };
          const idCodes = codesOf('customer_id');
          expect(idCodes.map((c) => (c < 0 ? null : customerKeys.text(c)))).toEqual(
            rows.map((row) => row[0]),
          );
          const segmentCodes = codesOf('segment');
          expect(segmentCodes.map((c) => (c < 0 ? null : segmentKeys.text(c)))).toEqual(
            rows.map((row) => row[3]),
          );
          // As bytes: each row's UTF-8 bytes after its gap, nulls flagged.
          const asBytes = await readRawColumns(bytes, ['customer_id'], new Map(), new Set(['customer_id']));
          const idBytes = asBytes.columns.get('customer_id');
          if (idBytes?.kind !== 'bytes') throw new Error('expected bytes');
          const decoder = new TextDecoder();
          expect(
            rows.map((_, r) =>
              idBytes.nulls?.[r] === 1
                ? null
                : decoder.decode(
                    idBytes.bytes.subarray(
                      (r === 0 ? 0 : (idBytes.ends[r - 1] as number)) + idBytes.gap,
                      idBytes.ends[r],
                    ),
                  ),
            ),
          ).toEqual(rows.map((row) => row[0]));
          for (let i = 0; i < rows.length; i++)
            for (let j = 0; j < rows.length; j += 7) {
              if (segmentCodes[i] === -1 || segmentCodes[j] === -1) continue;
              const same = rows[i]![3] === rows[j]![3];
              expect(segmentCodes[i] === segmentCodes[j]).toBe(same);
            }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is read by DuckDB with the Athena types, dictionary and plain pages alike', async () => {
    const rows = Array.from(
      { length: 5000 },
      (_, i) =>
        [`C${i}`, '2025-03-01', BigInt(i * 101 - 7), i % 3 === 0 ? null : `S${i % 4}`] as [
          string,
          string,
          bigint,
          string | null,
        ],
    );
    const bytes = await encodeCuratedBatch(batchOf(rows).take());
    const dir = await mkdtemp(join(tmpdir(), 'cval-encoder-'));
    try {
      const file = join(dir, 'part.parquet');
      await writeFile(file, bytes);
      const duck = await DuckDBInstance.create(':memory:');
      const connection = await duck.connect();
      const result = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT customer_id)::INTEGER AS ids, sum(acquisition_cost)::VARCHAR AS cost,
                count(segment)::INTEGER AS segments, min(acquired_on)::VARCHAR AS first, typeof(any_value(acquisition_cost)) AS type
           FROM read_parquet('${file}')`,
      );
      const expectedCost = fromUnscaled(rows.reduce((sum, row) => sum + row[2], 0n)).toFixed(2);
      expect(result.getRowObjects()[0]).toEqual({
        n: 5000,
        ids: 5000,
        cost: expectedCost,
        segments: rows.filter((row) => row[3] !== null).length,
        first: '2025-03-01',
        type: 'DECIMAL(18,2)',
      });
      connection.closeSync();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
