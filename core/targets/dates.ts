/**
 * Calendar arithmetic on "epoch days" (whole days since 1970-01-01, proleptic Gregorian, no time zone).
 * Targets live on calendar dates, so integers avoid every time-zone and DST trap of `Date` objects.
 */
import type { IsoDate } from '../records.ts';

export type EpochDay = number;

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  return toIsoDate(fromYmd(Number(match[1]), Number(match[2]), Number(match[3]))) === value;
}

export function fromYmd(year: number, month: number, day: number): EpochDay {
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function toEpochDay(date: IsoDate): EpochDay {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return fromYmd(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function toIsoDate(day: EpochDay): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function ymd(day: EpochDay): { year: number; month: number; day: number } {
  const date = new Date(day * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function weekdayOf(day: EpochDay): Weekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return (((((day + 3) % 7) + 7) % 7) + 1) as Weekday;
}

export function lastDayOfMonth(year: number, month: number): EpochDay {
  return fromYmd(year, month + 1, 0);
}

/** `YYYY-Www` of the ISO week holding the day: the week belongs to the year of its Thursday. */
export function isoWeekLabel(day: EpochDay): string {
  const thursday = day + 4 - weekdayOf(day);
  const year = ymd(thursday).year;
  const week = Math.floor((thursday - fromYmd(year, 1, 1)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
