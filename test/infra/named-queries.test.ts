import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMED_QUERIES } from '../../core/named-queries.ts';
import { RESULT_TABLES, resultTable } from '../../core/tables.ts';
import { DUCKDB_TYPE, LakeSql } from '../../functions/local/lake-sql.ts';

type Row = Record<string, string | number | boolean | null>;

const literal = (value: Row[string]): string =>
  value === null ? 'NULL' : typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);

/** Writes rows of a result table as Parquet in the lake layout, typed as core/tables.ts says. */
async function writeRun(lakeDir: string, tableName: string, asOf: string, rows: Row[]): Promise<void> {
  const table = resultTable(tableName);
  // Current-state tables (exports, rejects) have one folder, rewritten by every run.
  const file = table.partitionKey
    ? join(lakeDir, table.prefix, `as_of=${asOf}`, 'part-0.parquet')
    : join(lakeDir, table.prefix, 'part-0.parquet');
  mkdirSync(dirname(file), { recursive: true });
  const select = rows
    .map(
      (row) =>
        `SELECT ${table.columns.map((c) => `CAST(${literal(row[c.name] ?? null)} AS ${DUCKDB_TYPE[c.type]}) AS "${c.name}"`).join(', ')}`,
    )
    .join(' UNION ALL ');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  connection.closeSync();
}

