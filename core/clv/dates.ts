import type { IsoDate } from '../records.ts';

/** Calendar arithmetic on ISO dates through UTC day numbers (no time zones involved). */
const MS_PER_DAY = 86_400_000;

export function dayNumber(date: IsoDate): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const value = Date.UTC(year, month - 1, day) / MS_PER_DAY;
  if (!Number.isFinite(value) || date.length !== 10) throw new RangeError(`not an ISO date: ${date}`);
  return value;
}

export function fromDayNumber(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}
