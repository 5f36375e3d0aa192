import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import type { TargetRecord } from '../../../core/records.ts';
import { roundToTotal } from '../../../core/targets/actuals.ts';
import type { Period } from '../../../core/targets/fiscal-calendar.ts';
import {
  type ActualRow,
  DEFAULT_TARGETS_CONFIG,
  planTargets,
  type TargetSource,
  withTargetsDefaults,
} from '../../../core/targets/index.ts';
import { actual, expectTreeSums, row, rowsOf, target } from './helpers.ts';

const wholeYuan = withTargetsDefaults({ moneyScale: 0 });
const exports = new Map<string, TargetSource>([['e1', { file: 'targets/fy2026.csv' }]]);
const from = (record: TargetRecord): TargetRecord => ({ ...record, export_id: 'e1' });
/** Periods whose children carry actuals: half-days carry none without timed sales. */
const aboveDays = (periods: readonly Period[]) =>
  periods.filter((p) => p.level !== 'day' && p.level !== 'half_day');
/** `count` consecutive days from the first day of FY2026 (Monday 2025-12-29). */
const days = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => new Date(Date.UTC(2025, 11, 29 + i)).toISOString().slice(0, 10));

describe('a target amount finer than the money scale', () => {
  it('is an error naming its file and line, not a silently rounded target', () => {
    const { rows, errors } = planTargets({
      targets: [from(target('company', '1000.50', { line: 2 }))],
      actuals: [],
      config: wholeYuan,
      asOf: '2026-01-05',
      exports,
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'too_many_decimals', source_line: 2, export_id: 'e1' });
    expect(errors[0]?.message).toMatch(
      /^targets\/fy2026\.csv: line 2: revenue target for company in FY2026 is 1000\.5, finer than the 0 decimals/,
    );
    expect(rows).toEqual([]);
  });

  it('accepts trailing zeros, and checks cents at the default scale', () => {
    const fine = planTargets({
      targets: [target('company', '1000.00')],
      actuals: [],
      config: wholeYuan,
      asOf: '2026-01-05',
    });
    expect(fine.errors).toEqual([]);
    const cents = planTargets({
      targets: [target('company', '1000.505', { line: 3 }), target('company', '5.25', { metric: 'profit' })],
      actuals: [],
      config: DEFAULT_TARGETS_CONFIG,
      asOf: '2026-01-05',
    });
    expect(cents.errors.map((e) => [e.source_line, e.code])).toEqual([[3, 'too_many_decimals']]);
    expect(row(cents.rows, 'company', 'FY2026', 'profit').original_target.toString()).toBe('5.25');
  });

  it('leaves a share row alone: its amount is not what is planned', () => {
    const { errors, warnings } = planTargets({
      targets: [target('company', '1000'), target('team:a', '500.5', { share: '1' })],
      actuals: [],
      config: wholeYuan,
      asOf: '2026-01-05',
    });
    expect(errors).toEqual([]);
    expect(warnings.some((w) => /amount 500\.5 disagrees with share 1/.test(w))).toBe(true);
  });
});

describe('actuals at a coarse money scale', () => {
  const plan = (actuals: ActualRow[]) =>
    planTargets({ targets: [target('company', '1000')], actuals, config: wholeYuan, asOf: '2026-02-02' });

  it('rounds the year once and splits it down so every parent is the sum of its children', () => {
    const result = plan(days(26).map((d) => actual(d, '0.50')));
    expect(result.errors).toEqual([]);
    const year = row(result.rows, 'company', 'FY2026');
    expect(year.actual?.toString()).toBe('13');
    // The re-plan gap is the target less the actual: 987 spread over the open days.
    expect(year.target.toString()).toBe('1000');
    const [series] = [...result.series()];
    if (!series) throw new Error('no series');
    const { periods } = series.year.calendar;
    expectTreeSums(aboveDays(periods), series.actual);
    const dayActuals = rowsOf(result.rows, 'company')
      .filter((r) => r.level === 'day' && r.closed)
      .map((r) => r.actual?.toString());
    expect(dayActuals.filter((a) => a === '1')).toHaveLength(13);
    expect(dayActuals.filter((a) => a === '0')).toHaveLength(dayActuals.length - 13);
    // Each closed week's actual is its raw total (3.50, or 2.50 for the week of five sale days)
    // rounded down or up, never the sum of days rounded one by one.
    const saleDays = new Set(days(26));
    for (const week of rowsOf(result.rows, 'company').filter((r) => r.level === 'week' && r.closed)) {
      const inWeek = days(7 * 6).filter(
        (d) => saleDays.has(d) && d >= week.start_date && d <= week.end_date,
      ).length;
      const raw = money(inWeek).times('0.5');
      expect([raw.floor().toString(), raw.ceil().toString()]).toContain(week.actual?.toString());
    }
    const openTargets = series.target.reduce(
      (sum, units, i) =>
        periods[i]?.level === 'day' && (periods[i]?.end ?? 0) >= series.year.basis.asOf ? sum + units : sum,
      0n,
    );
    expect(openTargets).toBe(987n);
  });

  it('rounds a total of sales and returns exactly, whatever their signs', () => {
    const result = plan([
      actual('2025-12-29', '0.40'),
      actual('2025-12-30', '-0.30'),
      actual('2025-12-31', '0.45'),
      actual('2026-01-01', '-1.20'),
      actual('2026-01-12', '2.70'),
    ]);
    // 2.05 in all.
    expect(row(result.rows, 'company', 'FY2026').actual?.toString()).toBe('2');
    const [series] = [...result.series()];
    if (!series) throw new Error('no series');
    expectTreeSums(aboveDays(series.year.calendar.periods), series.actual);
  });

  it('keeps timed half-days adding up to their day', () => {
    const result = plan([
      { ...actual('2026-01-05', '0.50'), half: 'AM' },
      { ...actual('2026-01-05', '0.50'), half: 'PM' },
      { ...actual('2026-01-06', '0.50'), half: 'PM' },
      actual('2026-01-06', '0.25'),
    ]);
    const value = (id: string) => row(result.rows, 'company', id).actual?.toString();
    expect(value('FY2026')).toBe('2');
    expect(Number(value('2026-01-05-AM')) + Number(value('2026-01-05-PM'))).toBe(Number(value('2026-01-05')));
    expect(Number(value('2026-01-06-AM')) + Number(value('2026-01-06-PM'))).toBe(Number(value('2026-01-06')));
    expect(Number(value('2026-01-05')) + Number(value('2026-01-06'))).toBe(2);
  });
});

