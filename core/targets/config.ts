/**
 * Configuration of the target breakdown. Every field has a default below; `TargetsSettingsSchema`
 * checks the `targets` section of the configuration file before any work starts.
 */
import { z } from 'zod';
import {
  decimal,
  fields,
  flag,
  isoDate,
  listOf,
  oneOf,
  section,
  variants,
  wholeNumber,
} from '../config-schema.ts';
import type { IsoDate } from '../records.ts';
import type { Weekday } from './dates.ts';
import { TargetsConfigError } from './errors.ts';
import { validateFiscalCalendarConfig } from './fiscal-year.ts';

/**
 * When a fiscal year ends. The label of a year (FY2026) refers to its nominal span: the whole months
 * from the month after the previous year end to the year-end month; see `yearLabel`.
 */
export type FiscalYearRule =
  /** 1 January - 31 December. */
  | { kind: 'calendar_year' }
  /** Whole calendar months starting on the 1st of `startMonth` (e.g. 4 = April - March). */
  | { kind: 'fixed_month'; startMonth: number }
  /** 52/53-week year ending on the last `weekday` of `endMonth` (e.g. last Saturday of September). */
  | { kind: 'last_weekday'; endMonth: number; weekday: Weekday }
  /** 52/53-week year ending on the `weekday` nearest the last day of `endMonth` (NRF: Saturday, January). */
  | { kind: 'nearest_weekday'; endMonth: number; weekday: Weekday };

/** Weeks per month inside each 13-week quarter, or plain calendar months. */
export type PeriodPattern = '4-4-5' | '4-5-4' | '5-4-4' | 'calendar_months';

export interface FiscalCalendarConfig {
  yearRule: FiscalYearRule;
  pattern: PeriodPattern;
  /**
   * Which calendar year names the fiscal year: `start` = the year of the first nominal month (NRF:
   * FY2023 runs Feb 2023 - Jan 2024), `end` = the year of the last nominal month (FY2024 = Oct 2023 -
   * Sep 2024).
   */
  yearLabel: 'start' | 'end';
  /** Fiscal month (1-12) that takes the 53rd week in 53-week years; 12 = the last month. */
  week53Month: number;
  /**
   * First day of a week for calendar-month years, whose weeks are cut at month ends. 52/53-week years
   * start their weeks on the day after the year-end weekday, whatever this says.
   */
  weekStart: Weekday;
}

export type HolidaySource =
  /** China's official holidays and make-up working days, from the `chinese-days` package. */
  | { kind: 'CN' }
  /** Only the weekly pattern (plus the extra lists below). */
  | { kind: 'none' }
  /**
   * Any other country: explicit lists. `coveredYears`, when given, are the calendar years the lists
   * are complete for; a target whose fiscal year needs another year is an error (no calendar).
   */
  | { kind: 'list'; holidays: IsoDate[]; makeUpWorkdays: IsoDate[]; coveredYears?: number[] };

export interface WorkingDayConfig {
  workingWeekdays: Weekday[];
  holidays: HolidaySource;
  /** Company days off on top of the source (e.g. a shutdown day). */
  extraHolidays: IsoDate[];
  /** Company working days on top of the source (e.g. a Saturday sales event). */
  extraWorkdays: IsoDate[];
  /** Share of a working day's target in the morning and the afternoon. */
  halfDayWeights: { am: string | number; pm: string | number };
}

/** How a year's target is spread over quarters and months; weeks and days follow working days. */
export type Phasing =
  | { kind: 'working_days' }
  /** Four seasonality weights, Q1..Q4; months within a quarter by working days. */
  | { kind: 'quarters'; weights: (string | number)[] }
  /** Twelve seasonality weights, fiscal M01..M12. */
  | { kind: 'months'; weights: (string | number)[] }
  /**
   * Last year's actuals per fiscal month or quarter (`planTargets` input `lastYearActuals`); falls back
   * to working days, with a warning, for a metric that has none.
   */
  | { kind: 'last_year' };

/** How the sales roster (`reps` export) splits a team's target among its reps. */
export interface RosterConfig {
  /**
   * Share of a full target in each month after a rep's `started_on` (month 1, 2, ...); from the month
   * after the last, the full target. A rep's own `ramp_months` N replaces it with 1/(N+1) .. N/(N+1).
   */
  ramp: (string | number)[];
}

/** Weekly re-planning rules. */
export interface ReplanConfig {
  /**
   * No remaining day's target rises more than this share above its original (0.2 = +20 %); what
   * cannot be spread under the cap is reported as the unrecoverable gap. Null: no cap.
   */
  catchUpCap: string | number | null;
  /** Where a shortfall goes: the rest of the year, or the rest of its own quarter. */
  shortfallTo: 'year' | 'quarter';
}

export interface TargetsConfig {
  calendar: FiscalCalendarConfig;
  workingDays: WorkingDayConfig;
  phasing: Phasing;
  /** Let re-planning give negative remaining targets when actuals already exceed the annual target. */
  allowNegative: boolean;
  /** Decimal places of money targets (the smallest currency unit); counts are always whole. */
  moneyScale: number;
  /** Revenue actuals net of returns (net sales), as sales targets are usually measured. */
  revenueNetOfReturns: boolean;
  roster: RosterConfig;
  replan: ReplanConfig;
}

/**
 * Defaults: the 13-week-quarter calendar of the seed document, as a 52/53-week year ending on the
 * Sunday nearest 31 December, so weeks run Monday-Sunday and fiscal weeks coincide with ISO weeks
 * (FY2026 = ISO year 2026 = 2025-12-29 .. 2027-01-03, 53 weeks); 4-4-5 months; the 53rd week goes to
 * the last month. Working days Monday-Friday with China's holidays and make-up days; half-days 50/50.
 */
