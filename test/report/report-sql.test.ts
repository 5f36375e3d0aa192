import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween } from '../../core/calendar.ts';
import { bgnbdExpectedPurchasesNewCustomer } from '../../core/clv/bgnbd-predict.ts';
import { parseConfig } from '../../core/config.ts';
import { createFormatter, messagesFor } from '../../core/i18n/index.ts';
import { publishReport, type ReportLake } from '../../functions/compute/publish-report.ts';
import { LakeSql } from '../../functions/local/lake-sql.ts';
import { runLocal, targetsLocal } from '../../functions/local/run-local.ts';
import { loadReportData, type ReportData } from '../../functions/report/data/index.ts';
import { reportSections } from '../../functions/report/sections.ts';
import type { QueryResult, SqlRunner } from '../../functions/shared/sql-runner.ts';
import { makeLocalTable } from '../support/local-env.ts';
import { AS_OF, clvExports, EARLIER_AS_OF } from './clv-exports.ts';

/**
 * The deployed compute function builds the report with Athena (Trino), the CLI with DuckDB: the
 * report's SQL must be the dialect both speak.
 */
let out: string;
let lake: LakeSql;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cval-report-sql-'));
  // The samples plus subscriptions, a 91-day CLV holdout, and a run 90 days earlier to backtest.
  const { exportsDir, configFile } = await clvExports(out);
  await makeLocalTable(join(out, 'run', 'state'));
  for (const asOf of [EARLIER_AS_OF, AS_OF])
    await runLocal({ exportsDir, outDir: join(out, 'run'), asOf, configFile });
  await targetsLocal({ outDir: join(out, 'run'), week: '2026-W47' });
  lake = await LakeSql.open(join(out, 'run', 'lake'));
}, 180_000);
afterAll(async () => {
  lake?.close();
  await rm(out, { recursive: true, force: true });
});

class RecordingSql implements SqlRunner {
  readonly statements: string[] = [];
  constructor(private readonly inner: SqlRunner) {}
  query(sql: string): Promise<QueryResult> {
    this.statements.push(sql);
    return this.inner.query(sql);
  }
}

