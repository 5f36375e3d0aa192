/**
 * Rows of the `targets` output table (core/tables.ts) for one scope and metric: original and re-planned
 * targets, actuals to date, attainment and a run-rate forecast per period.
 */
import { Money } from '../money.ts';
import type { TargetMetric } from '../records.ts';
import type { EpochDay } from './dates.ts';
import type { FiscalYearCalendar, Period, TargetLevel } from './fiscal-calendar.ts';

/** One row of the `targets` table; column names as in core/tables.ts. */
export interface TargetRow {
  fiscal_year: number;
  scenario: string;
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
  /** Actuals to date; null for half-days unless the sales carry a time of day. */
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
  /** What the re-plan rules could not spread: on the year row (and quarter rows when shortfalls stay in their quarter). */
  unrecoverable_gap: Money | null;
  /** The period holds days planned on statutory holidays by rule: the official schedule is not out yet. */
  provisional_calendar: boolean;
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
  /** Half-days carry actuals (the sales carry times of day). */
  halfDayActuals?: boolean;
  /** A rate (margin_pct): no run-rate forecast. */
  rate?: boolean;
}

const RATE_SCALE = 6;
/** Scale of the `targets` table's money columns (DECIMAL(18,2)). */
export const COLUMN_SCALE = 2;

/**
 * The figures of one period in exact integers: amounts in units of 10^-scale of the series,
 * attainment in millionths of a percent, forecast at the table's money scale. What the row, the
 * Parquet column and the DynamoDB item are each made from.
 */
export interface PeriodFigures {
  original: bigint;
  target: bigint;
  /** Null for half-days. */
  actual: bigint | null;
  /** actual x 100 / original, in units of 10^-6, half-even; null as `TargetRow.attainment_pct`. */
  attainment: bigint | null;
  /** In units of 10^-COLUMN_SCALE, half-even; null as `TargetRow.forecast`. */
  forecast: bigint | null;
  closed: boolean;
}

/** Figures of period `index` of a series; `yearActual` is `series.actual[0]`. */
export function periodFigures(
  period: Period,
  basis: RunRateBasis,
  series: Pick<ScopeSeries, 'scale' | 'original' | 'target' | 'actual' | 'halfDayActuals' | 'rate'>,
): PeriodFigures {
  const index = period.index;
  const original = series.original[index] as bigint;
  const target = series.target[index] as bigint;
  const closed = period.end < basis.asOf;
  if (period.level === 'half_day' && !series.halfDayActuals) {
    return { original, target, actual: null, attainment: null, forecast: null, closed };
  }
  const actual = series.actual[index] as bigint;
  const started = period.start < basis.asOf;
  const attainment =
    started && original !== 0n ? divideHalfEven(actual * 100n * 10n ** BigInt(RATE_SCALE), original) : null;
  let forecast: bigint | null = null;
  const toColumn = (units: bigint) => rescale(units, series.scale, COLUMN_SCALE);
  if (series.rate || period.level === 'half_day') forecast = null;
  else if (closed) forecast = toColumn(actual);
  else if (basis.elapsedWorkingDays > 0) {
    // actual + (year's actual / elapsed working days) x remaining working days, rounded once.
    const elapsed = BigInt(basis.elapsedWorkingDays);
    const remaining = BigInt(basis.remainingWorkingDays[index] as number);
    const exact = actual * elapsed + (series.actual[0] as bigint) * remaining;
    forecast = rescaleQuotient(exact, elapsed, series.scale, COLUMN_SCALE);
  }
  return { original, target, actual, attainment, forecast, closed };
}

