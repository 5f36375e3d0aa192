import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { summarizeTransactions } from '../../core/clv/rfm-summary.ts';
import { parseConfig, profitabilitySettings } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { EXPORT_KINDS, type ExportKind } from '../../core/exports/kinds.ts';
import { money } from '../../core/money.ts';
import { periodLabel } from '../../core/profitability/calendar.ts';
import { firstOrders } from '../../core/profitability/first-orders.ts';
import { computeProfitability, type ProfitabilityResult } from '../../core/profitability/index.ts';
import type { Snapshot } from '../../core/records.ts';
import { computeResults } from '../../core/results.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import type { LakeReader } from '../../functions/compute/lake-reader.ts';
import { loadSnapshot } from '../../functions/compute/load-snapshot.ts';
import { SetEngine } from '../../functions/compute/set-engine.ts';
import { curateExport } from '../../functions/ingest/curate-export.ts';
import { SET_QUERIES, setQuery } from '../../sql/index.ts';
import { latestSatisfaction, tx } from '../core/profitability/fixtures.ts';

const AS_OF = '2025-06-30';
const SAMPLES = join(import.meta.dirname, '..', '..', 'samples', 'exports');
const config = parseConfig({});
const settings = profitabilitySettings(config);

/** The lake as loadSnapshot reads it: list and getBytes over a folder. */
function folderLake(root: string): LakeReader {
  const walk = async (folder: string): Promise<string[]> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    const keys: string[] = [];
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) keys.push(...(await walk(path)));
      else keys.push(relative(root, path).split('\\').join('/'));
    }
    return keys;
  };
  return {
    list: async (prefix: string) =>
      (await walk(join(root, prefix))).filter((k) => k.startsWith(prefix)).sort(),
    getBytes: async (key: string) => new Uint8Array(await readFile(join(root, key))),
  } satisfies LakeReader;
}

/** The sample exports curated by ingest's own row path into curated/<kind>/export_id=<file>/. */
async function curateSamples(root: string): Promise<void> {
  for (const kind of await readdir(SAMPLES)) {
    if (!(EXPORT_KINDS as readonly string[]).includes(kind)) continue;
    for (const file of (await readdir(join(SAMPLES, kind))).sort()) {
      const folder = join(root, 'curated', kind, `export_id=${file.replace(/\W+/g, '_')}`);
      await mkdir(folder, { recursive: true });
      const result = await curateExport(
        createReadStream(join(SAMPLES, kind, file)),
        kind as ExportKind,
        config,
        async (index, bytes) =>
          writeFile(join(folder, `part-${String(index).padStart(5, '0')}.parquet`), bytes),
      );
      expect(result.ok, `${kind}/${file}`).toBe(true);
    }
  }
}

let root: string;
let engine: SetEngine;
let snapshot: Snapshot;
let ts: ProfitabilityResult;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cval-sql-'));
  await curateSamples(root);
  snapshot = (await loadSnapshot(folderLake(root), { transactionRecords: true })).snapshot;
  ts = computeProfitability(snapshot, AS_OF, settings);
  engine = await SetEngine.open(root);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

const parameters = { as_of: AS_OF, grain: settings.cohortGrain, calibration_end: AS_OF };
const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