export const DEFAULT_TARGETS_CONFIG: TargetsConfig = {
  calendar: {
    yearRule: { kind: 'nearest_weekday', endMonth: 12, weekday: 7 },
    pattern: '4-4-5',
    yearLabel: 'start',
    week53Month: 12,
    weekStart: 1,
  },
  workingDays: {
    workingWeekdays: [1, 2, 3, 4, 5],
    holidays: { kind: 'CN' },
    extraHolidays: [],
    extraWorkdays: [],
    halfDayWeights: { am: '0.5', pm: '0.5' },
  },
  phasing: { kind: 'working_days' },
  allowNegative: false,
  moneyScale: 2,
  revenueNetOfReturns: true,
  roster: { ramp: ['0.25', '0.5', '0.75'] },
  replan: { catchUpCap: null, shortfallTo: 'year' },
};

/** Defaults overlaid with a partial config, one level deep per section. */
export function withTargetsDefaults(partial: {
  calendar?: Partial<FiscalCalendarConfig>;
  workingDays?: Partial<WorkingDayConfig>;
  phasing?: Phasing;
  allowNegative?: boolean;
  moneyScale?: number;
  revenueNetOfReturns?: boolean;
  roster?: Partial<RosterConfig>;
  replan?: Partial<ReplanConfig>;
}): TargetsConfig {
  const defaults = DEFAULT_TARGETS_CONFIG;
  return {
    calendar: { ...defaults.calendar, ...partial.calendar },
    workingDays: { ...defaults.workingDays, ...partial.workingDays },
    phasing: partial.phasing ?? defaults.phasing,
    allowNegative: partial.allowNegative ?? defaults.allowNegative,
    moneyScale: partial.moneyScale ?? defaults.moneyScale,
    revenueNetOfReturns: partial.revenueNetOfReturns ?? defaults.revenueNetOfReturns,
    roster: { ...defaults.roster, ...partial.roster },
    replan: { ...defaults.replan, ...partial.replan },
  };
}

const month = wholeNumber(1, 12);
const weekday = wholeNumber(1, 7);
const dates = listOf(isoDate(), 'dates YYYY-MM-DD');
/** Seasonality weights: shares in any unit (they are normalised), not all zero. */
const weights = (count: number, what: string) =>
  listOf(decimal(0), `${count} ${what} weights`)
    .length(count, { error: `expected ${count} ${what} weights` })
    .refine((w) => w.some((x) => Number(x) > 0), { error: `expected ${what} weights that are not all zero` });

/** The `targets` section of the configuration file; every key optional, unknown keys refused. */
export const TargetsSettingsSchema = section({
  calendar: section({
    yearRule: variants('kind', [
      fields({ kind: z.literal('calendar_year') }),
      fields({ kind: z.literal('fixed_month'), startMonth: month }),
      fields({ kind: z.literal('last_weekday'), endMonth: month, weekday }),
      fields({ kind: z.literal('nearest_weekday'), endMonth: month, weekday }),
    ]),
    pattern: oneOf(['4-4-5', '4-5-4', '5-4-4', 'calendar_months']),
    yearLabel: oneOf(['start', 'end']),
    week53Month: month,
    weekStart: weekday,
  }),
  workingDays: section({
    workingWeekdays: listOf(weekday, 'weekdays 1 (Monday) to 7 (Sunday)'),
    holidays: variants('kind', [
      fields({ kind: z.literal('CN') }),
      fields({ kind: z.literal('none') }),
      fields({
        kind: z.literal('list'),
        holidays: dates,
        makeUpWorkdays: dates,
        coveredYears: listOf(wholeNumber(1900, 2200), 'years').optional(),
      }),
    ]),
    extraHolidays: dates,
    extraWorkdays: dates,
    halfDayWeights: fields({ am: decimal(0), pm: decimal(0) }).refine(
      (w) => Number(w.am) + Number(w.pm) > 0,
      { error: 'expected am and pm weights that are not both zero' },
    ),
  }),
  phasing: variants('kind', [
    fields({ kind: z.literal('working_days') }),
    fields({ kind: z.literal('quarters'), weights: weights(4, 'quarter') }),
    fields({ kind: z.literal('months'), weights: weights(12, 'month') }),
    fields({ kind: z.literal('last_year') }),
  ]),
  allowNegative: flag(),
  // The targets table stores cents: a finer scale would be rounded cell by cell there, and its
  // breakdowns would no longer add up.
  moneyScale: wholeNumber(0, 2),
  revenueNetOfReturns: flag(),
  roster: section({
    ramp: listOf(decimal(0, 1), 'ramp shares per month, each 0 to 1').max(36, {
      error: 'expected at most 36 ramp months',
    }),
  }),
  replan: section({
    catchUpCap: decimal(0).nullable(),
    shortfallTo: oneOf(['year', 'quarter']),
  }),
}).superRefine((settings, ctx) => {
  // The year rule and the period pattern only make sense together, so they are checked as one
  // calendar (with the defaults filled in) rather than left to fail when the weekly job runs.
  try {
    validateFiscalCalendarConfig(
      withTargetsDefaults(settings as Parameters<typeof withTargetsDefaults>[0]).calendar,
    );
  } catch (error) {
    if (!(error instanceof TargetsConfigError)) throw error;
    ctx.addIssue({ code: 'custom', path: ['calendar'], message: error.message });
  }
});
