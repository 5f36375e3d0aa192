/**
 * Entry point of the target job's domain: target export rows + actuals + configuration + run date ->
 * rows of the `targets` table and the export rows that could not be planned.
 */
import { type Money, toUnscaled } from '../money.ts';
import type { IsoDate, TargetMetric, TargetRecord } from '../records.ts';
import { type ActualIndex, type ActualRow, indexActuals } from './actuals.ts';
import { breakDownGroup } from './breakdown.ts';
import type { TargetsConfig } from './config.ts';
import { type EpochDay, isIsoDate, toEpochDay } from './dates.ts';
import type { TargetError } from './errors.ts';
import { buildFiscalYearCalendar, type FiscalYearCalendar } from './fiscal-calendar.ts';
import { fiscalYearBounds, validateFiscalCalendarConfig } from './fiscal-year.ts';
import { lastYearMonthlyActuals } from './last-year.ts';
import { type LastYearActuals, phasingWeights } from './phasing.ts';
import { replan } from './replan.ts';
import {
  actualsPerPeriod,
  type RunRateBasis,
  runRateBasis,
  type ScopeSeries,
  type TargetRow,
  targetRows,
} from './target-rows.ts';
import { COUNT_METRICS, type ScopeTarget, validateTargets } from './validate-targets.ts';
import { buildWorkingDayCalendar, type WorkingDayCalendar } from './working-days.ts';

export interface PlanTargetsInput {
  targets: readonly TargetRecord[];
  /** Actuals of every scope; rows on or after `asOf` are ignored (not closed yet). */
  actuals: readonly ActualRow[];
  config: TargetsConfig;
  /** The run date: days before it are closed. */
  asOf: IsoDate;
  /**
   * For `last_year` phasing: last year's actuals per metric by `M01`..`M12` or `Q1`..`Q4`, used for every
   * fiscal year planned. When absent, each year is phased by the previous fiscal year's company
   * actuals found in `actuals`.
   */
  lastYearActuals?: Partial<Record<TargetMetric, LastYearActuals>>;
  /** Team of each rep (see `repTeamsFromTransactions`), so a rep's share splits its team's target. */
  repTeams?: Readonly<Record<string, string>>;
}

/** One fiscal year's calendar and run-rate basis, shared by every scope planned in it. */
export interface PlannedYear {
  fiscalYear: number;
  calendar: FiscalYearCalendar;
  basis: RunRateBasis;
}

/** One scope and metric of a fiscal year: units per period index of `year.calendar.periods`. */
export interface PlannedSeries extends ScopeSeries {
  year: PlannedYear;
}

export interface PlanTargetsResult {
  /**
   * Every planned scope and metric, by fiscal year and metric, parents before children. Planned
   * while iterated (each pass plans again), so 20,000 scope-metrics never need to be held at once.
   */
  series(): Generator<PlannedSeries>;
  /** Rows of the `targets` table: `rowCount` of them, built when read (for tests and small plans). */
  readonly rows: TargetRow[];
  rowCount: number;
  /** Export rows that were not planned, each with its line. */
  errors: TargetError[];
  /** Planned, but worth a look (e.g. phasing fell back to working days). */
  warnings: string[];
}

const METRIC_ORDER: TargetMetric[] = ['revenue', 'profit', 'orders', 'new_customers'];

/**
 * @throws TargetsConfigError when the configuration cannot give a calendar at all.
 * @throws RangeError when `asOf` is not a YYYY-MM-DD date.
 */
