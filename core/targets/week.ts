import type { IsoDate } from '../records.ts';
import { fromYmd, toIsoDate, weekdayOf } from './dates.ts';

/**
 * The Monday that starts ISO week `YYYY-Www` (the weekly re-plan runs as of that day: every day
 * before it is closed). Returns null for a label that is not a week of that year.
 */
export function mondayOfIsoWeek(label: string): IsoDate | null {
  const match = /^(\d{4})-W(\d{2})$/.exec(label);
  if (!match) return null;
  const year = Number(match[1]);
  const week = Number(match[2]);
  const jan4 = fromYmd(year, 1, 4);
  const firstMonday = jan4 - (weekdayOf(jan4) - 1);
  const monday = firstMonday + (week - 1) * 7;
  const nextYearFirstMonday = fromYmd(year + 1, 1, 4) - (weekdayOf(fromYmd(year + 1, 1, 4)) - 1);
  if (week < 1 || monday >= nextYearFirstMonday) return null;
  return toIsoDate(monday);
}

/** The Monday on or before a date. */
export function mondayOf(date: IsoDate): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = fromYmd(y, m, d);
  return toIsoDate(day - (weekdayOf(day) - 1));
}
