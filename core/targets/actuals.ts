/**
 * Actuals the targets are measured against, one row per date, scope attribution and metric.
 *
 * From transactions (the handler may pass its own rows instead):
 * - revenue = revenue (net of discount) - returned_amount: net sales, so a return lowers attainment
 *   (configurable: `revenueNetOfReturns`);
 * - profit = revenue - cost - returned_amount (gross profit, as in cohort_retention);
 * - orders = distinct order_id, counted once on the order's first date, for the rep/team on that line;
 * - new_customers = customers counted on their first order date (from the transactions given, or
 *   `firstOrderDates` when the handler knows older history), for the rep/team on that first order.
 */
import { type Money, money, toUnscaled, ZERO } from '../money.ts';
import type { IsoDate, TargetMetric, TransactionRecord } from '../records.ts';
import { timeOfDayIn } from '../time-of-day.ts';
import { foldFullWidth } from '../values.ts';
import type { EpochDay } from './dates.ts';
import { toEpochDay } from './dates.ts';
import type { FiscalYearCalendar, Period } from './fiscal-calendar.ts';
import { addByLargestRemainder } from './int-weights.ts';
import { divideHalfEven } from './target-rows.ts';

export interface ActualRow {
  date: IsoDate;
  metric: TargetMetric;
  value: Money;
  /** Team credited (scope `team:<team>`), null when none. */
  team: string | null;
  /** Rep credited (scope `rep:<rep_id>`), null when none. */
  rep_id: string | null;
  /** Morning or afternoon when the sale carried a time (`order_time`); absent or null otherwise. */
  half?: 'AM' | 'PM' | null;
}

/**
 * AM (before noon) or PM from a time of day or a timestamp: `14:30`, `9:05:00`, `2026-03-02 14:30`,
 * `2026-03-02T09:15:00`, `2:30 PM`, `下午3:00`, `上午12:05` (readTimeOfDay's shapes, after a date
 * in parseDate's). Null when there is no possible time.
 */
export function halfOfDay(time: string | null | undefined): 'AM' | 'PM' | null {
  if (!time) return null;
  const read = timeOfDayIn(foldFullWidth(time).trim().replace(DATE_BEFORE_TIME, ''));
  if (read === null || read === 'impossible') return null;
  return read.hour < 12 ? 'AM' : 'PM';
}

const DATE_BEFORE_TIME = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]|\d{4}年\d{1,2}月\d{1,2}日)\s*/;

export interface ActualsOptions {
  revenueNetOfReturns: boolean;
  /** First order date per customer when history older than the transactions given is known. */
  firstOrderDates?: ReadonlyMap<string, IsoDate>;
}

export function actualsFromTransactions(
  transactions: readonly TransactionRecord[],
  options: ActualsOptions,
): ActualRow[] {
  const sums = new Map<string, ActualRow>();
  const add = (t: TransactionRecord, metric: TargetMetric, value: Money) => {
    const half = halfOfDay(t.order_time);
    const key = JSON.stringify([t.order_date, metric, t.team, t.rep_id, half]);
    const row = sums.get(key);
    if (row) row.value = row.value.plus(value);
    else if (half) sums.set(key, { date: t.order_date, metric, value, team: t.team, rep_id: t.rep_id, half });
    else sums.set(key, { date: t.order_date, metric, value, team: t.team, rep_id: t.rep_id });
  };

  const firstLineOfOrder = new Map<string, TransactionRecord>();
  const firstLineOfCustomer = new Map<string, TransactionRecord>();
  for (const t of transactions) {
    const returned = t.returned_amount ?? ZERO;
    add(t, 'revenue', options.revenueNetOfReturns ? t.revenue.minus(returned) : t.revenue);
    add(t, 'profit', t.revenue.minus(t.cost ?? ZERO).minus(returned));
    const order = firstLineOfOrder.get(t.order_id);
    if (!order || t.order_date < order.order_date) firstLineOfOrder.set(t.order_id, t);
    const customer = firstLineOfCustomer.get(t.customer_id);
    if (!customer || t.order_date < customer.order_date) firstLineOfCustomer.set(t.customer_id, t);
  }
  const one = money(1);
  for (const t of firstLineOfOrder.values()) add(t, 'orders', one);
  for (const [customerId, t] of firstLineOfCustomer) {
    const known = options.firstOrderDates?.get(customerId);
    // Older history says the customer is not new in the period the transactions cover.
    if (known !== undefined && known < t.order_date) continue;
    add(t, 'new_customers', one);
  }
  return [...sums.values()];
}