export function planTargets(input: PlanTargetsInput): PlanTargetsResult {
  const { config } = input;
  if (!isIsoDate(input.asOf)) throw new RangeError(`asOf must be a YYYY-MM-DD date, got "${input.asOf}"`);
  validateFiscalCalendarConfig(config.calendar);
  const working = buildWorkingDayCalendar(config.workingDays);
  const isWorkingDay = memoDays((day: EpochDay) => working.isWorkingDay(day));
  const asOf = toEpochDay(input.asOf);
  const scaleOf = (metric: TargetMetric) => (COUNT_METRICS.has(metric) ? 0 : config.moneyScale);

  const { groups, errors } = validateTargets(input.targets, {
    scaleOf,
    calendarProblem: (fy) => calendarProblem(fy, config, working),
    repTeams: input.repTeams ?? {},
  });

  const years = new Map<number, PlannedYear>();
  const yearOf = (fiscalYear: number) => {
    let year = years.get(fiscalYear);
    if (!year) {
      const calendar = buildFiscalYearCalendar(fiscalYear, config.calendar, isWorkingDay);
      year = { fiscalYear, calendar, basis: runRateBasis(calendar, asOf, isWorkingDay) };
      years.set(fiscalYear, year);
    }
    return year;
  };

  const actuals = indexActuals(input.actuals, asOf);
  const warnings = new Set<string>();
  const sorted = [...groups].sort(
    (a, b) => a.fiscalYear - b.fiscalYear || METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric),
  );
  // Calendars and phasing up front (their warnings belong to the result); scopes when iterated.
  let rowCount = 0;
  const planned = sorted.map((group) => {
    const { fiscalYear, metric } = group;
    const year = yearOf(fiscalYear);
    const lastYear =
      config.phasing.kind !== 'last_year'
        ? undefined
        : input.lastYearActuals
          ? input.lastYearActuals[metric]
          : lastYearMonthlyActuals(input.actuals, fiscalYear, config.calendar)[metric];
    const phasing = phasingWeights(
      year.calendar,
      working,
      config.phasing,
      lastYear,
      `FY${fiscalYear} ${metric}`,
    );
    for (const warning of phasing.warnings) warnings.add(warning);
    rowCount += countScopes(group.roots) * year.calendar.periods.length;
    return { group, year, childWeights: phasing.childWeights };
  });

  function* series(): Generator<PlannedSeries> {
    for (const { group, year, childWeights } of planned) {
      const { fiscalYear, metric } = group;
      const { calendar } = year;
      const scale = scaleOf(metric);
      for (const [scope, original] of breakDownGroup(group, calendar, childWeights)) {
        const dayUnits = actualDayUnits(actuals, scope, metric, calendar, scale);
        const target = replan(calendar, original, dayUnits, {
          asOf,
          allowNegative: config.allowNegative,
          isWorkingDay,
          childWeights,
        });
        const actual = actualsPerPeriod(calendar, dayUnits);
        yield { fiscalYear, scope, metric, scale, original, target, actual, year };
      }
    }
  }

  let rows: TargetRow[] | undefined;
  return {
    series,
    get rows() {
      if (!rows) {
        rows = [];
        for (const s of series()) rows.push(...targetRows(s.year.calendar, s.year.basis, s));
      }
      return rows;
    },
    rowCount,
    errors,
    warnings: [...warnings],
  };
}

function countScopes(targets: readonly ScopeTarget[]): number {
  let count = 0;
  for (const target of targets) count += 1 + countScopes(target.children);
  return count;
}

/** A day predicate asked once per day: the holiday lookup formats a date on every call. */
function memoDays(predicate: (day: EpochDay) => boolean): (day: EpochDay) => boolean {
  const known = new Map<EpochDay, boolean>();
  return (day) => {
    let value = known.get(day);
    if (value === undefined) {
      value = predicate(day);
      known.set(day, value);
    }
    return value;
  };
}

/** Why a fiscal year cannot be planned, or null: its nominal calendar years need a holiday calendar. */
function calendarProblem(
  fiscalYear: number,
  config: TargetsConfig,
  working: WorkingDayCalendar,
): string | null {
  if (!Number.isInteger(fiscalYear) || fiscalYear < 1900 || fiscalYear > 9998) {
    return `fiscal year ${fiscalYear} is outside the calendar (1900-9998)`;
  }
  const { nominalYears } = fiscalYearBounds(fiscalYear, config.calendar);
  const missing = nominalYears.filter((year) => !working.covers(year));
  if (missing.length === 0) return null;
  const source =
    config.workingDays.holidays.kind === 'CN'
      ? "China's official schedule (chinese-days)"
      : 'the configured holiday list';
  return `no holiday calendar for ${missing.join(' and ')}: ${source} does not cover it yet`;
}

function actualDayUnits(
  actuals: ActualIndex,
  scope: string,
  metric: TargetMetric,
  calendar: FiscalYearCalendar,
  scale: number,
): Map<EpochDay, bigint> {
  const units = new Map<EpochDay, bigint>();
  const byDay = actuals.get(scope)?.get(metric);
  if (!byDay) return units;
  const { start, end } = calendar.bounds;
  for (const [day, value] of byDay as Map<EpochDay, Money>) {
    if (day >= start && day <= end) units.set(day, toUnscaled(value, scale));
  }
  return units;
}
