import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { RESULT_TABLES } from '../../core/tables.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { runCompute } from '../../functions/compute/run-compute.ts';
import { runLocal } from '../../functions/local/run-local.ts';
import { partitionLocally } from '../../functions/scale-out/partition-locally.ts';
import {
  combineRun,
  planRun,
  publishScaledRun,
  summariseBucket,
  writeBucketItems,
} from '../../functions/scale-out/steps.ts';
import { filesUnder, generateExports, loadGeneratedExports } from '../support/generated-exports.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';
import { MemoryTable } from '../support/memory-table.ts';

const root = join(import.meta.dirname, '..', '..');
const samples = join(root, 'samples', 'exports');

/** Every published result table's rows, sorted, keyed by table: the run as Athena would see it. */
async function publishedTables(
  list: (prefix: string) => Promise<string[]>,
  bytes: (key: string) => Promise<Uint8Array>,
): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const table of RESULT_TABLES) {
    const rows: string[] = [];
    for (const key of await list(`${table.prefix}/`)) {
      for (const row of await decodeParquet(await bytes(key), table.columns)) {
        // The exports table says when each upload arrived, which two runs of a test cannot share.
        if (table.name === 'exports') delete row.received_at;
        rows.push(JSON.stringify(row));
      }
    }
    tables[table.name] = rows.sort();
  }
  return tables;
}

/** The lookup items and the run record (all but its publication time). */
function lookups(items: Record<string, unknown>[]): string[] {
  return items
    .filter((item) => /^(CUSTOMER|COHORT)#/.test(String(item.PK)) || item.PK === 'RUNS')
    .map(({ published_at: _at, expires_at: _expires, ...item }) =>
      JSON.stringify(item, Object.keys(item).sort()),
    )
    .sort();
}

describe('the scale-out path', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cval-scale-out-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives exactly the embedded run on the samples, through cval run', async () => {
    const outputs: { tables: Record<string, string[]>; items: string[] }[] = [];
    for (const [name, config] of [
      ['embedded', {}],
      ['scaled', { compute: { scaleOutAboveBytes: 0, buckets: 8 } }],
    ] as const) {
      const configFile = join(dir, `${name}.json`);
      await writeFile(configFile, JSON.stringify(config));
      const outDir = join(dir, name);
      const result = await runLocal({ exportsDir: samples, outDir, asOf: '2025-03-31', configFile });
      const lake = join(outDir, 'lake');
      const files = await filesUnder(lake);
      const parts = files.filter((key) => key.startsWith('results/customer_metrics/'));
      // The scaled run writes customer_metrics in one part per bucket; nothing of its staging stays.
      expect(parts.length, name).toBe(name === 'scaled' ? 8 : 1);
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
    const [embedded, scaled] = outputs as [(typeof outputs)[0], (typeof outputs)[0]];
    expect(Object.keys(scaled.tables)).toEqual(Object.keys(embedded.tables));
    for (const table of Object.keys(embedded.tables))
      expect(scaled.tables[table], table).toEqual(embedded.tables[table]);
    expect(scaled.items.length).toBeGreaterThan(100);
    expect(scaled.items).toEqual(embedded.items);
  }, 240_000);

  describe('on a generated set of 100,000 customers', () => {
    const asOf = '2024-12-31';
    let generated: string;
    beforeAll(async () => {
      generated = join(dir, 'generated');
      await generateExports(generated, 100_000, 300_000, asOf);
    }, 300_000);

    /**
     * A local S3 holding the generated exports as loaded ones (one export per kind), and a table in
     * memory (see MemoryTable: the DynamoDB protocol is the samples test's part).
     */
    async function loadedEnv(): Promise<{ env: LocalEnv; table: MemoryTable }> {
      const env = await startLocalEnv();
      const table = new MemoryTable();
      await loadGeneratedExports(generated, env.ports().lake, table);
      return { env, table };
    }

    async function outcome({ env, table }: { env: LocalEnv; table: MemoryTable }) {
      const { lake } = env.ports();
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
      const embeddedEnv = await loadedEnv();
      let embedded: Awaited<ReturnType<typeof outcome>>;
      try {
        const { lake } = embeddedEnv.env.ports();
        await runCompute({ lake, items: embeddedEnv.table, config: parseConfig({}) }, asOf);
        embedded = await outcome(embeddedEnv);
      } finally {
        await embeddedEnv.env.close();
      }
      const scaledEnv = await loadedEnv();
      try {
        const ports = {
          lake: scaledEnv.env.ports().lake,
          items: scaledEnv.table,
          config: parseConfig({ compute: { scaleOutAboveBytes: 0, buckets: 8 } }),
        };
        const plan = await planRun(ports, asOf, { database: 'customer_value' });
        expect(plan.scale_out).toBe(true);
        expect(plan.buckets).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((bucket) => ({ bucket })));
        // Each step once (test/functions/run-lock.test.ts runs every step twice, as retries would).
        const runId = plan.run_id;
        await partitionLocally(ports.lake, runId);
        const totals = [];
        for (const { bucket } of plan.buckets) {
          totals.push(await summariseBucket(ports, runId, bucket));
        }
        expect(totals.reduce((sum, t) => sum + t.lines, 0)).toBe(300_000);
        expect(totals.reduce((sum, t) => sum + t.customers, 0)).toBeGreaterThan(70_000);
        await combineRun(ports, asOf, runId);
        for (const { bucket } of plan.buckets) await writeBucketItems(ports, asOf, runId, bucket);
        await publishScaledRun(ports, asOf, runId);
        const scaled = await outcome(scaledEnv);
        expect(scaled.staging).toEqual([]);
        expect(embedded.tables.customer_metrics?.length).toBeGreaterThan(70_000);
        for (const table of Object.keys(embedded.tables))
          expect(scaled.tables[table]?.length, table).toBe(embedded.tables[table]?.length);
        for (const table of Object.keys(embedded.tables))
          expect(scaled.tables[table] ?? [], table).toEqual(embedded.tables[table]);
        expect(scaled.items.length).toBe(embedded.items.length);
        expect(scaled.items).toEqual(embedded.items);
      } finally {
        await scaledEnv.env.close();
      }
    }, 600_000);
  });
});