/** Actuals summed per scope, metric and day; dates on or after `before` are left out (not yet closed). */
export type ActualIndex = Map<string, Map<TargetMetric, Map<EpochDay, Money>>>;

export function indexActuals(rows: readonly ActualRow[], before: EpochDay): ActualIndex {
  const index: ActualIndex = new Map();
  const add = (scope: string, metric: TargetMetric, day: EpochDay, value: Money) => {
    let byMetric = index.get(scope);
    if (!byMetric) {
      byMetric = new Map();
      index.set(scope, byMetric);
    }
    let byDay = byMetric.get(metric);
    if (!byDay) {
      byDay = new Map();
      byMetric.set(metric, byDay);
    }
    byDay.set(day, (byDay.get(day) ?? ZERO).plus(value));
  };
  for (const row of rows) {
    const day = toEpochDay(row.date);
    if (day >= before) continue;
    add('company', row.metric, day, row.value);
    if (row.team !== null && row.team !== '') add(`team:${row.team}`, row.metric, day, row.value);
    if (row.rep_id !== null && row.rep_id !== '') add(`rep:${row.rep_id}`, row.metric, day, row.value);
  }
  return index;
}

/** Timed actuals (AM, PM) per scope, metric and day before `before`: what half-days are measured by. */
export type HalfDayIndex = Map<string, Map<TargetMetric, Map<EpochDay, [Money, Money]>>>;

export function indexHalfDayActuals(rows: readonly ActualRow[], before: EpochDay): HalfDayIndex {
  const index: HalfDayIndex = new Map();
  const add = (scope: string, row: ActualRow, day: EpochDay) => {
    let byMetric = index.get(scope);
    if (!byMetric) {
      byMetric = new Map();
      index.set(scope, byMetric);
    }
    let byDay = byMetric.get(row.metric);
    if (!byDay) {
      byDay = new Map();
      byMetric.set(row.metric, byDay);
    }
    const halves = byDay.get(day) ?? [ZERO, ZERO];
    if (row.half === 'AM') halves[0] = halves[0].plus(row.value);
    else halves[1] = halves[1].plus(row.value);
    byDay.set(day, halves);
  };
  for (const row of rows) {
    if (!row.half) continue;
    const day = toEpochDay(row.date);
    if (day >= before) continue;
    add('company', row, day);
    if (row.team !== null && row.team !== '') add(`team:${row.team}`, row, day);
    if (row.rep_id !== null && row.rep_id !== '') add(`rep:${row.rep_id}`, row, day);
  }
  return index;
}

/**
 * The team each rep sold for most recently, so a rep's share splits that team's target. A rep who
 * changed team is planned under the latest one.
 */
export function repTeamsFromTransactions(transactions: readonly TransactionRecord[]): Record<string, string> {
  const latest = new Map<string, { date: IsoDate; team: string }>();
  for (const t of transactions) {
    if (!t.rep_id || !t.team) continue;
    const seen = latest.get(t.rep_id);
    if (!seen || t.order_date >= seen.date) latest.set(t.rep_id, { date: t.order_date, team: t.team });
  }
  return Object.fromEntries([...latest].map(([rep, { team }]) => [rep, team]));
}

/** Actual units of one scope and metric in one fiscal year, as the re-plan and the rows take them. */
export interface ActualUnits {
  /** Units per day that has actuals. */
  days: Map<EpochDay, bigint>;
  /** Timed units (AM, PM) per day, when the scope has timed actuals. */
  halves?: Map<EpochDay, [bigint, bigint]>;
}

/**
 * Day actuals (and timed half-day actuals) of one scope and metric in units of 10^-scale, such that
 * the year's total is the raw actuals' total rounded once (half-even), and every period's actual is
 * split among its children by their raw actuals with the largest remainder, down to days and the
 * timed part of each half-day. Rounding each day on its own instead lets the errors pile up: 26 days
 * of 0.50 at a whole-unit scale would make a year of 0, not 13, and overstate the re-plan gap. Actuals
 * already whole at the scale (cents at the default scale) are taken as they are: no rounding is
 * needed, and the split below would give them back unchanged.
 */