/** Rows of one series (as Money), for tests and small plans; the job streams `periodFigures`. */
export function targetRows(
  calendar: FiscalYearCalendar,
  basis: RunRateBasis,
  series: ScopeSeries & {
    scenario?: string;
    unrecoverable?: readonly bigint[];
    year?: { provisional: Uint8Array };
  },
): TargetRow[] {
  const { scale } = series;
  return calendar.periods.map((p) => {
    const f = periodFigures(p, basis, series);
    const gap = unrecoverableGap(p, series.unrecoverable);
    return {
      fiscal_year: series.fiscalYear,
      scenario: series.scenario ?? 'plan',
      scope: series.scope,
      metric: series.metric,
      level: p.level,
      period_id: p.id,
      iso_week: p.isoWeek,
      start_date: p.startDate,
      end_date: p.endDate,
      original_target: fromUnits(f.original, scale),
      target: fromUnits(f.target, scale),
      actual: f.actual === null ? null : fromUnits(f.actual, scale),
      attainment_pct: f.attainment === null ? null : fromUnits(f.attainment, RATE_SCALE),
      forecast: f.forecast === null ? null : fromUnits(f.forecast, COLUMN_SCALE),
      closed: f.closed,
      unrecoverable_gap: gap === null ? null : fromUnits(gap, scale),
      provisional_calendar: series.year?.provisional[p.index] === 1,
    };
  });
}

/** The unrecoverable gap shown on a period: the year's, and a quarter's when it has its own; else null. */
export function unrecoverableGap(
  period: Period,
  unrecoverable: readonly bigint[] | undefined,
): bigint | null {
  if (!unrecoverable) return period.level === 'year' ? 0n : null;
  if (period.level === 'year') return unrecoverable[0] as bigint;
  if (period.level === 'quarter') {
    const gap = unrecoverable[period.index] as bigint;
    return gap === 0n ? null : gap;
  }
  return null;
}

/** Sums day actuals (units) up the tree; half-days get none. */
export function actualsPerPeriod(
  calendar: FiscalYearCalendar,
  dayUnits: ReadonlyMap<EpochDay, bigint>,
): bigint[] {
  const { periods } = calendar;
  const values = new Array<bigint>(periods.length).fill(0n);
  for (const [day, units] of dayUnits) {
    const index = calendar.dayIndex.get(day);
    if (index !== undefined) values[index] = units;
  }
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i] as Period;
    if (p.level !== 'half_day' && p.parent !== null)
      values[p.parent] = (values[p.parent] as bigint) + (values[i] as bigint);
  }
  return values;
}

/** Units of 10^-scale as Money: parsing `<units>e-<scale>` is exact and much cheaper than dividing. */
export function fromUnits(units: bigint, scale: number): Money {
  return new Money(scale === 0 ? units.toString() : `${units}e-${scale}`);
}

/** Units of 10^-scale as plain decimal text without trailing zeros ("1234.5", "-0.25", "7"). */
export function unitsText(units: bigint, scale: number): string {
  if (scale === 0 || units === 0n) return units.toString();
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Units of 10^-from as units of 10^-to, rounded half-even when `to` is coarser. */
export function rescale(units: bigint, from: number, to: number): bigint {
  if (from === to) return units;
  if (from < to) return units * 10n ** BigInt(to - from);
  return divideHalfEven(units, 10n ** BigInt(from - to));
}

/** (numerator / denominator) in units of 10^-from, as units of 10^-to, rounded half-even once. */
function rescaleQuotient(numerator: bigint, denominator: bigint, from: number, to: number): bigint {
  if (from <= to) return divideHalfEven(numerator * 10n ** BigInt(to - from), denominator);
  return divideHalfEven(numerator, denominator * 10n ** BigInt(from - to));
}

/** numerator / denominator rounded to the nearest integer, ties to even (any signs). */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  let quotient = numerator / denominator;
  let remainder = numerator % denominator;
  // Truncated division: make the remainder non-negative (floor), then round.
  if (remainder < 0n) {
    quotient -= 1n;
    remainder += denominator;
  }
  const twice = remainder * 2n;
  if (twice > denominator || (twice === denominator && quotient % 2n !== 0n)) quotient += 1n;
  return quotient;
}
