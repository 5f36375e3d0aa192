import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import { splitOverTime } from '../../../core/targets/breakdown.ts';
import { DEFAULT_TARGETS_CONFIG, type Phasing } from '../../../core/targets/config.ts';
import { buildFiscalYearCalendar } from '../../../core/targets/fiscal-calendar.ts';
import { phasingWeights } from '../../../core/targets/phasing.ts';
import { buildWorkingDayCalendar } from '../../../core/targets/working-days.ts';
import { expectTreeSums } from './helpers.ts';

const working = buildWorkingDayCalendar(DEFAULT_TARGETS_CONFIG.workingDays);
const calendar = buildFiscalYearCalendar(2026, DEFAULT_TARGETS_CONFIG.calendar, (d) =>
  working.isWorkingDay(d),
);
const { periods } = calendar;
const byId = (id: string) => periods.find((p) => p.id === id)?.index as number;

const phasingArb: fc.Arbitrary<Phasing> = fc.oneof(
  fc.constant<Phasing>({ kind: 'working_days' }),
  fc
    .array(fc.integer({ min: 0, max: 1000 }), { minLength: 4, maxLength: 4 })
    .filter((w) => w.some((x) => x > 0))
    .map((weights): Phasing => ({ kind: 'quarters', weights })),
  fc
    .array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 12, maxLength: 12 })
    .filter((w) => w.some((x) => x > 0))
    .map((weights): Phasing => ({ kind: 'months', weights: weights.map(String) })),
);

describe('splitting a year over time', () => {
  it('makes every set of children add up exactly to its parent, never negative', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 13n }), phasingArb, (total, phasing) => {
        const { childWeights } = phasingWeights(calendar, working, phasing, undefined, 'test');
        const values = splitOverTime(total, periods, childWeights);
        expect(values[0]).toBe(total);
        expectTreeSums(periods, values);
        expect(values.every((v) => v >= 0n)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('follows quarter seasonality and gives holidays nothing', () => {
    const { childWeights } = phasingWeights(
      calendar,
      working,
      { kind: 'quarters', weights: [1, 2, 3, 4] },
      undefined,
      't',
    );
    const values = splitOverTime(100_000_000n, periods, childWeights);
    expect(['FY2026-Q1', 'FY2026-Q2', 'FY2026-Q3', 'FY2026-Q4'].map((id) => values[byId(id)])).toEqual([
      10_000_000n,
      20_000_000n,
      30_000_000n,
      40_000_000n,
    ]);
    // Spring Festival 2026: Feb 15-23 off, so ISO week 8 (Feb 16-22) has no working day.
    expect(values[byId('FY2026-W08')]).toBe(0n);
    expect(values[byId('2026-02-18')]).toBe(0n);
    expect(values[byId('2026-02-14')]).toBeGreaterThan(0n); // make-up Saturday
    expect(values[byId('2026-02-07')]).toBe(0n); // ordinary Saturday
    // Half-days: 50/50 of the day.
    const day = values[byId('2026-03-03')] as bigint;
    expect(values[byId('2026-03-03-AM')]).toBe(day - day / 2n);
    expect(values[byId('2026-03-03-PM')]).toBe(day / 2n);
  });

  it('keeps whole counts whole: 1001 orders over 248 working days', () => {
    const { childWeights } = phasingWeights(calendar, working, { kind: 'working_days' }, undefined, 't');
    const values = splitOverTime(1001n, periods, childWeights);
    expectTreeSums(periods, values);
    const days = periods.filter((p) => p.level === 'day').map((p) => values[p.index] as bigint);
    expect(days.reduce((a, b) => a + b, 0n)).toBe(1001n);
  });

  it("phases by last year's months and quarters", () => {
    const months = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [
        `FY2025-M${String(i + 1).padStart(2, '0')}`,
        i === 11 ? '2' : '1',
      ]),
    );
    const byMonths = phasingWeights(calendar, working, { kind: 'last_year' }, months, 't');
    const values = splitOverTime(1_300n, periods, byMonths.childWeights);
    expect(values[byId('FY2026-M12')]).toBe(200n);
    expect(values[byId('FY2026-M01')]).toBe(100n);
    const byQuarters = phasingWeights(calendar, working, { kind: 'last_year' }, { Q1: money(1), Q4: 3 }, 't');
    const q = splitOverTime(400n, periods, byQuarters.childWeights);
    expect([q[byId('FY2026-Q1')], q[byId('FY2026-Q2')], q[byId('FY2026-Q4')]]).toEqual([100n, 0n, 300n]);
    const none = phasingWeights(calendar, working, { kind: 'last_year' }, undefined, 'FY2026 revenue');
    expect(none.warnings[0]).toMatch(/FY2026 revenue: no last-year actuals/);
  });
});
