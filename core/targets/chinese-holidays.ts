/**
 * China's official holiday schedule (State Council announcements) from the `chinese-days` package.
 *
 * We read the package's published JSON (README: "you can use the JSON file") rather than its functions:
 * those parse and format dates in local time, so west of Greenwich they answer for the wrong day.
 * The JSON is plain data keyed by `YYYY-MM-DD`, the same in every time zone.
 */
import schedule from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

/** What the official schedule says about one date, beyond the ordinary weekly pattern. */
export type ChineseDayKind = 'public_holiday' | 'make_up_workday' | 'ordinary';

const holidays: Readonly<Record<string, string>> = schedule.holidays;
const workdays: Readonly<Record<string, string>> = schedule.workdays;

export function chineseDayKind(isoDate: string): ChineseDayKind {
  if (Object.hasOwn(workdays, isoDate)) return 'make_up_workday';
  if (Object.hasOwn(holidays, isoDate)) return 'public_holiday';
  return 'ordinary';
}

/** Name of the festival a listed date belongs to (English, Chinese), for messages and tests. */
export function chineseDayName(isoDate: string): string | null {
  return workdays[isoDate] ?? holidays[isoDate] ?? null;
}

/**
 * Whether the package holds the schedule of a year. New Year's Day is a listed holiday in every
 * published year, so an unlisted 1 January means the year is not published (yet).
 */
export function chineseScheduleCovers(year: number): boolean {
  return chineseDayKind(`${String(year).padStart(4, '0')}-01-01`) === 'public_holiday';
}
