import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { RESULT_TABLES } from '../../core/tables.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { PARQUET_DECOMPRESSORS } from '../../functions/adapters/parquet-encoder.ts';
import { runCompute } from '../../functions/compute/run-compute.ts';
import { runLocal } from '../../functions/local/run-local.ts';
import { partitionLocally } from '../../functions/scale-out/partition-locally.ts';
import {
  combineRun,
  planRun,
  publishScaledRun,
  summariseBucket,
  writeBucketCustomers,
} from '../../functions/scale-out/steps.ts';
import { filesUnder, generateExports, loadGeneratedExports } from '../support/generated-exports.ts';
import { type LocalS3, makeLocalTable, startLocalS3 } from '../support/local-env.ts';
import { MemoryTable } from '../support/memory-table.ts';

const root = join(import.meta.dirname, '..', '..');
const samples = join(root, 'samples', 'exports');

/**
 * A file's rows as stored, in `names` order (columns the file lacks are null): DECIMALs as their
 * unscaled integers (the file's schema gives the scale), dates and timestamps as instants.
 */
async function storedRows(bytes: Uint8Array, names: readonly string[]): Promise<unknown[][]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const present = new Set(metadata.schema.map((element) => element.name));
  // Read as stored: hyparquet would turn DECIMALs into doubles, which are not exact.
  const raw = {
    ...metadata,
    schema: metadata.schema.map((element) =>
      element.converted_type === 'DECIMAL'
        ? { ...element, converted_type: undefined, logical_type: undefined }
        : element,
    ),
  };
  const rows = (await parquetReadObjects({
    file,
    metadata: raw,
    columns: names.filter((name) => present.has(name)),
    compressors: PARQUET_DECOMPRESSORS,
  })) as Record<string, unknown>[];
  return rows.map((row) => names.map((name) => row[name] ?? null));
}

