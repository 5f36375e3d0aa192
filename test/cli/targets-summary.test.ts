import { describe, expect, it } from 'vitest';
import { targetsSummaryText } from '../../functions/cli/targets-summary.ts';
import type { QueryResult } from '../../functions/shared/sql-runner.ts';

const SUMMARY = {
  as_of: '2026-11-23',
  week: '2026-W48',
  rows: 412,
  errors: ['targets.csv line 7: rep:r9 is not on the roster'],
  warnings: ['2027 holidays are not published yet: planned on the statutory rules'],
};

const COLUMNS = ['scope', 'metric', 'period_id', 'original_target', 'target', 'actual', 'attainment_pct'];

const WEEK: QueryResult = {
  columns: COLUMNS,
  types: [],
  rows: [
    {
      scope: 'company',
      metric: 'revenue',
      period_id: '2026-W48',
      original_target: '120000.00',
      target: '125000.00',
      actual: '30000.00',
      attainment_pct: '24.0',
    },
  ],
};

const NO_WEEK: QueryResult = { columns: COLUMNS, types: [], rows: [] };

describe('the cval targets summary', () => {
  it('reads in English as it always has', () => {
    expect(targetsSummaryText(SUMMARY, WEEK, 'en').split('\n')).toEqual([
      'targets re-planned as of 2026-11-23 (2026-W48): 412 rows',
      '',
      'scope    metric   period_id  original_target     target    actual  attainment_pct',
      '-------  -------  ---------  ---------------  ---------  --------  --------------',
      'company  revenue  2026-W48         120000.00  125000.00  30000.00            24.0',
      '! targets.csv line 7: rep:r9 is not on the roster',
      'note: 2027 holidays are not published yet: planned on the statutory rules',
    ]);
    expect(targetsSummaryText(SUMMARY, NO_WEEK, 'en')).toContain('\nno targets cover this week\n');
  });

  it('reads in Chinese when the locale is zh-CN, the job’s own messages kept as written', () => {
    const text = targetsSummaryText(SUMMARY, WEEK, 'zh-CN');
    expect(text).toMatch(/^目标已于 2026-11-23 重新规划（2026-W48）：共 412 行\n/);
    const header = text.split('\n')[2] as string;
    for (const label of ['范围', '指标', '期间', '原始目标', '重新规划目标', '实际', '达成率（%）'])
      expect(header).toContain(label);
    expect(header).not.toMatch(/[a-z]/);
    expect(text).toMatch(/company\s+revenue\s+2026-W48\s+120000\.00\s+125000\.00\s+30000\.00\s+24\.0/);
    expect(text).toContain('! targets.csv line 7: rep:r9 is not on the roster');
    expect(text).toContain('提示：2027 holidays are not published yet');
    expect(text).not.toContain('note:');
    expect(targetsSummaryText(SUMMARY, NO_WEEK, 'zh-CN')).toContain('\n本周没有目标\n');
  });
});
