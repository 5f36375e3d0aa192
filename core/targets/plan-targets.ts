/**
 * Entry point of the target job's domain: target export rows + actuals + configuration + run date ->
 * rows of the `targets` table and the export rows that could not be planned.
 */
import { type Money, toUnscaled } from '../money.ts';
import type { HolidayRecord, IsoDate, RepRecord, TargetMetric, TargetRecord } from '../records.ts';
import {
  type ActualRow,
  type ActualUnits,
  actualUnits,
  indexActuals,
  indexHalfDayActuals,
} from './actuals.ts';
import { breakDownGroup } from './breakdown.ts';
import type { TargetsConfig } from './config.ts';
import { type EpochDay, isIsoDate, toEpochDay, toIsoDate, ymd } from './dates.ts';
import type { TargetError } from './errors.ts';
import { buildFiscalYearCalendar, type FiscalYearCalendar, type Period } from './fiscal-calendar.ts';
import { fiscalYearBounds, fiscalYearOf, validateFiscalCalendarConfig } from './fiscal-year.ts';
import { allocateInt } from './int-weights.ts';
import { lastYearPhasingActuals } from './last-year.ts';
import { type LastYearActuals, phasingWeights } from './phasing.ts';
import { type ReplanOptions, replanScope } from './replan.ts';
import {
  inTeam,
  onRoster,
  type RosterEntry,
  type RosterRecord,
  rosterFromExport,
  spellsInTeamDuring,
  teamsDuring,
  withCapacity,
} from './roster.ts';
import { parseScope } from './scopes.ts';
import {
  actualsPerPeriod,
  divideHalfEven,
  type RunRateBasis,
  runRateBasis,
  type ScopeSeries,
  type TargetRow,
  targetRows,
} from './target-rows.ts';
import {
  COUNT_METRICS,
  rowPlace,
  type ScopeTarget,
  type TargetSources,
  validateTargets,
} from './validate-targets.ts';
import { buildWorkingDayCalendar, dayOverridesFromExport, type WorkingDayCalendar } from './working-days.ts';

export interface PlanTargetsInput {
  targets: readonly TargetRecord[];
  /** Actuals of every scope; rows on or after `asOf` are ignored (not closed yet). */
  actuals: readonly ActualRow[];
  config: TargetsConfig;
  /**
   * The run date. Days before the start of the fiscal week holding it are closed (a Monday run of a
   * Sunday-start calendar closes the week that ended on Saturday, not the Sunday after it).
   */
  asOf: IsoDate;
  /**
   * For `last_year` phasing: last year's actuals per metric by `M01`..`M12` or `Q1`..`Q4`, used for every
   * fiscal year planned. When absent, each year is phased by the previous fiscal year's company
   * actuals found in `actuals` (restated week by week when the years differ in length).
   */
  lastYearActuals?: Partial<Record<TargetMetric, LastYearActuals>>;
  /** Team of each rep from sales (see `repTeamsFromTransactions`); the roster comes first. */
  repTeams?: Readonly<Record<string, string>>;
  /**
   * The `reps` export: team membership, capacity, ramps and leavers, a row per spell in a team (a
   * rep who moves is listed once per team). Records carrying `source_line` get it named in errors.
   */
  roster?: readonly (RepRecord | RosterRecord)[];
  /** The `holidays` export: official or company days overriding the holiday package. */
  holidays?: readonly HolidayRecord[];
  /**
   * The exports the target rows came from, by `TargetRecord.export_id`: errors and warnings name
   * the file, and of two rows for one target in different exports the one received later is planned.
   */
  exports?: TargetSources;
}

/** One fiscal year's calendar and run-rate basis, shared by every scope planned in it. */
export interface PlannedYear {
  fiscalYear: number;
  calendar: FiscalYearCalendar;
  basis: RunRateBasis;
  /** Per period index: 1 when it holds a day of a year planned on statutory holidays by rule. */
  provisional: Uint8Array;
}

/** One scope and metric of a fiscal year: units per period index of `year.calendar.periods`. */
export interface PlannedSeries extends ScopeSeries {
  scenario: string;
  year: PlannedYear;
  /** What the re-plan rules could not spread (see replan.ts), per period index. */
  unrecoverable: readonly bigint[];
}