/** The columns of a file as Athena reads them: name, physical and logical type, scale. */
function fileSchema(bytes: Uint8Array): string {
  const { schema } = parquetMetadata(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  return canonical(schema.slice(1));
}

/** JSON with every object's keys sorted, at every depth; bigints as `<digits>n`. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

interface PublishedTable {
  rows: string[];
  schemas: string[];
}

/**
 * Every published result table as Athena would see it, keyed by table: its rows as stored, sorted,
 * and the distinct schemas of its files.
 */
async function publishedTables(
  list: (prefix: string) => Promise<string[]>,
  bytes: (key: string) => Promise<Uint8Array>,
): Promise<Record<string, PublishedTable>> {
  const tables: Record<string, PublishedTable> = {};
  for (const table of RESULT_TABLES) {
    const names = table.columns.map((column) => column.name);
    // The exports table says when each upload arrived, which two runs of a test cannot share.
    const received = table.name === 'exports' ? names.indexOf('received_at') : -1;
    const rows: string[] = [];
    const schemas = new Set<string>();
    for (const key of await list(`${table.prefix}/`)) {
      const file = await bytes(key);
      schemas.add(fileSchema(file));
      for (const row of await storedRows(file, names)) {
        if (received >= 0) row[received] = null;
        rows.push(canonical(row));
      }
    }
    tables[table.name] = { rows: rows.sort(), schemas: [...schemas].sort() };
  }
  return tables;
}

/**
 * The lookup items and the run record (all but its publication time), every field at every depth
 * (amounts are objects in the items a MemoryTable holds).
 */
function lookups(items: Record<string, unknown>[]): string[] {
  return items
    .filter((item) => /^(CUSTOMER|COHORT)#/.test(String(item.PK)) || item.PK === 'RUNS')
    .map(({ published_at: _at, expires_at: _expires, ...item }) => canonical(item))
    .sort();
}

describe('the scale-out path', () => {
  const clv = { holdoutDays: 91 };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cval-scale-out-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives exactly the embedded run on the samples, through cval run (and so do the service costs by SQL), backtest and holdout included', async () => {
    const outputs: { tables: Record<string, PublishedTable>; items: string[] }[] = [];
    for (const [name, config] of [
      // A holdout: the buckets' CLV summaries of the calibration and of all data differ.
      ['embedded', { clv }],
      ['scaled', { clv, compute: { scaleOutAboveBytes: 0, buckets: 8 } }],
      // The samples' interactions are far below the default threshold: the set queries forced.
      ['service-costs-by-sql', { clv, compute: { serviceCostsBySqlFromBytes: 0 } }],
    ] as const) {
      const configFile = join(dir, `${name}.json`);
      await writeFile(configFile, JSON.stringify(config));
      const outDir = join(dir, name);
      await makeLocalTable(join(outDir, 'state'));
      // The day 90 days before first: the second run's backtest scores it (clv.backtestDays), so
      // the scaled run's buckets count their customers' actuals since then.
      await runLocal({ exportsDir: samples, outDir, asOf: '2024-12-31', configFile });
      const result = await runLocal({ exportsDir: samples, outDir, asOf: '2025-03-31', configFile });
      const lake = join(outDir, 'lake');
      const files = await filesUnder(lake);
      const parts = files.filter((key) => key.startsWith('results/customer_metrics/'));
      // The scaled run writes customer_metrics in one part per bucket; nothing of its staging stays.
      expect(parts.length, name).toBe(name === 'scaled' ? 16 : 2);
      expect(files.filter((key) => key.startsWith('staging/'))).toEqual([]);
      const dumped = (await readFile(join(outDir, 'dynamodb.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      outputs.push({
        tables: await publishedTables(
          async (prefix) => files.filter((key) => key.startsWith(prefix)),
          (key) => readFile(join(lake, key)),
        ),
        items: lookups(dumped),
      });
      expect(result.run.tables.customer_metrics).toBeGreaterThan(100);
    }
    const [embedded, ...others] = outputs as [(typeof outputs)[0], ...(typeof outputs)[0][]];
    const backtest = embedded.tables.clv_backtest?.rows ?? [];
    expect(backtest.filter((row) => row.includes('2024-12-31')).length).toBeGreaterThan(1);
    expect(embedded.tables.clv_holdout?.rows.length).toBeGreaterThan(0);
    for (const other of others) {
      expect(Object.keys(other.tables)).toEqual(Object.keys(embedded.tables));
      for (const table of Object.keys(embedded.tables))
        expect(other.tables[table], table).toEqual(embedded.tables[table]);
      expect(other.items.length).toBeGreaterThan(100);
      expect(other.items).toEqual(embedded.items);
    }
  }, 240_000);

  describe('on a generated set of 100,000 customers', () => {
    const asOf = '2024-12-31';
    let s3: LocalS3;
    let embeddedLake: ObjectStore;
    let scaledLake: ObjectStore;
    const embeddedTable = new MemoryTable();
    const scaledTable = new MemoryTable();

    /**
     * A local S3 holding the generated exports as loaded ones (one export per kind) twice, in a lake
     * for the embedded run and in one for the scaled run, each with its table in memory (see
     * MemoryTable: the DynamoDB protocol is the samples test's part).
     */
    beforeAll(async () => {
      const generated = join(dir, 'generated');
      await generateExports(generated, 100_000, 300_000, asOf);
      s3 = await startLocalS3(['embedded-lake', 'scaled-lake']);
      embeddedLake = s3.store('embedded-lake');
      scaledLake = s3.store('scaled-lake');
      await loadGeneratedExports(generated, embeddedLake, embeddedTable);
      await loadGeneratedExports(generated, scaledLake, scaledTable);
    }, 300_000);
    afterAll(async () => {
      await s3?.close();
    });

    async function outcome(lake: ObjectStore, table: MemoryTable) {
      return {
        tables: await publishedTables(
          (prefix) => lake.list(prefix),
          (key) => lake.getBytes(key),
        ),
        items: lookups([...table.items.values()]),
        staging: await lake.list('staging/'),
      };
    }

    it('writes the same tables and items as the embedded run, step by step', async () => {
      await runCompute({ lake: embeddedLake, items: embeddedTable, config: parseConfig({}) }, asOf);
      const embedded = await outcome(embeddedLake, embeddedTable);
      const ports = {
        lake: scaledLake,
        items: scaledTable,
        config: parseConfig({ compute: { scaleOutAboveBytes: 0, buckets: 8 } }),
      };
      const plan = await planRun(ports, asOf, { database: 'customer_value' });
      expect(plan.scale_out).toBe(true);
      expect(plan.buckets).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((bucket) => ({ bucket })));
      // The Partition map's items: the statements, in the run's folder.
      const statements = JSON.parse((await scaledLake.getText(plan.partition_queries_key ?? '')) ?? '[]');
      expect(statements).toHaveLength(plan.partition_query_count);
      expect(statements.filter((sql: string) => sql.startsWith('UNLOAD ('))).toHaveLength(6);
      // Each step once (test/functions/run-lock.test.ts runs every step twice, as retries would).
      const runId = plan.run_id;
      await partitionLocally(ports.lake, runId);
      const totals = [];
      for (const { bucket } of plan.buckets) {
        totals.push(await summariseBucket(ports, runId, bucket));
      }
      expect(totals.reduce((sum, t) => sum + t.lines, 0)).toBe(300_000);
      // Half the generated customers buy in so few lines (their rates differ, as in a real base).
      expect(totals.reduce((sum, t) => sum + t.customers, 0)).toBeGreaterThan(45_000);
      await combineRun(ports, asOf, runId);
      for (const { bucket } of plan.buckets.slice(1)) await writeBucketCustomers(ports, asOf, runId, bucket);
      // A bucket's customers unwritten: nothing is published.
      await expect(publishScaledRun(ports, asOf, runId)).rejects.toThrow(
        /written\/bucket=0\.json is missing/,
      );
      // A bucket's count short of its customers (a part written by some other run): the same.
      const written = `staging/scale-out/${runId}/written/bucket=0.json`;
      await scaledLake.put(written, JSON.stringify({ rows: 0, written: 0, deleted: 0 }), 'application/json');
      await expect(publishScaledRun(ports, asOf, runId)).rejects.toThrow(
        /buckets wrote \d+ customer_metrics rows, combine counted \d+/,
      );
      expect(await scaledLake.list('results/customer_metrics/')).toEqual([]);
      await writeBucketCustomers(ports, asOf, runId, 0);
      // Every count there but a part gone (combine rerun, or a stray delete): still nothing published.
      const part = `staging/results/${runId}/customer_metrics/as_of=${asOf}/part-00003.parquet`;
      expect(await scaledLake.list(part)).toEqual([part]);
      await scaledLake.deletePrefix(part);
      await expect(publishScaledRun(ports, asOf, runId)).rejects.toThrow(
        /has 7 customer_metrics parts staged, not its 8 buckets'/,
      );
      await writeBucketCustomers(ports, asOf, runId, 3);
      await publishScaledRun(ports, asOf, runId);
      const scaled = await outcome(scaledLake, scaledTable);
      expect(scaled.staging).toEqual([]);
      expect(embedded.tables.customer_metrics?.rows.length).toBeGreaterThan(70_000);
      expect(Object.keys(scaled.tables)).toEqual(Object.keys(embedded.tables));
      for (const table of Object.keys(embedded.tables))
        expect(scaled.tables[table]?.rows.length, table).toBe(embedded.tables[table]?.rows.length);
      for (const table of Object.keys(embedded.tables))
        expect(scaled.tables[table], table).toEqual(embedded.tables[table]);
      expect(scaled.items.length).toBe(embedded.items.length);
      expect(scaled.items).toEqual(embedded.items);
    }, 600_000);
  });
});
