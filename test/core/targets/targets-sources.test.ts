import { describe, expect, it } from 'vitest';
import type { TargetRecord } from '../../../core/records.ts';
import { DEFAULT_TARGETS_CONFIG, planTargets, type TargetSource } from '../../../core/targets/index.ts';
import { row, target } from './helpers.ts';

const config = DEFAULT_TARGETS_CONFIG;
const from = (exportId: string, record: TargetRecord): TargetRecord => ({ ...record, export_id: exportId });
const exports = new Map<string, TargetSource>([
  ['e-old', { file: 'targets/fy2026.csv', receivedAt: '2026-01-02T08:00:00.000Z' }],
  ['e-new', { file: 'targets/fy2027.csv', receivedAt: '2026-01-03T08:00:00.000Z' }],
]);
const plan = (targets: TargetRecord[], sources: ReadonlyMap<string, TargetSource> | undefined = exports) =>
  planTargets({ targets, actuals: [], config, asOf: '2026-01-05', ...(sources ? { exports: sources } : {}) });
const yearTarget = (rows: ReturnType<typeof plan>['rows'], scope: string) =>
  row(rows, scope, 'FY2026').original_target.toString();

describe('target errors name their own file', () => {
  it('two files with a bad row on the same line and scope: each error names its file', () => {
    const { errors } = plan([
      from('e-old', target('company', '1000', { line: 2 })),
      from('e-old', target('company', '-1', { metric: 'orders', line: 3 })),
      from('e-new', target('company', '2000', { fiscalYear: 2027, line: 2 })),
      from('e-new', target('company', '-2', { metric: 'orders', fiscalYear: 2027, line: 3 })),
    ]);
    expect(errors.map((e) => [e.export_id, e.source_line, e.code])).toEqual([
      ['e-old', 3, 'negative_target'],
      ['e-new', 3, 'negative_target'],
    ]);
    expect(errors[0]?.message).toMatch(/^targets\/fy2026\.csv: line 3: .*negative \(-1\)/);
    expect(errors[1]?.message).toMatch(/^targets\/fy2027\.csv: line 3: .*negative \(-2\)/);
  });

  it('keeps the row of the export received later, whatever the order read, and names both files', () => {
    const old = from('e-old', target('company', '1000000', { line: 2 }));
    const fresh = from('e-new', target('company', '1400000', { line: 7 }));
    for (const records of [
      [old, fresh],
      [fresh, old],
    ]) {
      const { rows, errors } = plan(records);
      expect(yearTarget(rows, 'company')).toBe('1400000');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'duplicate_target', export_id: 'e-old', source_line: 2 });
      expect(errors[0]?.message).toMatch(
        /^targets\/fy2026\.csv: line 2: revenue target for company in FY2026 is also given on targets\/fy2027\.csv line 7/,
      );
    }
  });

  it('without receipt times keeps the row read first, and names the other export', () => {
    const a = from('e-a', target('company', '1000', { line: 2 }));
    const b = from('e-b', target('company', '2000', { line: 2 }));
    const files = new Map<string, TargetSource>([
      ['e-a', { file: 'targets/a.csv' }],
      ['e-b', { file: 'targets/b.csv' }],
    ]);
    const { rows, errors } = plan([b, a], files);
    expect(yearTarget(rows, 'company')).toBe('2000');
    expect(errors[0]?.message).toMatch(/^targets\/a\.csv: line 2: .* also given on targets\/b\.csv line 2/);
    // Within one file the first line stays the one planned, as the file reads.
    const same = plan(
      [from('e-a', target('company', '1', { line: 2 })), from('e-a', target('company', '2', { line: 9 }))],
      files,
    );
    expect(yearTarget(same.rows, 'company')).toBe('1');
    expect(same.errors[0]?.message).toMatch(/^targets\/a\.csv: line 9: .*already given on line 2$/);
  });

  it('names the file of a margin without a revenue target too', () => {
    const { errors } = plan([from('e-new', target('company', '30', { metric: 'margin_pct', line: 4 }))]);
    expect(errors[0]).toMatchObject({ code: 'no_revenue_target', export_id: 'e-new' });
    expect(errors[0]?.message).toMatch(/^targets\/fy2027\.csv: line 4: /);
  });
});

describe('a share row whose amount disagrees', () => {
  it('plans the share and warns with the file, the line and both figures', () => {
    const { rows, warnings, errors } = plan([
      from('e-new', target('company', '1400000', { line: 2 })),
      from('e-new', target('team:A', '600000', { share: '0.5', line: 3 })),
      from('e-new', target('team:B', '700000.00', { share: '0.5', line: 4 })),
    ]);
    expect(errors).toEqual([]);
    expect(yearTarget(rows, 'team:A')).toBe('700000');
    const mine = warnings.filter((w) => w.startsWith('targets/'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/^targets\/fy2027\.csv: line 3: revenue target for team:A in FY2026/);
    expect(mine[0]).toMatch(/600000\.00/);
    expect(mine[0]).toMatch(/700000\.00/);
    expect(mine[0]).toMatch(/share 0\.5/);
  });

  it('compares exactly, at the largest remainder the plan uses, down a nested split', () => {
    const { warnings } = planTargets({
      targets: [
        target('company', '100.00', { line: 2 }),
        target('team:a', '33.33', { share: '0.333333', line: 3 }),
        target('team:b', '33.33', { share: '0.333333', line: 4 }),
        target('team:c', '33.34', { share: '0.333334', line: 5 }),
        target('rep:x', '16.67', { share: '0.5', line: 6 }),
        target('rep:y', '16.66', { share: '0.5', line: 7 }),
        target('rep:z', '33.331', { share: '1', line: 8 }),
        target('company', '101', { metric: 'orders', line: 9 }),
        target('team:a', '51', { metric: 'orders', share: '0.5', line: 10 }),
        target('team:b', '50.5', { metric: 'orders', share: '0.5', line: 11 }),
        // A zero amount beside a share is the "see share" the required column forces.
        target('company', '500', { metric: 'profit', line: 12 }),
        target('team:a', '0', { metric: 'profit', share: '1', line: 13 }),
      ],
      actuals: [],
      config,
      asOf: '2026-01-05',
      repTeams: { x: 'a', y: 'a', z: 'c' },
    });
    const mine = warnings.filter((w) => /^line \d+: /.test(w));
    expect(mine).toEqual([
      expect.stringMatching(/^line 8: revenue target for rep:z in FY2026: amount 33\.331 .*33\.34/),
      expect.stringMatching(/^line 11: orders target for team:b in FY2026: amount 50\.5 .*50\b/),
    ]);
  });
});