describe('the set queries of sql/', () => {
  it('are every one Trino SQL (parsed by the grammar of Trino)', () => {
    const trino = new TrinoSQL();
    expect(SET_QUERIES.length).toBeGreaterThanOrEqual(8);
    for (const query of SET_QUERIES) {
      expect(
        trino.validate(query.sql).map((error) => error.message),
        query.name,
      ).toEqual([]);
      expect((query.sql.match(/\?/g) ?? []).length, query.name).toBe(query.parameters.length);
    }
    // The grammar does reject what Trino rejects (DuckDB's dialect is wider).
    expect(trino.validate('SELECT a // 2 FROM t').length).toBeGreaterThan(0);
    expect(trino.validate('SELECT a, FROM t').length).toBeGreaterThan(0);
  });

  it('customer_facts: each customer with orders has the facts of the compute job, to the cent', async () => {
    const rows = await engine.query(setQuery('customer_facts'), parameters);
    const expected = ts.customerMetrics.filter((row) => row.orders > 0);
    expect(rows.length).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(100);
    const byId = new Map(rows.map((row) => [row.customer_id, row]));
    for (const row of expected) {
      const sql = byId.get(row.customer_id) as Record<string, unknown>;
      expect(
        [sql.revenue, sql.cogs, sql.returns, Number(sql.orders), sql.first_order, sql.last_order],
        row.customer_id,
      ).toEqual([
        row.revenue.toFixed(2),
        row.cogs.toFixed(2),
        row.returns.toFixed(2),
        row.orders,
        row.first_order,
        row.last_order,
      ]);
    }
  });

  it('customer_profiles: the acquisition date and segment the facts settle on', async () => {
    const rows = await engine.query(setQuery('customer_profiles'), parameters);
    const sql = new Map(rows.map((row) => [row.customer_id, [row.acquired_on, text(row.segment)]]));
    for (const row of ts.customerMetrics) {
      expect(sql.get(row.customer_id), row.customer_id).toEqual([row.acquired_on, row.segment]);
    }
    // The SQL keeps customers acquired after the date too; the job leaves them out.
    const later = rows.filter((row) => String(row.acquired_on) > AS_OF).length;
    expect(rows.length).toBe(ts.customerMetrics.length + later);
  });

  it('first_orders: given from the loaded lines (SetEngine.provide) is the relation the query makes', async () => {
    const { snapshot: columnar } = await loadSnapshot(folderLake(root));
    const columns = columnar.transactionColumns;
    const sorted = (rows: Record<string, unknown>[]) =>
      rows.map((row) => `${row.customer_id} ${row.first_order}`).sort();
    // At the samples' as_of and on a date that leaves some customers' every line after it.
    for (const asOf of [AS_OF, '2024-09-30']) {
      const made = sorted(await engine.query(setQuery('first_orders'), { as_of: asOf }));
      const given = await SetEngine.open(root);
      try {
        const first = firstOrders(columns, asOf);
        await given.provide(setQuery('first_orders'), { as_of: asOf }, [
          { name: 'customer_id', text: first.customerIds },
          { name: 'first_order', epochDays: first.days },
        ]);
        expect(sorted(await given.rows('SELECT * FROM first_orders'))).toEqual(made);
        // customer_profiles, which reads it, is then made from the given relation, the same.
        const profiles = async (from: SetEngine) =>
          (await from.query(setQuery('customer_profiles'), { as_of: asOf }))
            .map((row) => JSON.stringify(row))
            .sort();
        expect(await profiles(given)).toEqual(await profiles(engine));
      } finally {
        await given.close();
      }
      expect(made.length).toBeGreaterThan(asOf === AS_OF ? 20 : 5);
    }
    const given = await SetEngine.open(root);
    try {
      await expect(
        given.provide(setQuery('first_orders'), { as_of: AS_OF }, [
          { name: 'customer_id', text: ['a', 'b'] },
          { name: 'first_order', epochDays: Int32Array.of(1) },
        ]),
      ).rejects.toThrow('differ in length');
    } finally {
      await given.close();
    }
  });

  it('a withheld table (its parts not copied) fails when read instead of reading as empty', async () => {
    const withheld = await SetEngine.open(root, { withheld: ['transactions'] });
    try {
      await expect(withheld.rows('SELECT count(*) AS n FROM transactions')).rejects.toThrow(
        'transactions are not in this engine',
      );
      await expect(withheld.query(setQuery('customer_profiles'), { as_of: AS_OF })).rejects.toThrow(
        'transactions are not in this engine',
      );
      // The other tables read as before.
      expect(await withheld.rows('SELECT count(*) AS n FROM customers')).toEqual(
        await engine.rows('SELECT count(*) AS n FROM customers'),
      );
    } finally {
      await withheld.close();
    }
  });

  it('segment_product: the segment x product table, exactly', async () => {
    const rows = await engine.query(setQuery('segment_product'), parameters);
    const key = (segment: unknown, category: unknown) => `${text(segment)}|${text(category)}`;
    const sql = new Map(
      rows.map((row) => [
        key(row.segment, row.product_category),
        [row.revenue, row.cost, row.profit, Number(row.customers)],
      ]),
    );
    expect(rows.length).toBe(ts.segmentProductProfit.length);
    expect(rows.length).toBeGreaterThan(4);
    for (const row of ts.segmentProductProfit) {
      expect(sql.get(key(row.segment, row.product_category))).toEqual([
        row.revenue.toFixed(2),
        row.cost.toFixed(2),
        row.profit.toFixed(2),
        row.customers,
      ]);
    }
  });

  it('cohort_retention: every cell with activity, exactly', async () => {
    const rows = await engine.query(setQuery('cohort_retention'), parameters);
    const grain = settings.cohortGrain;
    const cells = rows.filter((row) => Number(row.period_index) >= 0);
    const sql = new Map(
      cells.map((row) => [
        `${periodLabel(Number(row.cohort), grain)}|${row.period_index}`,
        [Number(row.active_customers), row.revenue, row.profit],
      ]),
    );
    const active = ts.cohortRetention.filter((row) => row.active_customers > 0);
    expect(cells.length).toBe(active.length);
    expect(cells.length).toBeGreaterThan(10);
    for (const row of active) {
      expect(sql.get(`${row.cohort}|${row.period_index}`)).toEqual([
        row.active_customers,
        row.revenue.toFixed(2),
        row.profit.toFixed(2),
      ]);
    }
  });

  it('period_kpis: revenue and active customers per period', async () => {
    const rows = await engine.query(setQuery('period_kpis'), { ...parameters, grain: settings.kpiGrain });
    const sql = new Map(
      rows.map((row) => [
        periodLabel(Number(row.period), settings.kpiGrain),
        [row.revenue, Number(row.active_customers)],
      ]),
    );
    const withOrders = ts.periodKpis.filter((kpi) => kpi.active_customers > 0);
    expect(rows.length).toBe(withOrders.length);
    expect(rows.length).toBeGreaterThan(6);
    for (const kpi of withOrders) {
      expect(sql.get(kpi.period)).toEqual([kpi.revenue.toFixed(2), kpi.active_customers]);
    }
  });

  it('purchase_histogram: the (frequency, recency, age) histogram of the models', async () => {
    const rows = await engine.query(setQuery('purchase_histogram'), parameters);
    const summaries = summarizeTransactions(snapshot.transactions, { end: AS_OF, timeUnit: 'days' });
    const expected = new Map<string, number>();
    for (let i = 0; i < summaries.customerIds.length; i++) {
      const key = `${summaries.frequency[i]}|${summaries.recency[i]}|${summaries.age[i]}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const sql = new Map(
      rows.map((row) => [`${row.frequency}|${row.recency_days}|${row.age_days}`, Number(row.customers)]),
    );
    expect(sql).toEqual(expected);
    expect(sql.size).toBeGreaterThan(10);
  });

  it('latest_satisfaction: each customer latest score on or before the date', async () => {
    const rows = await engine.query(setQuery('latest_satisfaction'), parameters);
    const expected = latestSatisfaction(snapshot.satisfaction, AS_OF);
    expect(rows.length).toBe(expected.size);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const record = expected.get(String(row.customer_id));
      expect([row.surveyed_on, row.score]).toEqual([record?.surveyed_on, record?.score.toFixed(6)]);
    }
  });

  it('whale_curve: ranks and cumulative profit over customer_metrics, as the job gives them', async () => {
    const values = ts.customerMetrics
      .map((row) => `('${row.customer_id}', CAST('${row.profit.toFixed(2)}' AS DECIMAL(18,2)), '${AS_OF}')`)
      .join(', ');
    await engine.rows(
      `CREATE OR REPLACE TEMP TABLE customer_metrics AS SELECT * FROM (VALUES ${values}) AS t (customer_id, profit, as_of)`,
    );
    const points = settings.whalePoints;
    const rows = await engine.query(setQuery('whale_curve'), { ...parameters, points: String(points) });
    expect(rows.length).toBe(ts.whaleCurve.length);
    expect(rows.length).toBe(points);
    rows.sort((a, b) => Number(a.point) - Number(b.point));
    rows.forEach((row, i) => {
      const expected = ts.whaleCurve[i];
      expect([Number(row.customers), row.cumulative_profit]).toEqual([
        expected?.customers,
        expected?.cumulative_profit.toFixed(2),
      ]);
    });
  });

  it('service costs: the job with the set queries gives the very tables and warnings of the TypeScript allocation', async () => {
    const lake = folderLake(root);
    const withSql = await loadSnapshot(lake, { asOf: AS_OF });
    expect(withSql.snapshot.serviceCosts?.customerCents.ids.length).toBeGreaterThan(50);
    expect(withSql.snapshot.interactions).toEqual([]);
    const plain = await loadSnapshot(lake);
    expect(plain.snapshot.interactions.length).toBeGreaterThan(100);
    const tables = (result: ReturnType<typeof computeResults>) =>
      JSON.stringify([[...result.tables].map(([t, rows]) => [t.name, rows]), result.warnings]);
    const expected = tables(computeResults(plain.snapshot, AS_OF, config));
    expect(expected).toContain('unallocated touchpoint_cost');
    expect(tables(computeResults(withSql.snapshot, AS_OF, config))).toBe(expected);
    expect(() => computeResults(withSql.snapshot, '2025-07-01', config)).toThrow(/as of 2025-06-30/);
  });

  /**
   * Runs `load` with the temp folder and DuckDB's engine watched: DuckDB's statements are held back
   * `delay` ms (so the decoding is done before they are) or made to fail; the load's error, whether
   * the engine was closed by then, and the copies left.
   */
  async function watchedLoad(
    lake: LakeReader,
    queries: { delay: number; fail?: Error },
  ): Promise<{ error: unknown; closedBefore: number; copiesLeft: string[] }> {
    const previous = process.env.TMPDIR;
    const temporary = await mkdtemp(join(tmpdir(), 'cval-tmp-'));
    process.env.TMPDIR = temporary;
    const close = vi.spyOn(SetEngine.prototype, 'close');
    const original = SetEngine.prototype.queryColumns;
    const queryColumns = vi.spyOn(SetEngine.prototype, 'queryColumns').mockImplementation(async function (
      this: SetEngine,
      ...args
    ) {
      await new Promise((resolve) => setTimeout(resolve, queries.delay));
      if (queries.fail) throw queries.fail;
      return original.apply(this, args);
    });
    try {
      const error = await loadSnapshot(lake, { asOf: AS_OF }).then(
        () => null,
        (reason: unknown) => reason,
      );
      const closedBefore = close.mock.calls.length;
      const copiesLeft = (await readdir(temporary)).filter((name) => name.startsWith('cval-compute-'));
      return { error, closedBefore, copiesLeft };
    } finally {
      close.mockRestore();
      queryColumns.mockRestore();
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      await rm(temporary, { recursive: true, force: true });
    }
  }

  /**
   * The lake with the customers parts' first page header overwritten: DuckDB opens its view from
   * the footer alone, the decoding fails.
   */
  function withCustomersFirstPageOverwritten(lake: LakeReader): LakeReader {
    return {
      list: lake.list,
      getBytes: async (key) => {
        const bytes = await lake.getBytes(key);
        if (key.startsWith('curated/customers/')) bytes.fill(0xff, 4, 68);
        return bytes;
      },
    };
  }

  it('service costs: a customers part that fails its decoding while the queries run fails the load after DuckDB stops', async () => {
    // The queries are held back, so the decoding fails while they run.
    const hostile = withCustomersFirstPageOverwritten(folderLake(root));
    const { error, closedBefore, copiesLeft } = await watchedLoad(hostile, { delay: 300 });
    expect(String(error)).toMatch(/parquet page header/);
    // The engine was closed before the load gave up, not left running over removed copies.
    expect(closedBefore).toBe(1);
    expect(copiesLeft).toEqual([]);
  });

  it('service costs: queries that fail while the records decode fail the load with their error, no copies left', async () => {
    const failure = new Error('the service cost queries failed here on purpose');
    const { error, closedBefore, copiesLeft } = await watchedLoad(folderLake(root), {
      delay: 100,
      fail: failure,
    });
    expect(error).toBe(failure);
    expect(closedBefore).toBe(1);
    expect(copiesLeft).toEqual([]);
  });

  it('service costs: a failure on both sides is one error naming both', async () => {
    const hostile = withCustomersFirstPageOverwritten(folderLake(root));
    const { error, copiesLeft } = await watchedLoad(hostile, {
      delay: 300,
      fail: new Error('queries failed on purpose'),
    });
    expect(error).toBeInstanceOf(AggregateError);
    expect(String((error as Error).message)).toMatch(/parquet page header.*queries failed on purpose/);
    expect(copiesLeft).toEqual([]);
  });

  it('touchpoint_unit_costs: each pool and the interactions that share it', async () => {
    const rows = await engine.query(setQuery('touchpoint_unit_costs'), parameters);
    const key = (period: unknown, touchpoint: unknown) => `${period}|${touchpoint}`;
    const sql = new Map(
      rows.map((row) => [key(row.period, row.touchpoint), [row.total_cost, Number(row.interactions)]]),
    );
    expect(rows.length).toBe(ts.touchpointUnitCosts.length);
    expect(rows.filter((row) => Number(row.interactions) > 0).length).toBeGreaterThan(3);
    for (const unit of ts.touchpointUnitCosts) {
      expect(sql.get(key(unit.period, unit.touchpoint))).toEqual([
        unit.total_cost.toFixed(2),
        unit.interactions,
      ]);
    }
  });
});

describe('latest_satisfaction across exports', () => {
  it('takes, of one day, the row the job takes: the later export as the lake lists them, then the later line', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'cval-sql-surveys-'));
    try {
      // One customer surveyed twice on a day, in two exports; the later-listed export's line is the
      // smaller, so ordering by line alone picks the other row. "x-2/" lists before "x/".
      const parts: [string, [string, number, number][]][] = [
        ['a', [['C1', 7, 90]]],
        [
          'b',
          [
            ['C1', 2, 30],
            ['C2', 5, 10],
          ],
        ],
        ['x-2', [['C2', 9, 70]]],
        ['x', [['C2', 1, 40]]],
      ];
      for (const [exportId, rows] of parts) {
        const folder = join(lake, 'curated', 'satisfaction', `export_id=${exportId}`);
        await mkdir(folder, { recursive: true });
        const records = rows.map(([customer_id, source_line, score]) => ({
          customer_id,
          surveyed_on: '2025-06-10',
          score: money(score),
          source_line,
        }));
        await writeFile(
          join(folder, 'part-00000.parquet'),
          encodeParquet(curatedColumns('satisfaction'), records),
        );
      }
      const surveys = (await loadSnapshot(folderLake(lake))).snapshot.satisfaction;
      const expected = latestSatisfaction(surveys, AS_OF);
      expect(Object.fromEntries([...expected].map(([id, r]) => [id, r.score.toNumber()]))).toEqual({
        C1: 30,
        C2: 40,
      });
      const sqlEngine = await SetEngine.open(lake);
      try {
        const rows = await sqlEngine.query(setQuery('latest_satisfaction'), { as_of: AS_OF });
        expect(Object.fromEntries(rows.map((row) => [row.customer_id, Number(row.score)]))).toEqual({
          C1: 30,
          C2: 40,
        });
      } finally {
        await sqlEngine.close();
      }
    } finally {
      await rm(lake, { recursive: true, force: true });
    }
  });
});

describe('purchase_histogram with credit notes', () => {
  it('takes no day of credit notes only for a purchase, as the models summary does', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'cval-sql-credit-notes-'));
    try {
      const line = (n: number, customer: string, date: string, revenue: number) => ({
        ...tx(customer, date, revenue, { order_id: `O${n}` }),
        source_line: n + 2,
      });
      const lines = [
        line(0, 'A', '2025-01-01', -30), // a refund before the first purchase
        line(1, 'A', '2025-01-03', 100),
        line(2, 'A', '2025-01-10', 60),
        line(3, 'A', '2025-01-10', -10),
        line(4, 'A', '2025-01-20', -60), // credit notes only on the day
        line(5, 'A', '2025-01-25', 0),
        line(6, 'B', '2025-02-01', -20), // never bought
        line(7, 'C', '2025-03-01', 40),
        line(8, 'C', '2025-03-02', -40),
      ];
      const folder = join(lake, 'curated', 'transactions', 'export_id=t');
      await mkdir(folder, { recursive: true });
      await writeFile(
        join(folder, 'part-00000.parquet'),
        encodeParquet(curatedColumns('transactions'), lines),
      );
      const records = (await loadSnapshot(folderLake(lake), { transactionRecords: true })).snapshot
        .transactions;
      const summaries = summarizeTransactions(records, { end: AS_OF, timeUnit: 'days' });
      const expected = new Map<string, number>();
      for (let i = 0; i < summaries.customerIds.length; i++) {
        const key = `${summaries.frequency[i]}|${summaries.recency[i]}|${summaries.age[i]}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      // A: Jan 3, Jan 10, Jan 25; C: Mar 1 only. B is left out.
      expect(expected).toEqual(
        new Map([
          ['2|22|178', 1],
          ['0|0|121', 1],
        ]),
      );
      const sqlEngine = await SetEngine.open(lake);
      try {
        const rows = await sqlEngine.query(setQuery('purchase_histogram'), { calibration_end: AS_OF });
        const sql = new Map(
          rows.map((row) => [`${row.frequency}|${row.recency_days}|${row.age_days}`, Number(row.customers)]),
        );
        expect(sql).toEqual(expected);
      } finally {
        await sqlEngine.close();
      }
    } finally {
      await rm(lake, { recursive: true, force: true });
    }
  });
});