export interface PlanTargetsResult {
  /**
   * Every planned scope and metric, by scenario (plan first), fiscal year and metric, parents before
   * children. Planned while iterated (each pass plans again), so 20,000 scope-metrics never need to
   * be held at once.
   */
  series(): Generator<PlannedSeries>;
  /** Rows of the `targets` table: `rowCount` of them, built when read (for tests and small plans). */
  readonly rows: TargetRow[];
  rowCount: number;
  /** Export rows that were not planned (targets rows, and `reps` rows in conflict), each with its line. */
  errors: TargetError[];
  /** Planned, but worth a look (e.g. phasing fell back to working days). */
  warnings: string[];
  /** The first day not closed: the start of the fiscal week holding `asOf`. */
  closedBefore: IsoDate;
}

const METRIC_ORDER: TargetMetric[] = ['revenue', 'profit', 'orders', 'new_customers', 'margin_pct'];
/** Decimal places of margin_pct figures: percent with two decimals (32.50 = 32.5 %). */
const RATE_SCALE = 2;

/**
 * @throws TargetsConfigError when the configuration cannot give a calendar at all.
 * @throws RangeError when `asOf` is not a YYYY-MM-DD date.
 */
export function planTargets(input: PlanTargetsInput): PlanTargetsResult {
  const { config } = input;
  if (!isIsoDate(input.asOf)) throw new RangeError(`asOf must be a YYYY-MM-DD date, got "${input.asOf}"`);
  validateFiscalCalendarConfig(config.calendar);
  const warnings = new Set<string>();
  const dayExport = dayOverridesFromExport(input.holidays ?? []);
  for (const warning of dayExport.warnings) warnings.add(warning);
  const working = buildWorkingDayCalendar(config.workingDays, dayExport.overrides);
  const isWorkingDay = memoDays((day: EpochDay) => working.isWorkingDay(day));
  const asOf = weekStartOf(toEpochDay(input.asOf), config);
  const scaleOf = (metric: TargetMetric) =>
    COUNT_METRICS.has(metric) ? 0 : metric === 'margin_pct' ? RATE_SCALE : config.moneyScale;

  const { roster, warnings: rosterWarnings } = rosterFromExport(
    input.roster ?? [],
    config.roster,
    isWorkingDay,
  );
  for (const warning of rosterWarnings) warnings.add(warning);
  const salesTeams = input.repTeams ?? {};
  // The roster comes first; sales give the team of a rep it does not list.
  const teamsOf = (repId: string, fiscalYear: number): readonly string[] => {
    const entry = roster.get(repId);
    if (entry) {
      const { start, end } = fiscalYearBounds(fiscalYear, config.calendar);
      return teamsDuring(entry, start, end);
    }
    return Object.hasOwn(salesTeams, repId) ? [salesTeams[repId] as string] : [];
  };
  const repEntry = (scope: string): RosterEntry | undefined => {
    const parsed = parseScope(scope);
    return parsed?.kind === 'rep' ? roster.get(parsed.id) : undefined;
  };
  // A rep splits a team only by its days in that team; a roster-split rep by its capacity too.
  const rosterOf = (child: ScopeTarget, parent: ScopeTarget): RosterEntry | undefined => {
    const entry = repEntry(child.scope);
    if (!entry) return undefined;
    const team = parseScope(parent.scope);
    const within = team?.kind === 'team' ? inTeam(entry, team.id) : entry;
    return child.fromRoster ? withCapacity(within, child.share as Money) : within;
  };

  const {
    groups,
    errors: rowErrors,
    warnings: rowWarnings,
  } = validateTargets(input.targets, {
    scaleOf,
    calendarProblem: (fy) => calendarProblem(fy, config, working),
    teamsOf,
    ...(input.exports ? { exports: input.exports } : {}),
  });
  for (const warning of rowWarnings) warnings.add(warning);
  const errors: TargetError[] = rowErrors;

  const years = new Map<number, PlannedYear>();
  const yearOf = (fiscalYear: number) => {
    let year = years.get(fiscalYear);
    if (!year) {
      const calendar = buildFiscalYearCalendar(fiscalYear, config.calendar, isWorkingDay);
      const provisional = provisionalPeriods(calendar, working);
      year = { fiscalYear, calendar, basis: runRateBasis(calendar, asOf, isWorkingDay), provisional };
      years.set(fiscalYear, year);
      const provisionalYears = yearsOfDays(calendar).filter((y) => working.provisional(y));
      if (provisionalYears.length > 0) {
        warnings.add(
          `FY${fiscalYear}: ${provisionalYears.join(' and ')} planned on China's statutory holidays by rule (New Year, Spring Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn, National Day): the official schedule (make-up working days, bridging days off) is not published in chinese-days or a holidays export yet; the plan follows it once it is`,
        );
      }
    }
    return year;
  };

  const actuals = indexActuals(input.actuals, asOf);
  const timed = input.actuals.some((row) => row.half);
  const halves = timed ? indexHalfDayActuals(input.actuals, asOf) : null;
  const scopeActuals = (scope: string, metric: TargetMetric, calendar: FiscalYearCalendar, scale: number) =>
    actualUnits(calendar, actuals.get(scope)?.get(metric), scale, halves?.get(scope)?.get(metric));
  const sorted = [...groups].sort(
    (a, b) =>
      (a.scenario === 'plan' ? 0 : 1) - (b.scenario === 'plan' ? 0 : 1) ||
      (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0) ||
      a.fiscalYear - b.fiscalYear ||
      METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric),
  );

  // Reps of a team with no rep shares split the team by capacity, from the roster. A rep who was in
  // the team during the year is one of them though it holds a share of another team it moved from
  // or to (its target is then its parts of both); a rep with a target of its own amount is not.
  for (const group of sorted) {
    if (group.metric === 'margin_pct' || roster.size === 0) continue;
    const bounds = fiscalYearBounds(group.fiscalYear, config.calendar);
    const ownAmount = new Set(group.roots.map((t) => t.scope));
    visitScopes(group.roots, (t) => {
      const scope = parseScope(t.scope);
      if (scope?.kind !== 'team' || t.children.length > 0 || t.fromRoster) return;
      for (const entry of roster.values()) {
        if (ownAmount.has(`rep:${entry.repId}`)) continue;
        const spells = spellsInTeamDuring(entry, scope.id, bounds.start, bounds.end);
        // The last spell with a capacity sets the share; the others are weighed against it.
        const capacity = spells.filter((s) => s.capacity.greaterThan(0)).pop()?.capacity;
        if (!capacity) continue;
        t.children.push({
          scope: `rep:${entry.repId}`,
          record: t.record,
          units: null,
          share: capacity,
          children: [],
          fromRoster: true,
        });
      }
    });
  }

  // margin_pct needs the revenue target of the same scenario, year and scope to weight it by.
  const revenueScopes = new Map<string, Set<string>>();
  for (const group of sorted) {
    if (group.metric !== 'revenue') continue;
    const scopes = new Set<string>();
    visitScopes(group.roots, (t) => scopes.add(t.scope));
    revenueScopes.set(planKey(group.scenario, group.fiscalYear), scopes);
  }
  const marginNeeds = new Set<string>();
  for (const group of sorted) {
    if (group.metric !== 'margin_pct') continue;
    const scopes = revenueScopes.get(planKey(group.scenario, group.fiscalYear));
    group.roots = group.roots.filter((root) => {
      if (scopes?.has(root.scope)) {
        marginNeeds.add(planKey(group.scenario, group.fiscalYear, root.scope));
        return true;
      }
      const r = root.record;
      errors.push({
        code: 'no_revenue_target',
        source_line: r.source_line,
        ...(r.export_id === undefined ? {} : { export_id: r.export_id }),
        fiscal_year: r.fiscal_year,
        scope: root.scope,
        metric: r.metric,
        message: `${rowPlace(r, input.exports)}: margin_pct target for ${root.scope} in FY${r.fiscal_year}${group.scenario === 'plan' ? '' : ` (${group.scenario})`} has no revenue target to weight it by`,
      });
      return false;
    });
  }

  const replanRules = {
    allowNegative: config.allowNegative,
    catchUpCap: fraction(config.replan.catchUpCap),
    shortfallTo: config.replan.shortfallTo,
  };

  // Calendars and phasing up front (their warnings belong to the result); scopes when iterated.
  let rowCount = 0;
  const planned = sorted
    .filter((group) => group.roots.length > 0)
    .map((group) => {
      const { fiscalYear, metric } = group;
      const year = yearOf(fiscalYear);
      // A margin is split by its revenue's weights; its own phasing is never used.
      const phasingMetric = metric === 'margin_pct' ? 'revenue' : metric;
      let lastYear: LastYearActuals | undefined;
      if (config.phasing.kind === 'last_year') {
        if (input.lastYearActuals) lastYear = input.lastYearActuals[phasingMetric];
        else {
          const restated = lastYearPhasingActuals(input.actuals, fiscalYear, config.calendar, asOf);
          for (const warning of restated.warnings) warnings.add(warning);
          lastYear = restated.actuals[phasingMetric];
        }
      }
      const phasing = phasingWeights(
        year.calendar,
        working,
        config.phasing,
        lastYear,
        `FY${fiscalYear} ${phasingMetric}`,
      );
      for (const warning of phasing.warnings) warnings.add(warning);
      rowCount += countScopes(group.roots) * year.calendar.periods.length;
      return { group, year, childWeights: phasing.childWeights };
    });

  function* series(): Generator<PlannedSeries> {
    const revenueOf = new Map<string, PlannedSeries>();
    for (const { group, year, childWeights } of planned) {
      const { fiscalYear, metric, scenario } = group;
      const { calendar } = year;
      const scale = scaleOf(metric);
      const options = (scope: string, units: ActualUnits): ReplanOptions => {
        const entry = repEntry(scope);
        const halfDayActuals = units.halves;
        return {
          ...replanRules,
          asOf,
          isWorkingDay,
          childWeights,
          ...(entry ? { activeDay: (day: EpochDay) => onRoster(entry, day) } : {}),
          ...(halfDayActuals ? { halfDayActuals } : {}),
        };
      };
      if (metric === 'margin_pct') {
        for (const root of group.roots) {
          const revenue = revenueOf.get(planKey(scenario, fiscalYear, root.scope));
          if (!revenue) continue;
          // A margin's half-days split its profit, in the units of money.
          const profit = scopeActuals(root.scope, 'profit', calendar, revenue.scale);
          yield marginSeries(root, revenue, profit, options(root.scope, profit), timed);
        }
        continue;
      }
      for (const [scope, original] of breakDownGroup(group, calendar, childWeights, rosterOf)) {
        const units = scopeActuals(scope, metric, calendar, scale);
        const { target, unrecoverable } = replanScope(calendar, original, units.days, options(scope, units));
        const actual = actualsPerPeriod(calendar, units.days);
        if (timed) closedHalfDayActuals(calendar, asOf, target, actual);
        const planned: PlannedSeries = {
          fiscalYear,
          scenario,
          scope,
          metric,
          scale,
          original,
          target,
          actual,
          year,
          unrecoverable,
          halfDayActuals: timed,
        };
        const key = planKey(scenario, fiscalYear, scope);
        if (metric === 'revenue' && marginNeeds.has(key)) revenueOf.set(key, planned);
        yield planned;
      }
    }
  }

  /**
   * A margin target: the revenue target x the rate is the profit it implies; that profit is split
   * over time by the revenue's original targets (exactly, by largest remainder) and re-planned like
   * any profit target against actual profit; each period's rate is its implied profit / its revenue.
   */
  function marginSeries(
    root: ScopeTarget,
    revenue: PlannedSeries,
    profit: ActualUnits,
    options: ReplanOptions,
    halfDayActuals: boolean,
  ): PlannedSeries {
    const { calendar } = revenue.year;
    const { periods } = calendar;
    const rate = root.record.amount;
    const revenueYear = revenue.original[0] as bigint;
    const impliedYear = toUnscaled(rate.times(revenueYear.toString()).dividedBy(100), 0);
    const implied = new Array<bigint>(periods.length).fill(0n);
    implied[0] = impliedYear;
    for (const period of periods) {
      if (period.children.length === 0) continue;
      const weights = period.children.map((c) => revenue.original[c] as bigint);
      const sum = weights.reduce((a, b) => a + b, 0n);
      const parts = allocateInt(
        implied[period.index] as bigint,
        sum === 0n ? { weights: weights.map(() => 1n), sum: BigInt(weights.length) } : { weights, sum },
      );
      period.children.forEach((c, i) => {
        implied[c] = parts[i] as bigint;
      });
    }
    const { target: impliedTarget } = replanScope(calendar, implied, profit.days, options);
    const profitActual = actualsPerPeriod(calendar, profit.days);
    if (halfDayActuals) closedHalfDayActuals(calendar, asOf, impliedTarget, profitActual);
    const ratio = (profit: readonly bigint[], sales: readonly bigint[]) =>
      periods.map((p) => {
        const base = sales[p.index] as bigint;
        return base === 0n
          ? 0n
          : divideHalfEven((profit[p.index] as bigint) * 10n ** BigInt(RATE_SCALE + 2), base);
      });
    return {
      fiscalYear: revenue.fiscalYear,
      scenario: revenue.scenario,
      scope: root.scope,
      metric: 'margin_pct',
      scale: RATE_SCALE,
      original: ratio(implied, revenue.original),
      target: ratio(impliedTarget, revenue.target),
      actual: ratio(profitActual, revenue.actual),
      year: revenue.year,
      unrecoverable: new Array<bigint>(periods.length).fill(0n),
      halfDayActuals,
      rate: true,
    };
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
    closedBefore: toIsoDate(asOf),
  };
}

