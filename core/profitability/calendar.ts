import { fromYmd, toIsoDate } from '../calendar.ts';
import type { IsoDate } from '../records.ts';

/**
 * Calendar arithmetic on ISO date strings. Transactions are compared as strings (ISO order is time
 * order) and bucketed by integer period ordinals, so the hot loops never build Date objects.
 */
export type PeriodGrain = 'month' | 'quarter' | 'year';

/** Average year length, so tenure in years does not drift with leap years. */
export const DAYS_PER_YEAR = 365.25;

export { addDays, daysBetween, toEpochDay as dayNumber } from '../calendar.ts';

/** Reads digits by char code: this runs once per transaction. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/** Consecutive integers per period: month y*12+m-1, quarter y*4+q-1, year y. */
export function periodOrdinal(date: IsoDate, grain: PeriodGrain): number {
  const year = digits(date, 0, 4);
  if (grain === 'year') return year;
  const month = digits(date, 5, 7) - 1;
  return grain === 'month' ? year * 12 + month : year * 4 + Math.floor(month / 3);
}

export function periodLabel(ordinal: number, grain: PeriodGrain): string {
  if (grain === 'year') return String(ordinal);
  if (grain === 'quarter') return `${Math.floor(ordinal / 4)}-Q${(ordinal % 4) + 1}`;
  const month = (ordinal % 12) + 1;
  return `${Math.floor(ordinal / 12)}-${month < 10 ? '0' : ''}${month}`;
}

export function periodOf(date: IsoDate, grain: PeriodGrain): string {
  return periodLabel(periodOrdinal(date, grain), grain);
}

export interface PeriodRange {
  label: string;
  grain: PeriodGrain;
  /** First day, inclusive. */
  start: IsoDate;
  /** Last day, inclusive. */
  end: IsoDate;
}

/** The ISO date of a month index (0-11, rolling over) and day, through the calendar module. */
function isoFromUtc(year: number, monthIndex: number, day: number): IsoDate {
  return toIsoDate(fromYmd(year, monthIndex + 1, day));
}

/** Spend and cost periods: `YYYY-MM`, `YYYY-Qn` or `YYYY`; null when the label is none of these. */
export function parsePeriod(label: string): PeriodRange | null {
  const text = label.trim();
  let match = /^(\d{4})-(\d{2})$/.exec(text);
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    if (month < 1 || month > 12) return null;
    return {
      label: text,
      grain: 'month',
      start: isoFromUtc(year, month - 1, 1),
      end: isoFromUtc(year, month, 0),
    };
  }
  match = /^(\d{4})-?Q([1-4])$/i.exec(text);
  if (match) {
    const year = Number(match[1]);
    const quarter = Number(match[2]);
    return {
      label: `${year}-Q${quarter}`,
      grain: 'quarter',
      start: isoFromUtc(year, (quarter - 1) * 3, 1),
      end: isoFromUtc(year, quarter * 3, 0),
    };
  }
  match = /^(\d{4})$/.exec(text);
  if (match) {
    const year = Number(match[1]);
    return { label: text, grain: 'year', start: isoFromUtc(year, 0, 1), end: isoFromUtc(year, 11, 31) };
  }
  return null;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a < b ? a : b;
}
