/**
 * The first day, from `fromYear` on for two years, on which the wall-clock time `hour:minute` does
 * not exist in `timeZone` (clocks go forward past it), or null. EventBridge Scheduler skips a run
 * set for such a time, so a nightly schedule at 02:00 in Europe/Berlin loses one night a year.
 * Each day is checked against the zone's offsets half a day either side (the only ones it can
 * have then); none gives back the wall time when the time is skipped.
 */
export function firstSkippedDay(
  timeZone: string,
  hour: number,
  minute: number,
  fromYear: number,
): string | null {
  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(fromYear + 2, 0, 1);
  for (let day = start; day < end; day += DAY_MS) {
    const wall = day + (hour * 60 + minute) * 60_000;
    const offsets = new Set([offsetAt(timeZone, wall - DAY_MS / 2), offsetAt(timeZone, wall + DAY_MS / 2)]);
    const exists = [...offsets].some((offset) => wallClockOf(timeZone, wall - offset) === wall);
    if (!exists) return new Date(day).toISOString().slice(0, 10);
  }
  return null;
}

const DAY_MS = 86_400_000;

/** The zone's offset from UTC at `instant`, in ms. */
function offsetAt(timeZone: string, instant: number): number {
  return wallClockOf(timeZone, instant) - instant;
}

/** The wall-clock time in `timeZone` at `instant`, as ms of a UTC date with the same fields. */
function wallClockOf(timeZone: string, instant: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const field = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  return Date.UTC(field('year'), field('month') - 1, field('day'), field('hour') % 24, field('minute'));
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