/** Calls `visit` on every scope of a forest, parents first. */
function visitScopes(targets: readonly ScopeTarget[], visit: (target: ScopeTarget) => void): void {
  for (const target of targets) {
    visit(target);
    visitScopes(target.children, visit);
  }
}

/** The first day of the fiscal week holding `day` (weeks of the fiscal calendar, whatever weekday). */
function weekStartOf(day: EpochDay, config: TargetsConfig): EpochDay {
  const calendar = buildFiscalYearCalendar(fiscalYearOf(day, config.calendar), config.calendar);
  const index = calendar.dayIndex.get(day);
  if (index === undefined) return day;
  const week = calendar.periods[(calendar.periods[index] as Period).parent as number] as Period;
  return week.start;
}

/** A decimal share such as "0.2" as an exact fraction, or null. */
function fraction(value: string | number | null): { num: bigint; den: bigint } | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new RangeError(`catch-up cap must be a non-negative decimal, got "${text}"`);
  const decimals = match[2] ?? '';
  return { num: BigInt(`${match[1] || '0'}${decimals}`), den: 10n ** BigInt(decimals.length) };
}

/** Calendar years of a fiscal year's days, first to last. */
function yearsOfDays(calendar: FiscalYearCalendar): number[] {
  const first = ymd(calendar.bounds.start).year;
  const last = ymd(calendar.bounds.end).year;
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function provisionalPeriods(calendar: FiscalYearCalendar, working: WorkingDayCalendar): Uint8Array {
  const { periods } = calendar;
  const flags = new Uint8Array(periods.length);
  if (!yearsOfDays(calendar).some((y) => working.provisional(y))) return flags;
  for (const p of periods)
    if (p.level === 'day' && working.provisional(ymd(p.start).year)) flags[p.index] = 1;
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i] as Period;
    if (p.level === 'half_day') flags[i] = flags[p.parent as number] as number;
  }
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i] as Period;
    if (p.parent !== null && p.level !== 'half_day' && flags[i]) flags[p.parent] = 1;
  }
  return flags;
}

