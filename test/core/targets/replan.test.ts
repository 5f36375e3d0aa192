import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitOverTime } from '../../../core/targets/breakdown.ts';
import { DEFAULT_TARGETS_CONFIG } from '../../../core/targets/config.ts';
import { buildFiscalYearCalendar } from '../../../core/targets/fiscal-calendar.ts';
import { phasingWeights } from '../../../core/targets/phasing.ts';
import { replan } from '../../../core/targets/replan.ts';
import { buildWorkingDayCalendar } from '../../../core/targets/working-days.ts';
import { expectTreeSums } from './helpers.ts';

const working = buildWorkingDayCalendar(DEFAULT_TARGETS_CONFIG.workingDays);
const isWorkingDay = (d: number) => working.isWorkingDay(d);
const calendar = buildFiscalYearCalendar(2026, DEFAULT_TARGETS_CONFIG.calendar, isWorkingDay);
const { periods, bounds } = calendar;
const days = periods.filter((p) => p.level === 'day');
const { childWeights } = phasingWeights(calendar, working, { kind: 'working_days' }, undefined, 't');

describe('weekly re-planning', () => {
  it('keeps the year = actuals to date + remaining targets, closed days = actuals, sums exact', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 10n }),
        fc.integer({ min: 1, max: days.length - 1 }),
        fc.array(fc.tuple(fc.nat(days.length - 1), fc.bigInt({ min: -1_000_000n, max: 10n ** 8n })), {
          maxLength: 60,
        }),
        fc.boolean(),
        (annual, asOfOffset, sales, allowNegative) => {
          const asOf = bounds.start + asOfOffset;
          const actual = new Map<number, bigint>();
          for (const [offset, units] of sales) {
            const day = bounds.start + offset;
            if (day < asOf) actual.set(day, (actual.get(day) ?? 0n) + units);
          }
          const original = splitOverTime(annual, periods, childWeights);
          const target = replan(calendar, original, actual, {
            asOf,
            allowNegative,
            isWorkingDay,
            childWeights,
          });
          expectTreeSums(periods, target);
          const toDate = [...actual.values()].reduce((a, b) => a + b, 0n);
          const remaining = days
            .filter((d) => d.start >= asOf)
            .reduce((a, d) => a + (target[d.index] as bigint), 0n);
          for (const d of days) if (d.start < asOf) expect(target[d.index]).toBe(actual.get(d.start) ?? 0n);
          const gap = annual - toDate;
          if (gap >= 0n || allowNegative) {
            expect(target[0]).toBe(annual);
            expect(toDate + remaining).toBe(annual);
          } else {
            expect(remaining).toBe(0n);
            expect(target[0]).toBe(toDate);
          }
          if (!allowNegative) {
            for (const d of days) if (d.start >= asOf) expect((target[d.index] as bigint) >= 0n).toBe(true);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('spreads a shortfall over the remaining days by their original weights', () => {
    const original = splitOverTime(1_000_000n, periods, childWeights);
    const asOf = days[91]?.start as number; // after Q1
    const target = replan(calendar, original, new Map([[bounds.start + 5, 100_000n]]), {
      asOf,
      allowNegative: false,
      isWorkingDay,
      childWeights,
    });
    const q1 = periods.find((p) => p.id === 'FY2026-Q1')?.index as number;
    const q2 = periods.find((p) => p.id === 'FY2026-Q2')?.index as number;
    expect(target[q1]).toBe(100_000n);
    // The remaining 900,000 is spread by Q2-Q4's original weights, so Q2 grows in proportion.
    const remainingOriginal = (original[0] as bigint) - (original[q1] as bigint);
    const exact = (Number(original[q2]) * 900_000) / Number(remainingOriginal);
    expect(Math.abs(Number(target[q2]) - exact)).toBeLessThan(2);
  });
});
