/**
 * Weekly re-planning of one scope and metric (design.md "Target breakdown"): as of the run date, closed
 * days keep their actuals as their target; the gap between the annual target and the actuals to date is
 * spread over the remaining days by their original targets. Higher periods are the sums of their days,
 * so the year's re-planned target = actuals to date + remaining targets, and every child set still adds
 * up exactly to its parent.
 */
import type { Money } from '../money.ts';
import type { EpochDay } from './dates.ts';
import type { FiscalYearCalendar, Period } from './fiscal-calendar.ts';
import { allocateInt, type IntWeights, integerChildWeights } from './int-weights.ts';

export interface ReplanOptions {
  /** First day not yet closed (the run date). */
  asOf: EpochDay;
  /** Allow a negative remaining target when actuals already exceed the year's. Else remaining is 0. */
  allowNegative: boolean;
  isWorkingDay(day: EpochDay): boolean;
  /** Weights of each period's children, used again for the half-days of re-planned days. */
  childWeights: readonly Money[][];
}

/**
 * @param original units per period index (original targets)
 * @param actualUnits units of actuals per day before `asOf`
 */
export function replan(
  calendar: FiscalYearCalendar,
  original: readonly bigint[],
  actualUnits: ReadonlyMap<EpochDay, bigint>,
  options: ReplanOptions,
): bigint[] {
  const { periods } = calendar;
  const target = new Array<bigint>(periods.length).fill(0n);
  const days = daysOf(calendar);
  const open: Period[] = [];
  let closedSum = 0n;
  for (const day of days) {
    if (day.end < options.asOf) {
      const actual = actualUnits.get(day.start) ?? 0n;
      target[day.index] = actual;
      closedSum += actual;
    } else {
      open.push(day);
    }
  }

  let gap = (original[0] as bigint) - closedSum;
  if (gap < 0n && !options.allowNegative) gap = 0n;
  if (open.length > 0) {
    // By original targets; if those are all zero (e.g. the rest of the year was planned empty), by
    // working days; if none, evenly.
    let weights = open.map((d) => original[d.index] as bigint);
    let sum = weights.reduce((a, b) => a + b, 0n);
    if (sum === 0n) {
      weights = open.map((d) => (options.isWorkingDay(d.start) ? 1n : 0n));
      sum = weights.reduce((a, b) => a + b, 0n);
    }
    if (weights.some((w) => w < 0n)) throw new RangeError('allocation weights must not be negative');
    const parts = allocateInt(
      gap,
      sum === 0n ? { weights: weights.map(() => 1n), sum: BigInt(weights.length) } : { weights, sum },
    );
    for (let i = 0; i < open.length; i++) target[(open[i] as Period).index] = parts[i] as bigint;
  }

  // Half-days split their re-planned day; everything above a day is the sum of its children.
  const childWeights = integerChildWeights(options.childWeights);
  for (const day of days) {
    const children = day.children;
    if (children.length === 0) continue;
    const parts = allocateInt(target[day.index] as bigint, childWeights[day.index] as IntWeights);
    for (let i = 0; i < children.length; i++) target[children[i] as number] = parts[i] as bigint;
  }
  for (let i = periods.length - 1; i >= 0; i--) {
    const period = periods[i] as Period;
    if (period.level === 'half_day' || period.parent === null) continue;
    target[period.parent] = (target[period.parent] as bigint) + (target[i] as bigint);
  }
  return target;
}

const daysCache = new WeakMap<FiscalYearCalendar, Period[]>();

function daysOf(calendar: FiscalYearCalendar): Period[] {
  let days = daysCache.get(calendar);
  if (!days) {
    days = calendar.periods.filter((p) => p.level === 'day');
    daysCache.set(calendar, days);
  }
  return days;
}