describe('named queries (the SQL Athena and DuckDB both run)', () => {
  it('have unique, valid Athena names and descriptions', () => {
    const names = NAMED_QUERIES.map((q) => q.name);
    expect(new Set(names).size).toBe(names.length);
    for (const query of NAMED_QUERIES) {
      expect(query.name).toMatch(/^[a-z][a-z0-9_]{2,127}$/);
      expect(query.description.length).toBeGreaterThan(10);
      expect(query.description.length).toBeLessThanOrEqual(1024);
    }
    expect(NAMED_QUERIES.length).toBeGreaterThanOrEqual(6);
  });

  it('avoid engine-specific syntax and always read the latest run', () => {
    const dated = new Set(RESULT_TABLES.filter((t) => t.partitionKey).map((t) => t.name));
    for (const { name, sql } of NAMED_QUERIES) {
      // Backticks (Hive/Athena DDL), :: casts, ILIKE, QUALIFY, struct/list literals: DuckDB-only or Athena-only.
      expect(sql, name).not.toMatch(
        /`|::|\bILIKE\b|\bQUALIFY\b|\bEXCLUDE\b|\bstrftime\b|\bdate_format\b|\{|\[/i,
      );
      const tablesRead = [...sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)/gi)].map((m) => m[1] as string);
      if (tablesRead.some((table) => dated.has(table)))
        expect(sql, name).toMatch(/as_of = \(SELECT max\(as_of\) FROM [a-z_]+\)/);
    }
  });

  describe('on a local lake with two runs', () => {
    let lakeDir: string;
    let lake: LakeSql;
    const run = async (name: string) => {
      const query = NAMED_QUERIES.find((q) => q.name === name);
      if (!query) throw new Error(`no named query ${name}`);
      return (await lake.query(query.sql)).rows;
    };

    beforeAll(async () => {
      lakeDir = mkdtempSync(join(tmpdir(), 'cval-queries-'));
      for (const [asOf, scale] of [
        ['2026-02-02', 1],
        ['2026-02-09', 2],
      ] as const) {
        await writeRun(lakeDir, 'cohort_metrics', asOf, [
          {
            cohort_dimension: 'acquisition_month',
            cohort: '2025-01',
            customers: 10,
            profit: `${100 * scale}.00`,
            profit_per_customer: `${10 * scale}.00`,
          },
          {
            cohort_dimension: 'acquisition_month',
            cohort: '2025-02',
            customers: 5,
            profit: '-50.00',
            profit_per_customer: '-10.00',
          },
        ]);
        await writeRun(lakeDir, 'whale_curve', asOf, [
          {
            customer_rank_pct: '50.000000',
            customers: 1,
            cumulative_profit: '150.00',
            cumulative_profit_pct: '150.000000',
          },
          {
            customer_rank_pct: '100.000000',
            customers: 2,
            cumulative_profit: '100.00',
            cumulative_profit_pct: '100.000000',
          },
        ]);
        await writeRun(lakeDir, 'customer_metrics', asOf, [
          {
            customer_id: 'C1',
            segment: 'vip',
            churned: false,
            revenue: '300.00',
            profit: '150.00',
            clv_formula: '1000.00',
            clv_predicted: '900.00',
            p_alive: 0.9,
          },
          {
            customer_id: 'C2',
            segment: 'vip',
            churned: true,
            revenue: '100.00',
            profit: '-50.00',
            clv_formula: '500.00',
            clv_predicted: '100.00',
            p_alive: 0.1,
          },
          {
            customer_id: 'C3',
            segment: null,
            churned: false,
            revenue: '10.00',
            profit: '5.00',
            clv_formula: '20.00',
            clv_predicted: '30.00',
            p_alive: 0.5,
          },
          {
            // A segment that is the text "(none)": its own row, not summed with C3's missing one.
            customer_id: 'C4',
            segment: '(none)',
            churned: false,
            revenue: '5.00',
            profit: '1.00',
            clv_formula: '2.00',
            clv_predicted: '3.00',
            p_alive: 0.4,
          },
          // Averages on a half cent: 1.005 and -1.005, which Athena rounds away from zero.
          ...(
            [
              ['C5', '1.00', '-1.00'],
              ['C6', '1.01', '-1.01'],
            ] as const
          ).map(([customer_id, clv_formula, clv_predicted]) => ({
            customer_id,
            segment: 'half',
            churned: false,
            revenue: '0.00',
            profit: '0.00',
            clv_formula,
            clv_predicted,
            p_alive: 0.5,
          })),
        ]);
        await writeRun(lakeDir, 'service_roi', asOf, [
          {
            month: '2026-01',
            loyal_customers: 40,
            disloyal_customers: 5,
            net_benefit: '700.00',
            net_cost: '100.00',
            roi_pct: '600.000000',
          },
        ]);
        await writeRun(lakeDir, 'targets', asOf, [
          // The week of the run (as_of) and the week before, for a team, a rep and the company.
          ...['team:north', 'rep:alice', 'company'].flatMap((scope) => [
            {
              scope,
              metric: 'revenue',
              level: 'week',
              period_id: 'FY2026-W06',
              start_date: '2026-02-02',
              end_date: '2026-02-08',
              target: '100.00',
              actual: '90.00',
              attainment_pct: '90.000000',
            },
            {
              scope,
              metric: 'revenue',
              level: 'week',
              period_id: 'FY2026-W07',
              start_date: '2026-02-09',
              end_date: '2026-02-15',
              target: '100.00',
              actual: '20.00',
              attainment_pct: '20.000000',
            },
            {
              scope,
              metric: 'revenue',
              level: 'month',
              period_id: 'FY2026-M02',
              start_date: '2026-02-01',
              end_date: '2026-02-28',
              target: '400.00',
              actual: '110.00',
              attainment_pct: '27.500000',
            },
          ]),
        ]);
        await writeRun(lakeDir, 'exports', asOf, [
          {
            export_id: 'e1',
            kind: 'transactions',
            s3_key: 'transactions/jan.csv',
            status: 'loaded',
            rows_in: 4,
            rows_curated: 2,
            rows_quarantined: 2,
          },
          {
            export_id: 'e2',
            kind: 'customers',
            s3_key: 'customers/all.csv',
            status: 'loaded',
            rows_in: 3,
            rows_curated: 3,
            rows_quarantined: 0,
          },
        ]);
        await writeRun(lakeDir, 'rejects', asOf, [
          { export_id: 'e1', kind: 'transactions', line: 3, column: 'order_date', reason: 'not a date' },
          { export_id: 'e1', kind: 'transactions', line: 5, column: 'revenue', reason: 'not an amount' },
        ]);
      }
      lake = await LakeSql.open(lakeDir);
    });
    afterAll(() => {
      lake?.close();
      rmSync(lakeDir, { recursive: true, force: true });
    });

    it('every query runs', async () => {
      for (const query of NAMED_QUERIES)
        await expect(lake.query(query.sql), query.name).resolves.toBeDefined();
    });

    it('ranks cohorts by profit per customer in the latest run', async () => {
      const best = await run('most_profitable_cohorts');
      expect(best.map((r) => [r.cohort, r.profit_per_customer])).toEqual([
        ['2025-01', '20.00'],
        ['2025-02', '-10.00'],
      ]);
      const worst = await run('least_profitable_cohorts');
      expect(worst[0]).toMatchObject({ cohort: '2025-02', profit: '-50.00' });
    });

    it('reads the whale curve of the latest run in rank order', async () => {
      expect((await run('whale_curve')).map((r) => r.customer_rank_pct)).toEqual(['50.000000', '100.000000']);
    });

    it('sums CLV by segment, customers without a segment in a row of their own (NULL), apart from a segment named (none)', async () => {
      const rows = await run('clv_by_segment');
      expect(rows).toHaveLength(4);
      expect(rows[0]).toMatchObject({
        segment: 'vip',
        customers: 2,
        active_customers: 1,
        profit: '100.00',
        avg_clv_formula: '750.00',
        avg_clv_predicted: '500.00',
        total_clv_predicted: '1000.00',
      });
      expect(rows[1]).toMatchObject({ segment: null, customers: 1, total_clv_predicted: '30.00' });
      expect(rows[2]).toMatchObject({ segment: '(none)', customers: 1, total_clv_predicted: '3.00' });
      expect(rows[3]).toMatchObject({
        segment: 'half',
        avg_clv_formula: '1.01',
        avg_clv_predicted: '-1.01',
        total_clv_predicted: '-2.01',
      });
    });

    it('lists service ROI by month', async () => {
      expect(await run('service_roi_by_month')).toEqual([
        expect.objectContaining({ month: '2026-01', loyal_customers: 40, roi_pct: '600.000000' }),
      ]);
    });

    it("shows this week's attainment for teams and reps only", async () => {
      const rows = await run('week_target_attainment_by_team_and_rep');
      expect(rows.map((r) => [r.scope_kind, r.scope, r.period_id, r.attainment_pct])).toEqual([
        ['team', 'team:north', 'FY2026-W07', '20.000000'],
        ['rep', 'rep:alice', 'FY2026-W07', '20.000000'],
      ]);
    });

    it('lists exports with rejected rows, each export once however many runs there were', async () => {
      expect(await run('exports_with_rejected_rows')).toEqual([
        expect.objectContaining({
          export_id: 'e1',
          rejected_rows: 2,
          columns_at_fault: 2,
          rows_quarantined: 2,
        }),
      ]);
    });
  });

  it('every query binds to the empty views of a fresh lake (column names exist)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cval-queries-empty-'));
    const lake = await LakeSql.open(empty);
    try {
      for (const query of NAMED_QUERIES) {
        expect((await lake.query(query.sql)).rows, query.name).toEqual([]);
      }
    } finally {
      lake.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('only query tables that exist', () => {
    const known = new Set(RESULT_TABLES.map((t) => t.name));
    for (const { name, sql } of NAMED_QUERIES) {
      for (const match of sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)/g))
        expect(known, name).toContain(match[1]);
    }
  });
});
