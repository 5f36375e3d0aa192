/**
 * Which days carry targets: the weekly pattern, corrected by public holidays and make-up working days
 * (调休: in China a weekend day becomes a working day to bridge a holiday), plus company overrides.
 */
import { type Money, money } from '../money.ts';
import { chineseDayKind, chineseScheduleCovers } from './chinese-holidays.ts';
import type { WorkingDayConfig } from './config.ts';
import { type EpochDay, toEpochDay, toIsoDate, weekdayOf } from './dates.ts';
import { TargetsConfigError } from './errors.ts';

export interface WorkingDayCalendar {
  isWorkingDay(day: EpochDay): boolean;
  /** Whether the holiday source is complete for a calendar year (else targets for it are refused). */
  covers(year: number): boolean;
  /** AM and PM shares of a working day. */
  halfDayWeights: [Money, Money];
}

type DayKind = 'public_holiday' | 'make_up_workday' | 'ordinary';

export function buildWorkingDayCalendar(config: WorkingDayConfig): WorkingDayCalendar {
  const weekdays = new Set<number>(config.workingWeekdays);
  const extraHolidays = toDaySet(config.extraHolidays, 'extraHolidays');
  const extraWorkdays = toDaySet(config.extraWorkdays, 'extraWorkdays');
  const source = config.holidays;
  let kindOf: (day: EpochDay) => DayKind;
  let covers: (year: number) => boolean;
  switch (source.kind) {
    case 'CN':
      kindOf = (day) => chineseDayKind(toIsoDate(day));
      covers = chineseScheduleCovers;
      break;
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
      covers = (year) => covered === null || covered.has(year);
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
      const kind = kindOf(day);
      if (kind === 'make_up_workday') return true;
      if (kind === 'public_holiday') return false;
      return weekdays.has(weekdayOf(day));
    },
    covers,
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
