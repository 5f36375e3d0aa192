/**
 * Weekly re-planning of one scope and metric (design.md "Target breakdown"): as of the run date, closed
 * days keep their actuals as their target; the gap between the target and the actuals to date is
 * spread over the remaining days by their original targets. Higher periods are the sums of their days,
 * so the year's re-planned target = actuals to date + remaining targets, and every child set still adds
 * up exactly to its parent.
 *
 * Rules (config `replan`): the gap is the year's (default) or each quarter's own (`shortfallTo:
 * 'quarter'`, so a shortfall is made up within its quarter); with a catch-up cap no open day rises more
 * than the cap above its original target. What cannot be spread (a closed quarter's shortfall, the
 * excess over the cap, a rep who has left) is the unrecoverable gap.
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
  /** Most an open day may rise above its original, as a fraction num/den; absent: no cap. */
  catchUpCap?: { num: bigint; den: bigint } | null;
  /** Where a shortfall goes (default the rest of the year). */
  shortfallTo?: 'year' | 'quarter';
  /** Days the scope can carry a target (a rep's days on the roster); absent: every day. */
  activeDay?: (day: EpochDay) => boolean;
  /**
   * Timed actuals of closed days, AM and PM, by day. A closed day's half-days then carry their own
   * actuals, and the day's untimed remainder is split by the half-day weights.
   */
  halfDayActuals?: ReadonlyMap<EpochDay, readonly [bigint, bigint]>;
}

export interface ReplanResult {
  /** Units per period index. */
  target: bigint[];
  /**
   * Units the rules could not spread, per period index: the year's total at index 0 and, when the
   * shortfall stays in its quarter, each quarter's at the quarter's index; 0 elsewhere.
   */
  unrecoverable: bigint[];
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
  return replanScope(calendar, original, actualUnits, options).target;
}

export function replanScope(
  calendar: FiscalYearCalendar,
  original: readonly bigint[],
  actualUnits: ReadonlyMap<EpochDay, bigint>,
  options: ReplanOptions,
): ReplanResult {
  const { periods } = calendar;
  const target = new Array<bigint>(periods.length).fill(0n);
  const unrecoverable = new Array<bigint>(periods.length).fill(0n);
  const days = daysOf(calendar);
  const active = options.activeDay ?? (() => true);

  // Buckets: the year, or each quarter; a day's bucket is its quarter's index (or the year's, 0).
  const byQuarter = options.shortfallTo === 'quarter';
  const bucketOf = (day: Period) => (byQuarter ? quarterOf(periods, day) : 0);
  const closedSum = new Map<number, bigint>();
  const open = new Map<number, Period[]>();
  for (const day of days) {
    const bucket = bucketOf(day);
    if (day.end < options.asOf) {
      const actual = actualUnits.get(day.start) ?? 0n;
      target[day.index] = actual;
      closedSum.set(bucket, (closedSum.get(bucket) ?? 0n) + actual);
    } else {
      let list = open.get(bucket);
      if (!list) {
        list = [];
        open.set(bucket, list);
      }
      list.push(day);
    }
  }

  const buckets = byQuarter ? periods.filter((p) => p.level === 'quarter').map((q) => q.index) : [0];
  for (const bucket of buckets) {
    let gap = (original[bucket] as bigint) - (closedSum.get(bucket) ?? 0n);
    if (gap < 0n && !options.allowNegative) gap = 0n;
    const openDays = (open.get(bucket) ?? []).filter((d) => active(d.start));
    const left = spread(gap, openDays, original, target, options);
    // Only a shortfall is a gap: a closed quarter's (or year's) surplus, kept as its actuals when
    // negative remaining targets are allowed, is not one to make up.
    if (left > 0n) {
      unrecoverable[bucket] = left;
      if (bucket !== 0) unrecoverable[0] = (unrecoverable[0] as bigint) + left;
    }
  }

  // Half-days split their day (a closed day's timed actuals first); everything above a day is the
  // sum of its children.
  const childWeights = integerChildWeights(options.childWeights);
  for (const day of days) {
    const children = day.children;
    if (children.length === 0) continue;
    const weights = childWeights[day.index] as IntWeights;
    const timed = day.end < options.asOf ? options.halfDayActuals?.get(day.start) : undefined;
    if (timed && children.length === 2) {
      const untimed = (target[day.index] as bigint) - timed[0] - timed[1];
      const parts = allocateInt(untimed, weights);
      target[children[0] as number] = timed[0] + (parts[0] as bigint);
      target[children[1] as number] = timed[1] + (parts[1] as bigint);
      continue;
    }
    const parts = allocateInt(target[day.index] as bigint, weights);
    for (let i = 0; i < children.length; i++) target[children[i] as number] = parts[i] as bigint;
  }
  for (let i = periods.length - 1; i >= 0; i--) {
    const period = periods[i] as Period;
    if (period.level === 'half_day' || period.parent === null) continue;
    target[period.parent] = (target[period.parent] as bigint) + (target[i] as bigint);
  }
  return { target, unrecoverable };
}

/**
 * Spreads `gap` over the open days by their original targets (by working days when those are all
 * zero, else evenly), each day at most its cap; returns what could not be placed.
 */
function spread(
  gap: bigint,
  openDays: readonly Period[],
  original: readonly bigint[],
  target: bigint[],
  options: ReplanOptions,
): bigint {
  if (openDays.length === 0) return gap;
  let weights = openDays.map((d) => original[d.index] as bigint);
  if (weights.some((w) => w < 0n)) throw new RangeError('allocation weights must not be negative');
  let sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) {
    weights = openDays.map((d) => (options.isWorkingDay(d.start) ? 1n : 0n));
    sum = weights.reduce((a, b) => a + b, 0n);
  }
  if (sum === 0n) {
    weights = openDays.map(() => 1n);
    sum = BigInt(weights.length);
  }
  const cap = options.catchUpCap;
  if (!cap || gap <= 0n) {
    const parts = allocateInt(gap, { weights, sum });
    for (let i = 0; i < openDays.length; i++) target[(openDays[i] as Period).index] = parts[i] as bigint;
    return 0n;
  }
  // Under the cap: each day at most original x (1 + cap), floored to a whole unit.
  const limits = openDays.map((d) => {
    const o = original[d.index] as bigint;
    return o + (o * cap.num) / cap.den;
  });
  const room = limits.reduce((a, b) => a + b, 0n);
  const placed = gap < room ? gap : room;
  const parts = allocateInt(placed, { weights, sum });
  // Proportional parts rise by one ratio, so only a rounding unit can pass a limit: move those units
  // to days with room left, in order (every day's limit is respected and the total is kept).
  let excess = 0n;
  for (let i = 0; i < parts.length; i++) {
    const over = (parts[i] as bigint) - (limits[i] as bigint);
    if (over > 0n) {
      parts[i] = limits[i] as bigint;
      excess += over;
    }
  }
  for (let i = 0; excess > 0n && i < parts.length; i++) {
    const free = (limits[i] as bigint) - (parts[i] as bigint);
    const take = free < excess ? free : excess;
    parts[i] = (parts[i] as bigint) + take;
    excess -= take;
  }
  for (let i = 0; i < openDays.length; i++) target[(openDays[i] as Period).index] = parts[i] as bigint;
  return gap - placed;
}

function quarterOf(periods: readonly Period[], day: Period): number {
  let index: number | null = day.index;
  while (index !== null) {
    const period = periods[index] as Period;
    if (period.level === 'quarter') return index;
    index = period.parent;
  }
  return 0;
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
