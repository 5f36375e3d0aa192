/**
 * Rows of the `targets` output table (core/tables.ts) for one scope and metric: original and re-planned
 * targets, actuals to date, attainment and a run-rate forecast per period.
 */
import { Money, money, roundMoney } from '../money.ts';
import type { TargetMetric } from '../records.ts';
import type { EpochDay } from './dates.ts';
import type { FiscalYearCalendar, Period, TargetLevel } from './fiscal-calendar.ts';

/** One row of the `targets` table; column names as in core/tables.ts. */
export interface TargetRow {
  fiscal_year: number;
  scope: string;
  metric: TargetMetric;
  level: TargetLevel;
  period_id: string;
  iso_week: string;
  start_date: string;
  end_date: string;
  original_target: Money;
  /** Re-planned: closed periods carry their actuals, the rest share the remaining gap. */
  target: Money;
  /** Actuals to date; null for half-days (actuals carry dates, not times of day). */
  actual: Money | null;
  /**
   * actual x 100 / original_target, 6 decimals. Against the original target because a closed period's
   * re-planned target is its actual by construction. Null before the period starts, for a zero
   * original target and for half-days.
   */
  attainment_pct: Money | null;
  /**
   * Run-rate forecast: actual + (actuals to date / working days elapsed in the fiscal year) x working
   * days left in the period; the actual once closed. Null while no working day of the year has passed,
   * and for half-days.
   */
  forecast: Money | null;
  closed: boolean;
}

/** Per fiscal year, independent of scope: working days of each period before and from the run date. */
export interface RunRateBasis {
  asOf: EpochDay;
  /** Working days of the fiscal year before the run date. */
  elapsedWorkingDays: number;
  /** Per period index: working days from the run date on. */
  remainingWorkingDays: number[];
}

export function runRateBasis(
  calendar: FiscalYearCalendar,
  asOf: EpochDay,
  isWorkingDay: (day: EpochDay) => boolean,
): RunRateBasis {
  const { periods } = calendar;
  const remaining = periods.map((p): number =>
    p.level === 'day' && p.start >= asOf && isWorkingDay(p.start) ? 1 : 0,
  );
  let elapsed = 0;
  for (const p of periods) if (p.level === 'day' && p.start < asOf && isWorkingDay(p.start)) elapsed++;
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i] as Period;
    if (p.level !== 'half_day' && p.parent !== null)
      remaining[p.parent] = (remaining[p.parent] as number) + (remaining[i] as number);
  }
  return { asOf, elapsedWorkingDays: elapsed, remainingWorkingDays: remaining };
}

export interface ScopeSeries {
  fiscalYear: number;
  scope: string;
  metric: TargetMetric;
  /** Decimal places of the units below. */
  scale: number;
  original: readonly bigint[];
  target: readonly bigint[];
  /** Actual units per period index (days before the run date, summed up). */
  actual: readonly bigint[];
}

const HUNDRED = money(100);
const RATE_SCALE = 6;

export function targetRows(
  calendar: FiscalYearCalendar,
  basis: RunRateBasis,
  series: ScopeSeries,
): TargetRow[] {
  const { scale } = series;
  const yearActual = fromUnits(series.actual[0] as bigint, scale);
  const dailyRate = basis.elapsedWorkingDays > 0 ? yearActual.dividedBy(basis.elapsedWorkingDays) : null;
  return calendar.periods.map((p) => {
    const original = fromUnits(series.original[p.index] as bigint, scale);
    const closed = p.end < basis.asOf;
    const started = p.start < basis.asOf;
    const halfDay = p.level === 'half_day';
    const actual = halfDay ? null : fromUnits(series.actual[p.index] as bigint, scale);
    let attainment: Money | null = null;
    if (actual && started && !original.isZero()) {
      attainment = roundMoney(actual.times(HUNDRED).dividedBy(original), RATE_SCALE);
    }
    let forecast: Money | null = null;
    if (actual && closed) forecast = actual;
    else if (actual && dailyRate) {
      forecast = roundMoney(actual.plus(dailyRate.times(basis.remainingWorkingDays[p.index] as number)), 2);
    }
    return {
      fiscal_year: series.fiscalYear,
      scope: series.scope,
      metric: series.metric,
      level: p.level,
      period_id: p.id,
      iso_week: p.isoWeek,
      start_date: p.startDate,
      end_date: p.endDate,
      original_target: original,
      target: fromUnits(series.target[p.index] as bigint, scale),
      actual,
      attainment_pct: attainment,
      forecast,
      closed,
    };
  });
}

/** Sums day actuals (units) up the tree; half-days get none. */
export function actualsPerPeriod(
  calendar: FiscalYearCalendar,
  dayUnits: ReadonlyMap<EpochDay, bigint>,
): bigint[] {
  const { periods } = calendar;
  const values = periods.map((p) => (p.level === 'day' ? (dayUnits.get(p.start) ?? 0n) : 0n));
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i] as Period;
    if (p.level !== 'half_day' && p.parent !== null)
      values[p.parent] = (values[p.parent] as bigint) + (values[i] as bigint);
  }
  return values;
}

/** Units of 10^-scale as Money: parsing `<units>e-<scale>` is exact and much cheaper than dividing. */
function fromUnits(units: bigint, scale: number): Money {
  return new Money(scale === 0 ? units.toString() : `${units}e-${scale}`);
}