/**
 * With timed sales, a closed half-day's actual is its re-planned target: its own timed actual plus
 * its share of the day's untimed sales (see replan.ts), so half-day actuals add up to the day's.
 */
function closedHalfDayActuals(
  calendar: FiscalYearCalendar,
  asOf: EpochDay,
  target: readonly bigint[],
  actual: bigint[],
): void {
  for (const p of calendar.periods) {
    if (p.level === 'half_day' && p.end < asOf) actual[p.index] = target[p.index] as bigint;
  }
}

/** Scopes of a forest, each once: a rep who moved team is a child of each team but one series. */
function countScopes(targets: readonly ScopeTarget[]): number {
  const scopes = new Set<string>();
  visitScopes(targets, (t) => scopes.add(t.scope));
  return scopes.size;
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

/**
 * Why a fiscal year cannot be planned, or null: every calendar year its days touch (FY2026 of the
 * default calendar ends on 2027-01-03) needs a holiday calendar.
 */
function calendarProblem(
  fiscalYear: number,
  config: TargetsConfig,
  working: WorkingDayCalendar,
): string | null {
  if (!Number.isInteger(fiscalYear) || fiscalYear < 1900 || fiscalYear > 9998) {
    return `fiscal year ${fiscalYear} is outside the calendar (1900-9998)`;
  }
  const { start, end } = fiscalYearBounds(fiscalYear, config.calendar);
  const years: number[] = [];
  for (let y = ymd(start).year; y <= ymd(end).year; y++) years.push(y);
  const missing = years.filter((year) => !working.covers(year));
  if (missing.length === 0) return null;
  const source =
    config.workingDays.holidays.kind === 'CN'
      ? "China's official schedule (chinese-days)"
      : 'the configured holiday list';
  return `no holiday calendar for ${missing.join(' and ')}: ${source} does not cover it yet`;
}

/** A scenario's year (and scope) as a map key: ids may hold any character, `|` included. */
function planKey(scenario: string, fiscalYear: number, scope?: string): string {
  return JSON.stringify(scope === undefined ? [scenario, fiscalYear] : [scenario, fiscalYear, scope]);
}