describe('the report through the compute function', () => {
  it('writes reports/run/as_of=<date>/index.html to the lake, using only SQL that Athena also runs', async () => {
    const sql = new RecordingSql(lake);
    const written: Array<{ key: string; body: string; type: string }> = [];
    const store: ReportLake = {
      put: async (key, body, type) =>
        void written.push({
          key,
          body: typeof body === 'string' ? body : new TextDecoder().decode(body),
          type,
        }),
    };
    const key = await publishReport(store, sql, '2026-11-20', parseConfig({ locale: 'zh-CN' }));
    expect(key).toBe('reports/run/as_of=2026-11-20/index.html');
    expect(written).toHaveLength(1);
    expect(written[0]?.type).toBe('text/html; charset=utf-8');
    expect(written[0]?.body).toMatch(/^<!doctype html>/i);
    expect(written[0]?.body).toContain('lang="zh-CN"');
    expect(sql.statements.length).toBeGreaterThan(10);
    for (const statement of sql.statements) {
      // DuckDB-only: `::` casts, named WINDOW clauses, ILIKE, QUALIFY, EXCLUDE, list literals,
      // DuckDB's quantile functions (Athena has approx_percentile, DuckDB not).
      expect(statement).not.toMatch(
        /::|\bWINDOW\b|\bILIKE\b|\bQUALIFY\b|\bEXCLUDE\b|\[|\bquantile(_cont|_disc)?\s*\(|\bapprox_quantile\b/i,
      );
      // Athena resolves GROUP BY against the input's columns, never the select list's aliases
      // (DuckDB takes either): no GROUP BY item may be an alias given to another expression.
      const aliases = new Set(
        [...statement.matchAll(/([\w")]+)\s+AS\s+(\w+)/gi)]
          .filter((m) => (m[1] as string).toLowerCase() !== (m[2] as string).toLowerCase())
          .map((m) => (m[2] as string).toLowerCase()),
      );
      for (const group of statement.matchAll(
        /GROUP BY\s+([\w\s,.]+?)(?=\s+ORDER BY|\s+HAVING|\s+LIMIT|\)|$)/gi,
      ))
        for (const item of (group[1] as string).split(',').map((x) => x.trim().toLowerCase()))
          expect(aliases.has(item), `GROUP BY ${item} in: ${statement}`).toBe(false);
    }
  });
});

describe('the CLV model-validation charts (issue 17, section 5)', () => {
  let data: ReportData;
  const ctx = { f: createFormatter('en', 'CNY'), m: messagesFor('en') };
  beforeAll(async () => {
    data = await loadReportData(lake, AS_OF);
  });

  it('tracking plot: the actual curve counts every repeat purchase day of the fitted customers, week by week', async () => {
    const t = data.clvTracking!;
    expect(t).toMatchObject({ model: 'bgnbd', calibrationEnd: '2026-08-21', asOf: AS_OF });
    // Counted independently: purchase days (a day with a line that is not a credit note) after
    // the first, up to as_of, of the run's customers whose first is on or before the calibration end.
    const runCustomers = new Set(
      (await lake.query(`SELECT customer_id FROM customer_metrics WHERE as_of = '${AS_OF}'`)).rows.map((r) =>
        String(r.customer_id),
      ),
    );
    const orders = (
      await lake.query(
        `SELECT customer_id, CAST(order_date AS VARCHAR) AS d, CAST(revenue AS VARCHAR) AS revenue
         FROM transactions WHERE order_date <= DATE '${AS_OF}'`,
      )
    ).rows.filter((o) => runCustomers.has(String(o.customer_id)) && !String(o.revenue).startsWith('-'));
    const firsts = new Map<string, string>();
    for (const o of orders) {
      const id = String(o.customer_id);
      const first = firsts.get(id);
      if (first === undefined || String(o.d) < first) firsts.set(id, String(o.d));
    }
    for (const [id, first] of firsts) if (first > '2026-08-21') firsts.delete(id);
    const days = new Set<string>();
    for (const o of orders) {
      const first = firsts.get(String(o.customer_id));
      if (first !== undefined && String(o.d) > first) days.add(`${o.customer_id} ${o.d}`);
    }
    expect(t.customers).toBe(firsts.size);
    expect(t.weeks).toHaveLength(Math.floor(daysBetween(t.start, AS_OF) / 7) + 1);
    expect(t.weeks.at(-1)).toMatchObject({ end: AS_OF, actual: days.size });
    for (let i = 1; i < t.weeks.length; i++) {
      expect(t.weeks[i]!.actual).toBeGreaterThanOrEqual(t.weeks[i - 1]!.actual);
      expect(t.weeks[i]!.model).toBeGreaterThanOrEqual(t.weeks[i - 1]!.model);
    }
  });

  it('tracking plot: the model curve is Σ E[X(t)] over the customers, and follows the actual one into the holdout', async () => {
    const t = data.clvTracking!;
    const params = Object.fromEntries(
      (
        await lake.query(
          `SELECT parameter, value FROM clv_models WHERE as_of = '${AS_OF}' AND model = 'bgnbd' AND scope = 'all'`,
        )
      ).rows.map((r) => [String(r.parameter), Number(r.value)]),
    );
    const firsts = (
      await lake.query(
        `SELECT CAST(first_order AS VARCHAR) AS first_order FROM customer_metrics
         WHERE as_of = '${AS_OF}' AND first_order <= DATE '2026-08-21'`,
      )
    ).rows.map((r) => String(r.first_order));
    // Customer by customer at as_of (the loader groups first orders by week at their mean day).
    const exact = firsts.reduce(
      (sum, first) =>
        sum +
        bgnbdExpectedPurchasesNewCustomer(
          { r: params.r!, alpha: params.alpha!, a: params.a!, b: params.b! },
          daysBetween(first, AS_OF) / 7,
        ),
      0,
    );
    const last = t.weeks.at(-1)!;
    expect(Math.abs(last.model / exact - 1)).toBeLessThan(0.005);
    // A model that fits: within 5% of the actual count at the calibration end and at as_of.
    const atCalibration = t.weeks.filter((w) => w.end <= t.calibrationEnd).at(-1)!;
    expect(Math.abs(atCalibration.model / atCalibration.actual - 1)).toBeLessThan(0.05);
    expect(Math.abs(last.model / last.actual - 1)).toBeLessThan(0.05);
  });

  it('P(alive) cells cover every customer with a P(alive) and average it', async () => {
    const [all] = (
      await lake.query(
        `SELECT count(*) AS n, avg(p_alive) AS p FROM customer_metrics
         WHERE as_of = '${AS_OF}' AND p_alive IS NOT NULL AND orders > 0`,
      )
    ).rows;
    const n = data.pAlive.reduce((sum, c) => sum + c.customers, 0);
    const mean = data.pAlive.reduce((sum, c) => sum + c.customers * c.pAlivePct, 0) / n;
    expect(n).toBe(Number(all!.n));
    expect(mean).toBeCloseTo(100 * Number(all!.p), 9);
    for (const c of data.pAlive) {
      expect(c.pAlivePct).toBeGreaterThanOrEqual(0);
      expect(c.pAlivePct).toBeLessThanOrEqual(100);
    }
  });

  it('sBG survival curves per scope: all first, observed from 100%, fitted falling', () => {
    expect(data.survival.map((c) => c.scope)).toEqual(['all', 'plan=Basic', 'plan=Pro']);
    for (const curve of data.survival) {
      expect(curve.billingPeriod).toBe('month');
      expect(curve.points[0]).toMatchObject({ periodIndex: 0, observed: 1, projected: false });
      for (let i = 1; i < curve.points.length; i++)
        expect(curve.points[i]!.fitted!).toBeLessThan(curve.points[i - 1]!.fitted!);
      // Projected periods (beyond what was observed, up to the horizon) only after the observed ones.
      const firstProjected = curve.points.findIndex((p) => p.projected);
      if (firstProjected >= 0)
        expect(curve.points.slice(firstProjected).every((p) => p.projected)).toBe(true);
    }
  });

  it('backtest: the run 90 days before, ten deciles and the total', () => {
    const deciles = data.backtest.filter((r) => r.bucket === 'decile');
    expect(deciles.map((r) => r.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const total = data.backtest.find((r) => r.bucket === 'total')!;
    expect(total).toMatchObject({ predictedAsOf: EARLIER_AS_OF, lookbackDays: 90, days: 90 });
    expect(total.actualPurchases).toBeGreaterThan(0);
  });

  it('draws each chart only when its table has rows', () => {
    const ids = (d: ReportData) => reportSections(d, ctx).map((s) => s.id);
    expect(ids(data)).toEqual(
      expect.arrayContaining(['clv-tracking', 'clv-p-alive', 'clv-survival', 'clv-backtest']),
    );
    const tracking = reportSections(data, ctx).find((s) => s.id === 'clv-tracking')!;
    const series = tracking.charts[0]!.option.series as {
      data: number[];
      markLine?: { data: { xAxis: number }[] };
    }[];
    // The calibration | holdout line sits on the last week ending on or before 2026-08-21.
    const split = data.clvTracking!.weeks.filter((w) => w.end <= '2026-08-21').length - 1;
    expect(series[0]!.markLine!.data).toEqual([{ xAxis: split }]);
    expect(series[0]!.data.at(-1)).toBe(data.clvTracking!.weeks.at(-1)!.actual);
    const without = ids({ ...data, clvTracking: null, pAlive: [], survival: [], backtest: [] });
    expect(without.filter((id) => id.startsWith('clv-') && id !== 'clv-diagnostics')).toEqual([]);
    expect(without).toContain('clv-diagnostics');
  });
});
