import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import { resultTable } from '../../../core/tables.ts';
import {
  type ActualRow,
  DEFAULT_TARGETS_CONFIG,
  planTargets,
  withTargetsDefaults,
} from '../../../core/targets/index.ts';
import { row, rowsOf, target } from './helpers.ts';

const config = DEFAULT_TARGETS_CONFIG;
const plan = (targets: ReturnType<typeof target>[], actuals: ActualRow[] = [], asOf = '2026-01-05') =>
  planTargets({ targets, actuals, config, asOf });

const actual = (
  date: string,
  value: string,
  team: string | null = null,
  rep_id: string | null = null,
): ActualRow => ({
  date,
  metric: 'revenue',
  value: money(value),
  team,
  rep_id,
});

describe('planTargets rows', () => {
  it('has exactly the columns of the targets table', () => {
    const { rows } = plan([target('company', 1000)]);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(
      resultTable('targets')
        .columns.map((c) => c.name)
        .sort(),
    );
    expect(rows[0]).toMatchObject({
      fiscal_year: 2026,
      scope: 'company',
      level: 'year',
      period_id: 'FY2026',
    });
    expect(rows[0]?.start_date).toBe('2025-12-29');
    expect(rows.map((r) => r.level)).toEqual(
      expect.arrayContaining(['quarter', 'month', 'week', 'day', 'half_day']),
    );
    expect(row(rows, 'company', '2026-01-05-AM')).toMatchObject({ level: 'half_day', iso_week: '2026-W02' });
  });

  it('splits the company among teams and reps so that every period adds up in both directions', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc
          .array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 4 })
          .filter((w) => w.some((x) => x > 0)),
        fc.constantFrom('revenue' as const, 'orders' as const),
        (cents, weights, metric) => {
          const total = weights.reduce((a, b) => a + b, 0);
          // Shares that add up to exactly 1: all but the last rounded, the last takes the rest.
          const shares = weights.map((w) => money(w).dividedBy(total).toDecimalPlaces(6));
          shares[shares.length - 1] = money(1).minus(
            shares.slice(0, -1).reduce((a, b) => a.plus(b), money(0)),
          );
          const amount =
            metric === 'orders' ? cents.toString() : money(cents.toString()).dividedBy(100).toString();
          const records = [
            target('company', amount, { metric }),
            ...shares.map((share, i) => target(`team:t${i}`, 0, { metric, share: share.toString() })),
            target('rep:a', 0, { metric, share: '0.3' }),
            target('rep:b', 0, { metric, share: '0.7' }),
          ];
          const { rows, errors } = planTargets({
            targets: records,
            actuals: [],
            config,
            asOf: '2025-12-01',
            repTeams: { a: 't0', b: 't0' },
          });
          expect(errors).toEqual([]);
          const byPeriod = new Map<string, Map<string, bigint>>();
          for (const r of rows) {
            const m = byPeriod.get(r.period_id) ?? new Map<string, bigint>();
            m.set(r.scope, BigInt(r.original_target.times(metric === 'orders' ? 1 : 100).toFixed(0)));
            byPeriod.set(r.period_id, m);
            if (metric === 'orders') expect(r.original_target.isInteger()).toBe(true);
            expect(r.original_target.isNegative()).toBe(false);
          }
          for (const [, scopes] of byPeriod) {
            const teams = shares.reduce((acc, _, i) => acc + (scopes.get(`team:t${i}`) as bigint), 0n);
            expect(teams).toBe(scopes.get('company'));
            expect((scopes.get('rep:a') as bigint) + (scopes.get('rep:b') as bigint)).toBe(
              scopes.get('team:t0'),
            );
          }
          expect(row(rows, 'company', 'FY2026', metric).original_target.toString()).toBe(
            money(amount).toString(),
          );
        },
      ),
      { numRuns: 12 },
    );
  });

  it('re-plans from actuals: closed weeks keep actuals, the gap goes to the rest, attainment and forecast', () => {
    // FY2026 starts Mon 2025-12-29. As of Mon 2026-01-12, weeks 1 and 2 are closed.
    const { rows } = plan(
      [target('company', '248000'), target('team:north', 0, { share: 1 })],
      [
        actual('2025-12-30', '3000', 'north'),
        actual('2026-01-06', '2500', 'north'),
        actual('2026-01-12', '999'),
      ],
      '2026-01-12',
    );
    const w1 = row(rows, 'company', 'FY2026-W01');
    const w2 = row(rows, 'company', 'FY2026-W02');
    expect(w1.closed).toBe(true);
    expect(w1.target.toString()).toBe('3000');
    expect(w2.target.toString()).toBe('2500');
    expect(w2.actual?.toString()).toBe('2500');
    const year = row(rows, 'company', 'FY2026');
    expect(year.target.toString()).toBe('248000');
    expect(year.actual?.toString()).toBe('5500'); // the run date's own sales are not closed yet
    const week3 = row(rows, 'company', 'FY2026-W03');
    expect(week3.closed).toBe(false);
    expect(week3.attainment_pct).toBeNull(); // not started
    expect(week3.target.greaterThan(week3.original_target)).toBe(true);
    // Attainment is against the original target (a closed week's re-planned target is its actual).
    expect(w1.attainment_pct?.toString()).toBe(
      money(300000).dividedBy(w1.original_target).toDecimalPlaces(6).toString(),
    );
    expect(w1.attainment_pct?.lessThan(100)).toBe(true);
    // Run rate: 5500 over 9 working days elapsed (Dec 29-31, make-up Sunday Jan 4, Jan 5-9); W03 has 5.
    expect(week3.forecast?.toString()).toBe(money(5500).dividedBy(9).times(5).toDecimalPlaces(2).toString());
    expect(row(rows, 'team:north', 'FY2026-W01').actual?.toString()).toBe('3000');
    expect(row(rows, 'company', '2026-01-05-AM').actual).toBeNull();
  });

  it('never plans a negative remainder unless configured', () => {
    const over = [actual('2026-01-05', '5000')];
    const strict = plan([target('company', '1000')], over, '2026-02-02');
    expect(row(strict.rows, 'company', 'FY2026-W10').target.toString()).toBe('0');
    expect(row(strict.rows, 'company', 'FY2026').target.toString()).toBe('5000');
    const loose = planTargets({
      targets: [target('company', '1000')],
      actuals: over,
      config: withTargetsDefaults({ allowNegative: true }),
      asOf: '2026-02-02',
    });
    expect(row(loose.rows, 'company', 'FY2026').target.toString()).toBe('1000');
    expect(row(loose.rows, 'company', 'FY2026-W10').target.isNegative()).toBe(true);
  });

  it("phases by the previous fiscal year's actuals when asked", () => {
    const lastYear = [actual('2025-03-03', '100'), actual('2025-12-01', '300')]; // FY2025 M03 and M12
    const { rows, warnings } = planTargets({
      targets: [target('company', '4000')],
      actuals: lastYear,
      config: withTargetsDefaults({ phasing: { kind: 'last_year' } }),
      asOf: '2025-12-29',
    });
    // FY2025 has 52 weeks and FY2026 53: last year is restated week by week, and the run says so.
    expect(warnings).toEqual([
      expect.stringMatching(/^FY2026: 2027 planned on China's statutory holidays by rule/),
      expect.stringMatching(/FY2026 has 53 weeks and FY2025 52: .*restated/),
    ]);
    expect(row(rows, 'company', 'FY2026-M03').original_target.toString()).toBe('1000');
    expect(row(rows, 'company', 'FY2026-M12').original_target.toString()).toBe('3000');
    expect(row(rows, 'company', 'FY2026-M01').original_target.toString()).toBe('0');
  });
});

