import type { IsoDate } from './records.ts';

/**
 * The one calendar module: proleptic Gregorian dates as ISO strings (`YYYY-MM-DD`) and as epoch days
 * (whole days since 1970-01-01), with no time zone anywhere. Finance dates are calendar days, so
 * integers avoid every time-zone and DST trap of `Date`; the conversions are Howard Hinnant's
 * days-from-civil algorithms (exact for any year), which the hot loops (a conversion per
 * transaction) need to be fast, and which property tests hold to the Temporal API's PlainDate.
 * Parsing is strict everywhere: 2025-02-30 is not a date (Date.parse rolls it over to 2 March).
 */
export type EpochDay = number;

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/** Epoch day of a year, month (1-12) and day; a day past the month's end rolls into the next. */
export function fromYmd(year: number, month: number, day: number): EpochDay {
  // Months from March, so the leap day is the year's last.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function ymd(day: EpochDay): { year: number; month: number; day: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day: dayOfMonth };
}

/** Reads digits by char code: this runs once per row on the hot paths. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** The year, month and day of a strict `YYYY-MM-DD` that names a real day, or null. */
function parts(value: string): { year: number; month: number; day: number } | null {
  if (value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return null;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  if (Number.isNaN(year + month + day) || month < 1 || month > 12 || day < 1) return null;
  return day <= daysInMonth(year, month) ? { year, month, day } : null;
}

/** A real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && parts(value) !== null;
}

/** The epoch day of an ISO date. @throws RangeError when it is not a real `YYYY-MM-DD` date. */
export function toEpochDay(date: IsoDate): EpochDay {
  const p = parts(date);
  if (!p) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return fromYmd(p.year, p.month, p.day);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function toIsoDate(day: EpochDay): IsoDate {
  const d = ymd(day);
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** The ISO date of a year, month and day when that day exists (no 2025-02-30), else null. */
export function isoDateOf(year: number, month: number, day: number): IsoDate | null {
  if (!Number.isInteger(year) || year < 0 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  return day <= daysInMonth(year, month) ? `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` : null;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return toIsoDate(toEpochDay(date) + days);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

export function weekdayOf(day: EpochDay): Weekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return (((((day + 3) % 7) + 7) % 7) + 1) as Weekday;
}

export function lastDayOfMonth(year: number, month: number): EpochDay {
  return fromYmd(year, month, daysInMonth(year, month));
}

/** `YYYY-Www` of the ISO week holding the day: the week belongs to the year of its Thursday. */
export function isoWeekLabel(day: EpochDay): string {
  const thursday = day + 4 - weekdayOf(day);
  const year = ymd(thursday).year;
  const week = Math.floor((thursday - fromYmd(year, 1, 1)) / 7) + 1;
  return `${year}-W${pad(week, 2)}`;
}

/** The date `months` calendar months after `date`, clamped to the month's last day (Jan 31 + 1 = Feb 28). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = ymd(toEpochDay(date));
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return toIsoDate(fromYmd(y, m, Math.min(day, daysInMonth(y, m))));
}