describe('roundToTotal', () => {
  it('gives each part its value rounded down or up, adding up to the rounded total, whatever the signs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -100_000n, max: 100_000n }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom(1n, 10n, 100n, 1000n),
        (exact, unit) => {
          const sum = exact.reduce((a, b) => a + b, 0n);
          // Half-even, as the year's total is rounded.
          const floor = sum / unit - (sum % unit < 0n ? 1n : 0n);
          const twice = 2n * (sum - floor * unit);
          const total = twice > unit || (twice === unit && floor % 2n !== 0n) ? floor + 1n : floor;
          const parts = roundToTotal(total, exact, unit);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          parts.forEach((part, i) => {
            const value = exact[i] as bigint;
            expect(part * unit <= value + unit - 1n && part * unit >= value - unit + 1n).toBe(true);
          });
        },
      ),
    );
  });

  it('refuses a total more than a unit away from the values', () => {
    expect(() => roundToTotal(3n, [50n, 50n], 100n)).toThrow(RangeError);
  });
});

describe('shares of one parent from different ranks', () => {
  const plan = (targets: TargetRecord[]) =>
    planTargets({ targets, actuals: [], config: DEFAULT_TARGETS_CONFIG, asOf: '2026-01-05' });
  const yearOf = (rows: ReturnType<typeof plan>['rows'], scope: string) =>
    row(rows, scope, 'FY2026').original_target.toString();

  it('splits the company among its teams and its team-less reps as one set', () => {
    const { rows, errors } = plan([
      target('company', '1000'),
      target('team:a', 0, { share: '0.3' }),
      target('team:b', 0, { share: '0.3' }),
      target('rep:x', 0, { share: '0.4' }),
    ]);
    expect(errors).toEqual([]);
    expect(yearOf(rows, 'team:a')).toBe('300');
    expect(yearOf(rows, 'team:b')).toBe('300');
    expect(yearOf(rows, 'rep:x')).toBe('400');
  });

  it('refuses teams and team-less reps whose shares add up to 1 each but 2 together, naming every row', () => {
    const { rows, errors } = plan([
      target('company', '1000', { line: 2 }),
      target('team:a', 0, { share: '0.5', line: 3 }),
      target('team:b', 0, { share: '0.5', line: 4 }),
      target('rep:x', 0, { share: '1', line: 5 }),
    ]);
    expect(errors.map((e) => [e.source_line, e.code])).toEqual([
      [3, 'shares_not_one'],
      [4, 'shares_not_one'],
      [5, 'shares_not_one'],
    ]);
    for (const e of errors) expect(e.message).toMatch(/\(lines 3, 4, 5\) add up to 2, not 1/);
    expect(new Set(rows.map((r) => r.scope))).toEqual(new Set(['company']));
  });

  it('still splits a team among its own reps, apart from the company', () => {
    const { rows, errors } = planTargets({
      targets: [
        target('company', '1000'),
        target('team:a', 0, { share: '0.6' }),
        target('rep:x', 0, { share: '0.4' }),
        target('rep:y', 0, { share: '1' }),
      ],
      actuals: [],
      config: DEFAULT_TARGETS_CONFIG,
      asOf: '2026-01-05',
      repTeams: { y: 'a' },
    });
    expect(errors).toEqual([]);
    expect(yearOf(rows, 'team:a')).toBe('600');
    expect(yearOf(rows, 'rep:x')).toBe('400');
    expect(yearOf(rows, 'rep:y')).toBe('600');
  });
});