describe('planTargets errors name the export line', () => {
  it('reports each problem and still plans the rest', () => {
    const records = [
      target('company', '1000', { line: 2 }),
      target('company', '500', { fiscalYear: 2030, line: 3 }),
      target('team:a', 0, { share: '0.5', line: 4 }),
      target('team:b', 0, { share: '0.4', line: 5 }),
      target('company', '-5', { metric: 'profit', line: 6 }),
      target('region:east', '10', { line: 7 }),
      target('rep:9', 0, { metric: 'orders', share: '1', line: 8 }),
      target('company', '10.5', { metric: 'orders', line: 9 }),
      target('company', '2000', { line: 10 }),
      target('team:c', 0, { share: '1.5', line: 11 }),
    ];
    const { rows, errors, warnings } = plan(records);
    const byLine = Object.fromEntries(errors.map((e) => [e.source_line, e.code]));
    expect(byLine).toEqual({
      4: 'shares_not_one',
      5: 'shares_not_one',
      6: 'negative_target',
      7: 'unknown_scope',
      8: 'missing_parent',
      9: 'not_whole',
      10: 'duplicate_target',
      11: 'invalid_share',
    });
    for (const e of errors) expect(e.message).toMatch(new RegExp(`^line ${e.source_line}: `));
    // 2030 is not published yet: planned on the statutory holidays by rule, with a warning.
    expect(warnings).toEqual([
      expect.stringMatching(/^FY2026: 2027 planned on China's statutory holidays by rule/),
      expect.stringMatching(/^FY2030: 2029 and 2030 planned on China's statutory holidays by rule/),
    ]);
    expect(errors.find((e) => e.source_line === 4)?.message).toMatch(/lines 4, 5\) add up to 0\.9, not 1/);
    expect(errors.find((e) => e.source_line === 10)?.message).toMatch(/already given on line 2/);
    expect(new Set(rows.map((r) => r.scope))).toEqual(new Set(['company']));
  });

  it('refuses a configuration it cannot build a calendar from', () => {
    expect(() =>
      planTargets({
        targets: [],
        actuals: [],
        config: withTargetsDefaults({ calendar: { pattern: 'calendar_months' } }),
        asOf: '2026-01-01',
      }),
    ).toThrow(/needs a 4-4-5/);
    expect(() => planTargets({ targets: [], actuals: [], config, asOf: '2026-1-1' })).toThrow(/asOf/);
  });

  it('plans a list-based country calendar for the years it covers', () => {
    const custom = withTargetsDefaults({
      calendar: { yearRule: { kind: 'calendar_year' }, pattern: 'calendar_months' },
      workingDays: {
        holidays: { kind: 'list', holidays: ['2026-12-25'], makeUpWorkdays: [], coveredYears: [2026] },
      },
    });
    const { rows, errors } = planTargets({
      targets: [
        target('company', '261', { metric: 'new_customers' }),
        target('company', '1', { fiscalYear: 2027 }),
      ],
      actuals: [],
      config: custom,
      asOf: '2026-01-01',
    });
    expect(errors.map((e) => e.code)).toEqual(['no_calendar']);
    expect(row(rows, 'company', '2026-12-25', 'new_customers').original_target.toString()).toBe('0');
    expect(rowsOf(rows, 'company', 'new_customers').filter((r) => r.level === 'month')).toHaveLength(12);
  });
});
