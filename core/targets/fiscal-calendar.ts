/**
 * The period tree of one fiscal year: year -> quarters -> months -> weeks -> days (-> half-days of
 * working days). Every level partitions the year's days, and every period lies inside its parent, so a
 * breakdown can split each parent exactly among its children.
 */
import type { FiscalCalendarConfig, PeriodPattern } from './config.ts';
import { type EpochDay, isoWeekLabel, lastDayOfMonth, toIsoDate, weekdayOf, ymd } from './dates.ts';
import { type FiscalYearBounds, fiscalYearBounds, validateFiscalCalendarConfig } from './fiscal-year.ts';

export type TargetLevel = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'half_day';

export interface Period {
  /** Position in `FiscalYearCalendar.periods`. */
  index: number;
  level: TargetLevel;
  /** FY2026, FY2026-Q1, FY2026-M01, FY2026-W01, 2026-01-05, 2026-01-05-AM. */
  id: string;
  start: EpochDay;
  end: EpochDay;
  /** `start` and `end` as YYYY-MM-DD, formatted once per calendar rather than once per output row. */
  startDate: string;
  endDate: string;
  /** ISO week of the first day (YYYY-Www), shown next to the fiscal label. */
  isoWeek: string;
  parent: number | null;
  children: number[];
}

export interface FiscalYearCalendar {
  bounds: FiscalYearBounds;
  /** Level by level (year, quarters, months, weeks, days, half-days), each level in date order. */
  periods: Period[];
  /** Index of the day period of each date, by epoch day. */
  dayIndex: Map<EpochDay, number>;
}

const WEEKS_PER_MONTH: Record<Exclude<PeriodPattern, 'calendar_months'>, [number, number, number]> = {
  '4-4-5': [4, 4, 5],
  '4-5-4': [4, 5, 4],
  '5-4-4': [5, 4, 4],
};

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Builds the tree. `isWorkingDay`, when given, adds AM and PM half-days under every day: a day off's
 * are planned empty, but a re-plan gives a closed day off its sales, which its half-days must carry
 * for the half-days to add up to the year.
 */
export function buildFiscalYearCalendar(
  fiscalYear: number,
  config: FiscalCalendarConfig,
  isWorkingDay?: (day: EpochDay) => boolean,
): FiscalYearCalendar {
  validateFiscalCalendarConfig(config);
  const bounds = fiscalYearBounds(fiscalYear, config);
  const periods: Period[] = [];
  const fy = `FY${fiscalYear}`;
  const add = (level: TargetLevel, id: string, start: EpochDay, end: EpochDay, parent: number | null) => {
    const period: Period = {
      index: periods.length,
      level,
      id,
      start,
      end,
      startDate: toIsoDate(start),
      endDate: toIsoDate(end),
      isoWeek: isoWeekLabel(start),
      parent,
      children: [],
    };
    periods.push(period);
    if (parent !== null) periods[parent]?.children.push(period.index);
    return period.index;
  };

  const year = add('year', fy, bounds.start, bounds.end, null);
  const monthRanges =
    config.pattern === 'calendar_months' ? calendarMonths(bounds) : weekMonths(bounds, config);
  const quarters = [0, 1, 2, 3].map((q) => {
    const first = monthRanges[q * 3] as Range;
    const last = monthRanges[q * 3 + 2] as Range;
    return add('quarter', `${fy}-Q${q + 1}`, first.start, last.end, year);
  });
  const months = monthRanges.map((range, m) =>
    add('month', `${fy}-M${pad2(m + 1)}`, range.start, range.end, quarters[Math.floor(m / 3)] as number),
  );

  let weekNumber = 0;
  const weeks: number[] = [];
  monthRanges.forEach((range, m) => {
    for (const week of splitIntoWeeks(range, config, bounds)) {
      weekNumber += 1;
      weeks.push(add('week', `${fy}-W${pad2(weekNumber)}`, week.start, week.end, months[m] as number));
    }
  });

  const dayIndex = new Map<EpochDay, number>();
  for (const week of weeks) {
    const { start, end } = periods[week] as Period;
    for (let day = start; day <= end; day++) dayIndex.set(day, add('day', toIsoDate(day), day, day, week));
  }
  if (isWorkingDay) {
    for (const [day, index] of dayIndex) {
      add('half_day', `${toIsoDate(day)}-AM`, day, day, index);
      add('half_day', `${toIsoDate(day)}-PM`, day, day, index);
    }
  }
  return { bounds, periods, dayIndex };
}

interface Range {
  start: EpochDay;
  end: EpochDay;
}

/** Twelve months of whole weeks: 13 weeks a quarter by the pattern, the 53rd week where configured. */
function weekMonths(bounds: FiscalYearBounds, config: FiscalCalendarConfig): Range[] {
  const pattern = WEEKS_PER_MONTH[config.pattern as Exclude<PeriodPattern, 'calendar_months'>];
  const ranges: Range[] = [];
  let start = bounds.start;
  for (let m = 0; m < 12; m++) {
    const weeks = (pattern[m % 3] as number) + (bounds.weeks === 53 && m + 1 === config.week53Month ? 1 : 0);
    ranges.push({ start, end: start + weeks * 7 - 1 });
    start += weeks * 7;
  }
  return ranges;
}

function calendarMonths(bounds: FiscalYearBounds): Range[] {
  const ranges: Range[] = [];
  let start = bounds.start;
  while (start <= bounds.end) {
    const { year, month } = ymd(start);
    const end = lastDayOfMonth(year, month);
    ranges.push({ start, end });
    start = end + 1;
  }
  return ranges;
}

/**
 * Weeks of a month. Week-pattern months are whole weeks from the year start. Calendar months are cut
 * at the configured week start and at the month's ends, so a month's weeks add up to the month.
 */
function splitIntoWeeks(month: Range, config: FiscalCalendarConfig, bounds: FiscalYearBounds): Range[] {
  const weeks: Range[] = [];
  if (bounds.weeks !== null) {
    for (let start = month.start; start <= month.end; start += 7) weeks.push({ start, end: start + 6 });
    return weeks;
  }
  let start = month.start;
  while (start <= month.end) {
    const daysToNextStart = (config.weekStart - weekdayOf(start) + 7) % 7 || 7;
    const end = Math.min(start + daysToNextStart - 1, month.end);
    weeks.push({ start, end });
    start = end + 1;
  }
  return weeks;
}
