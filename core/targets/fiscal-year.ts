/**
 * Where each fiscal year starts and ends, from the configured year-end rule.
 */
import type { FiscalCalendarConfig, FiscalYearRule } from './config.ts';
import { type EpochDay, lastDayOfMonth, weekdayOf, ymd } from './dates.ts';
import { TargetsConfigError } from './errors.ts';

export interface FiscalYearBounds {
  fiscalYear: number;
  start: EpochDay;
  end: EpochDay;
  /** 52 or 53 for week-based years, null for month-based years. */
  weeks: number | null;
  /** Calendar years of the nominal months (the months the label stands for), first to last. */
  nominalYears: number[];
}

/** The calendar month (1-12) the fiscal year nominally ends in. */
export function yearEndMonth(rule: FiscalYearRule): number {
  switch (rule.kind) {
    case 'calendar_year':
      return 12;
    case 'fixed_month':
      return rule.startMonth === 1 ? 12 : rule.startMonth - 1;
    case 'last_weekday':
    case 'nearest_weekday':
      return rule.endMonth;
  }
}

export function isWeekBasedYear(rule: FiscalYearRule): boolean {
  return rule.kind === 'last_weekday' || rule.kind === 'nearest_weekday';
}

/** Calendar year of the nominal last month of fiscal year `fiscalYear`. */
function nominalEndYear(fiscalYear: number, config: FiscalCalendarConfig): number {
  if (config.yearLabel === 'end') return fiscalYear;
  // Labelled by the first month: a year ending in December ends in the label year, any other the next.
  return yearEndMonth(config.yearRule) === 12 ? fiscalYear : fiscalYear + 1;
}

/** Last day of the fiscal year whose nominal end month falls in calendar year `endYear`. */
function yearEndDay(endYear: number, rule: FiscalYearRule): EpochDay {
  const month = yearEndMonth(rule);
  const monthEnd = lastDayOfMonth(endYear, month);
  switch (rule.kind) {
    case 'calendar_year':
    case 'fixed_month':
      return monthEnd;
    case 'last_weekday':
      return monthEnd - ((weekdayOf(monthEnd) - rule.weekday + 7) % 7);
    case 'nearest_weekday': {
      // Forward 0..3 days or back 1..3 days: the nearest is unique because 3 + 4 = 7.
      const forward = (rule.weekday - weekdayOf(monthEnd) + 7) % 7;
      return forward <= 3 ? monthEnd + forward : monthEnd + forward - 7;
    }
  }
}

export function validateFiscalCalendarConfig(config: FiscalCalendarConfig): void {
  const rule = config.yearRule;
  const month =
    rule.kind === 'fixed_month' ? rule.startMonth : rule.kind === 'calendar_year' ? 1 : rule.endMonth;
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new TargetsConfigError(`fiscal year month must be 1-12, got ${month}`);
  }
  if ('weekday' in rule && !isWeekday(rule.weekday)) {
    throw new TargetsConfigError(
      `fiscal year-end weekday must be 1 (Monday) to 7 (Sunday), got ${rule.weekday}`,
    );
  }
  if (!isWeekday(config.weekStart)) {
    throw new TargetsConfigError(`week start must be 1 (Monday) to 7 (Sunday), got ${config.weekStart}`);
  }
  if (!Number.isInteger(config.week53Month) || config.week53Month < 1 || config.week53Month > 12) {
    throw new TargetsConfigError(`week53Month must be a fiscal month 1-12, got ${config.week53Month}`);
  }
  const weekBased = isWeekBasedYear(rule);
  if (weekBased && config.pattern === 'calendar_months') {
    throw new TargetsConfigError(
      'a 52/53-week year needs a 4-4-5, 4-5-4 or 5-4-4 pattern, not calendar months',
    );
  }
  if (!weekBased && config.pattern !== 'calendar_months') {
    throw new TargetsConfigError(
      `the ${config.pattern} pattern needs a 52/53-week year (last_weekday or nearest_weekday rule)`,
    );
  }
}

function isWeekday(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 7;
}

export function fiscalYearBounds(fiscalYear: number, config: FiscalCalendarConfig): FiscalYearBounds {
  const endYear = nominalEndYear(fiscalYear, config);
  const start = yearEndDay(nominalEndYear(fiscalYear - 1, config), config.yearRule) + 1;
  const end = yearEndDay(endYear, config.yearRule);
  const weekBased = isWeekBasedYear(config.yearRule);
  const startYear = yearEndMonth(config.yearRule) === 12 ? endYear : endYear - 1;
  return {
    fiscalYear,
    start,
    end,
    weeks: weekBased ? (end - start + 1) / 7 : null,
    nominalYears: startYear === endYear ? [endYear] : [startYear, endYear],
  };
}

/** The fiscal year holding a date. */
export function fiscalYearOf(day: EpochDay, config: FiscalCalendarConfig): number {
  const year = ymd(day).year;
  for (const candidate of [year - 1, year, year + 1]) {
    const bounds = fiscalYearBounds(candidate, config);
    if (day >= bounds.start && day <= bounds.end) return candidate;
  }
  throw new Error(`no fiscal year holds day ${day}`); // unreachable: fiscal years tile the calendar
}