export function actualUnits(
  calendar: FiscalYearCalendar,
  byDay: ReadonlyMap<EpochDay, Money> | undefined,
  scale: number,
  halves?: ReadonlyMap<EpochDay, readonly [Money, Money]>,
): ActualUnits {
  const inYear = <T>(entries: ReadonlyMap<EpochDay, T> | undefined): [EpochDay, T][] =>
    entries ? [...entries].filter(([day]) => calendar.dayIndex.has(day)) : [];
  const dayValues = inYear(byDay);
  const halfValues = inYear(halves);
  let places = scale;
  for (const [, value] of dayValues) places = Math.max(places, value.decimalPlaces());
  for (const [, [am, pm]] of halfValues) places = Math.max(places, am.decimalPlaces(), pm.decimalPlaces());

  if (places === scale) {
    const days = new Map<EpochDay, bigint>();
    for (const [day, value] of dayValues) days.set(day, toUnscaled(value, scale));
    if (!halves) return { days };
    const timed = new Map<EpochDay, [bigint, bigint]>();
    for (const [day, [am, pm]] of halfValues) timed.set(day, [toUnscaled(am, scale), toUnscaled(pm, scale)]);
    return { days, halves: timed };
  }

  // Raw actuals as whole numbers of 10^-places: exact, so the splits below never round on the way.
  const unit = 10n ** BigInt(places - scale);
  const whole = (value: Money) => BigInt(value.toFixed(places).replace('.', ''));
  const { periods } = calendar;
  const exact = new Array<bigint>(periods.length).fill(0n);
  for (const [day, value] of dayValues) exact[calendar.dayIndex.get(day) as number] = whole(value);
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i] as Period;
    if (p.level !== 'half_day' && p.parent !== null)
      exact[p.parent] = (exact[p.parent] as bigint) + (exact[i] as bigint);
  }
  const units = new Array<bigint>(periods.length).fill(0n);
  units[0] = divideHalfEven(exact[0] as bigint, unit);
  for (const p of periods) {
    if (p.level === 'day' || p.level === 'half_day' || p.children.length === 0) continue;
    const parts = roundToTotal(
      units[p.index] as bigint,
      p.children.map((c) => exact[c] as bigint),
      unit,
    );
    p.children.forEach((c, i) => {
      units[c] = parts[i] as bigint;
    });
  }
  const days = new Map<EpochDay, bigint>();
  for (const [day] of dayValues) days.set(day, units[calendar.dayIndex.get(day) as number] as bigint);
  if (!halves) return { days };
  const timed = new Map<EpochDay, [bigint, bigint]>();
  for (const [day, [am, pm]] of halfValues) {
    const index = calendar.dayIndex.get(day) as number;
    // The day's untimed sales are the third part: the re-plan splits them by the half-day weights.
    const rawAm = whole(am);
    const rawPm = whole(pm);
    const [unitsAm, unitsPm] = roundToTotal(
      units[index] as bigint,
      [rawAm, rawPm, (exact[index] as bigint) - rawAm - rawPm],
      unit,
    );
    timed.set(day, [unitsAm as bigint, unitsPm as bigint]);
  }
  return { days, halves: timed };
}

/**
 * Splits `total` among parts whose exact values are `exact[i] / unit`: each part gets the floor of
 * its value and the units left go one each to the largest remainders (ties to the earlier part), so
 * every part is its value rounded down or up and the parts add up to `total`. Unlike `allocateInt`,
 * which scales weights to a total, each part here keeps its own value, and values may be negative
 * (returns). `total` must be less than one unit from the values' sum, as it is for a rounded sum or a
 * part given by this split.
 */
export function roundToTotal(total: bigint, exact: readonly bigint[], unit: bigint): bigint[] {
  const parts = exact.map((x) => {
    const floor = x / unit;
    return x % unit < 0n ? floor - 1n : floor;
  });
  const remainders = exact.map((x, i) => x - (parts[i] as bigint) * unit);
  const left = total - parts.reduce((a, b) => a + b, 0n);
  const withRemainder = remainders.filter((r) => r > 0n).length;
  if (left < 0n || left > BigInt(withRemainder)) {
    throw new RangeError(
      `cannot round parts to a total of ${total} units: it is not within a unit of their sum`,
    );
  }
  addByLargestRemainder(parts, remainders, left);
  return parts;
}
