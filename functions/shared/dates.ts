/** Today's calendar date in a time zone (the business runs on Asia/Shanghai time by default). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** A real calendar date written YYYY-MM-DD (strict: 2025-02-30 is not one). */
export { isIsoDate } from '../../core/calendar.ts';
