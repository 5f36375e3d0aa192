/**
 * Which days carry targets: the weekly pattern, corrected by public holidays and make-up working days
 * (调休: in China a weekend day becomes a working day to bridge a holiday), plus company overrides.
 */
import { type Money, money } from '../money.ts';
import type { HolidayRecord, IsoDate } from '../records.ts';
import { chineseDayKind, chineseScheduleCovers } from './chinese-holidays.ts';
import type { WorkingDayConfig } from './config.ts';
import { type EpochDay, isIsoDate, toEpochDay, toIsoDate, weekdayOf, ymd } from './dates.ts';
import { TargetsConfigError } from './errors.ts';
import { statutoryHolidays } from './statutory-holidays.ts';

export interface WorkingDayCalendar {
  isWorkingDay(day: EpochDay): boolean;
  /** Whether a calendar year can be planned (else targets for it are refused). */
  covers(year: number): boolean;
  /**
   * Whether a calendar year is planned from China's statutory holidays by rule because neither the
   * package nor a `holidays` export publishes its schedule yet (make-up working days unknown).
   */
  provisional(year: number): boolean;
  /** AM and PM shares of a working day. */
  halfDayWeights: [Money, Money];
}

/** A day of a `holidays` export, normalised. */
export interface DayOverride {
  date: IsoDate;
  kind: 'holiday' | 'workday';
  name: string | null;
}

type DayKind = 'public_holiday' | 'make_up_workday' | 'ordinary';

const HOLIDAY_WORDS = new Set(['holiday', 'off', 'day off', '假日', '节假日', '休', '休息', '放假', '假']);
const WORKDAY_WORDS = new Set(['workday', 'working day', 'work', '工作日', '班', '上班', '补班', '调休上班']);

/**
 * The company-wide days of `holidays` export rows. Rows that cannot apply are left out with a warning:
 * a kind that is neither holiday nor workday, and team-scoped rows (every scope of a plan shares one
 * calendar, so a team's own days off are not planned separately yet).
 */
export function dayOverridesFromExport(records: readonly HolidayRecord[]): {
  overrides: DayOverride[];
  warnings: string[];
} {
  const overrides: DayOverride[] = [];
  const warnings: string[] = [];
  let teamRows = 0;
  for (const record of records) {
    const word = String(record.kind ?? '')
      .trim()
      .toLowerCase();
    const kind = HOLIDAY_WORDS.has(word) ? 'holiday' : WORKDAY_WORDS.has(word) ? 'workday' : null;
    if (!kind || !isIsoDate(String(record.date))) {
      warnings.push(`holidays export: ${record.date} "${record.kind}" is not a holiday or workday, left out`);
      continue;
    }
    const scope = (record.scope ?? 'company').trim();
    if (scope !== '' && scope !== 'company') {
      teamRows += 1;
      continue;
    }
    overrides.push({ date: record.date, kind, name: record.name ?? null });
  }
  if (teamRows > 0) {
    warnings.push(
      `holidays export: ${teamRows} team-scoped row(s) left out: every scope is planned on the company's calendar`,
    );
  }
  return { overrides, warnings };
}

export function buildWorkingDayCalendar(
  config: WorkingDayConfig,
  overrides: readonly DayOverride[] = [],
): WorkingDayCalendar {
  const weekdays = new Set<number>(config.workingWeekdays);
  const extraHolidays = toDaySet(config.extraHolidays, 'extraHolidays');
  const extraWorkdays = toDaySet(config.extraWorkdays, 'extraWorkdays');
  // The export overrides the package day by day; a year whose New Year's Day it lists as a holiday is
  // published by it (the official schedule always starts with New Year's Day).
  const exported = new Map<EpochDay, DayKind>();
  const exportedYears = new Set<number>();
  for (const o of overrides) {
    const day = toEpochDay(o.date);
    exported.set(day, o.kind === 'holiday' ? 'public_holiday' : 'make_up_workday');
    if (o.kind === 'holiday' && o.date.endsWith('-01-01')) exportedYears.add(ymd(day).year);
  }
  const source = config.holidays;
  let kindOf: (day: EpochDay) => DayKind;
  let covers: (year: number) => boolean;
  let provisional: (year: number) => boolean = () => false;
  switch (source.kind) {
    case 'CN': {
      const byRule = new Map<number, Set<EpochDay>>();
      provisional = (year) => !chineseScheduleCovers(year) && !exportedYears.has(year);
      kindOf = (day) => {
        const year = ymd(day).year;
        if (!provisional(year)) return chineseDayKind(toIsoDate(day));
        let days = byRule.get(year);
        if (!days) {
          days = new Set(statutoryHolidays(year).map((h) => h.day));
          byRule.set(year, days);
        }
        return days.has(day) ? 'public_holiday' : 'ordinary';
      };
      covers = () => true;
      break;
    }
    case 'none':
      kindOf = () => 'ordinary';
      covers = () => true;
      break;
    case 'list': {
      const holidays = toDaySet(source.holidays, 'holidays');
      const makeUp = toDaySet(source.makeUpWorkdays, 'makeUpWorkdays');
      const covered = source.coveredYears ? new Set(source.coveredYears) : null;
      kindOf = (day) =>
        makeUp.has(day) ? 'make_up_workday' : holidays.has(day) ? 'public_holiday' : 'ordinary';
      covers = (year) => covered === null || covered.has(year) || exportedYears.has(year);
      break;
    }
  }
  const am = money(config.halfDayWeights.am);
  const pm = money(config.halfDayWeights.pm);
  if (am.isNegative() || pm.isNegative() || am.plus(pm).isZero()) {
    throw new TargetsConfigError('half-day weights must be non-negative and not both zero');
  }
  return {
    isWorkingDay(day) {
      if (extraWorkdays.has(day)) return true;
      if (extraHolidays.has(day)) return false;
      const kind = exported.get(day) ?? kindOf(day);
      if (kind === 'make_up_workday') return true;
      if (kind === 'public_holiday') return false;
      return weekdays.has(weekdayOf(day));
    },
    covers,
    provisional,
    halfDayWeights: [am, pm],
  };
}

function toDaySet(dates: readonly string[], field: string): Set<EpochDay> {
  const days = new Set<EpochDay>();
  for (const date of dates) {
    try {
      days.add(toEpochDay(date));
    } catch {
      throw new TargetsConfigError(`${field}: "${date}" is not a YYYY-MM-DD date`);
    }
  }
  return days;
}

export function workingDaysBetween(calendar: WorkingDayCalendar, start: EpochDay, end: EpochDay): number {
  let count = 0;
  for (let day = start; day <= end; day++) if (calendar.isWorkingDay(day)) count++;
  return count;
}
