import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../functions/cli/format-table.ts';
import { type Headline, headline, printHeadline, rowsThatCount } from '../../functions/cli/run-summary.ts';
import type { QueryResult, SqlRunner } from '../../functions/shared/sql-runner.ts';

const HEADLINE: Headline = {
  as_of: '2026-11-20',
  exports: { loaded: 10, rejected: 1 },
  rows_curated: 6364,
  rows_quarantined: 1,
  customers: 240,
  revenue: '5204553.52',
  profit: '2202665.06',
  top_20pct_profit_share_pct: '82.890509',
  most_profitable_cohorts: [
    { cohort: '2024-03', customers: 6, profit: '205757.90', per_customer: '34292.98' },
  ],
  least_profitable_cohorts: [
    { cohort: '2025-10', customers: 2, profit: '-1364.67', per_customer: '-682.34' },
  ],
  service_roi: { month: '2026-11', roi_pct: '33.712345' },
};

describe('the run summary', () => {
  it('reads in English with amounts in the configured currency', () => {
    const text = printHeadline(HEADLINE, [], { locale: 'en', currency: 'CNY' });
    expect(text).toMatch(/^customer-value run as of 2026-11-20\n/);
    expect(text).toMatch(/exports\s+10 loaded, 1 rejected/);
    expect(text).toMatch(/revenue\s+CN¥5,204,553\.52/);
    expect(text).toMatch(/profit from top 20% of customers\s+82\.9%/);
    expect(text).toMatch(/service-centre ROI 2026-11\s+33\.7%/);
    expect(text).toMatch(/2025-10\s+2\s+-CN¥1,364\.67\s+-CN¥682\.34/);
  });

  it('reads in Chinese when the locale is zh-CN', () => {
    const text = printHeadline(HEADLINE, [], { locale: 'zh-CN', currency: 'CNY' });
    expect(text).toMatch(/截至 2026-11-20/);
    expect(text).toMatch(/客户数\s+240/);
    expect(text).toMatch(/¥5,204,553\.52/);
    expect(text).toContain('最赚钱的客户群');
  });

  it('aligns numbers and amounts to the right, CJK text by its display width', () => {
    const table = formatTable(
      ['名称', 'amount'],
      [
        { 名称: '企业客户', amount: 'CN¥1.00' },
        { 名称: 'a', amount: 'CN¥100.00' },
      ],
    );
    expect(table.split('\n')).toEqual([
      '名称         amount',
      '--------  ---------',
      '企业客户    CN¥1.00',
      'a         CN¥100.00',
    ]);
  });
});

/** A lake whose exports table answers with `byStatus` and whose result tables are empty. */
function lakeWithExports(byStatus: Record<string, unknown>[]): SqlRunner {
  return {
    async query(sql: string): Promise<QueryResult> {
      const rows = /FROM exports/.test(sql) ? byStatus : [];
      return { columns: Object.keys(rows[0] ?? {}), types: [], rows };
    },
  };
}

const run = { run: { as_of: '2026-11-20' } } as Parameters<typeof headline>[1];

describe('the headline row counts', () => {
  it('count only the rows of exports that are loaded now, not withdrawn or rejected ones (issue #19)', async () => {
    const h = await headline(
      lakeWithExports([
        { status: 'loaded', n: 10, curated: 6364, quarantined: 1 },
        { status: 'rejected', n: 1, curated: 120, quarantined: 80 },
        { status: 'withdrawn', n: 2, curated: 900, quarantined: 3 },
      ]),
      run,
    );
    expect(h).toMatchObject({
      exports: { loaded: 10, rejected: 1, withdrawn: 2 },
      rows_curated: 6364,
      rows_quarantined: 1,
    });
  });

  it('are the loaded counts whatever other statuses the exports table holds', () => {
    const status = fc.constantFrom('loaded', 'rejected', 'blocked', 'withdrawn', 'replaced', 'superseded');
    const group = fc.record({ status, curated: fc.nat(10_000_000), quarantined: fc.nat(1000) });
    fc.assert(
      fc.property(fc.uniqueArray(group, { selector: (g) => g.status }), (groups) => {
        const loaded = groups.find((g) => g.status === 'loaded');
        expect(rowsThatCount(groups)).toEqual({
          rows_curated: loaded?.curated ?? 0,
          rows_quarantined: loaded?.quarantined ?? 0,
        });
      }),
    );
  });
});
