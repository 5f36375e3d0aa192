/**
 * A time of day as exports write it after a date or on its own: 24-hour `14:30`, `9:05:00.123`;
 * 12-hour with a marker before or after, `2:30 PM`, `下午2:30`, `12:05 上午`; and a zone after it
 * or not, `Z`, ` UTC`, `+08`, ` +08:00`, `-0530`. The zone is checked, not applied: an order's day
 * and half-day are those its system wrote (README: dates keep their written clock time).
 */
export type TimeOfDay = { hour: number; minute: number; second: number };

/** `impossible` for a recognised shape with an hour, minute, second or offset out of range. */
export function readTimeOfDay(raw: string): TimeOfDay | 'impossible' | null {
  const match = TIME.exec(raw.trim());
  if (!match) return null;
  const [, before, hours, minutes, seconds, after, zone] = match;
  if (before && after) return null;
  const marker = (before ?? after ?? '').toLowerCase().replaceAll('.', '');
  let hour = Number(hours);
  const minute = Number(minutes);
  const second = Number(seconds ?? 0);
  if (minute > 59 || second > 59 || !zoneFits(zone)) return 'impossible';
  if (marker === '') return hour > 23 ? 'impossible' : { hour, minute, second };
  if (hour < 1 || hour > 12) return 'impossible';
  if (PM_MARKERS.has(marker)) {
    if (hour < 12) hour += 12;
  } else if (hour === 12) hour = 0;
  return { hour, minute, second };
}

/**
 * The time of day in `text` read whole, else the first time found anywhere in it: timestamps come
 * in many more shapes than dates do (`3/2/2026 2:30 PM`, `Mon Mar 02 14:30:00 CST 2026`, `... UTC+8`).
 */
export function timeOfDayIn(text: string): TimeOfDay | 'impossible' | null {
  const whole = readTimeOfDay(text);
  if (whole !== null) return whole;
  const found = TIME_ANYWHERE.exec(text)?.[0];
  return found === undefined ? null : readTimeOfDay(found);
}

const MARKERS = 'am|a\\.m\\.|pm|p\\.m\\.|上午|凌晨|早上|下午|中午|晚上';
const MARKER = `(${MARKERS})`;
const TIME = new RegExp(
  `^(?:${MARKER}\\s*)?(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?(?:\\s*${MARKER})?(?:\\s*(Z|UTC|GMT|[+-]\\d{2}(?::?\\d{2})?))?$`,
  'i',
);
const TIME_ANYWHERE = new RegExp(
  `(?:(?:${MARKERS})\\s*)?(?<!\\d)\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:\\s*(?:${MARKERS})(?![a-z]))?`,
  'i',
);
/** Afternoon and evening markers; 中午 (noon) reads 12:30 as 12:30 and 1:00 as 13:00. */
const PM_MARKERS = new Set(['pm', '下午', '中午', '晚上']);

function zoneFits(zone: string | undefined): boolean {
  const offset = zone ? /^[+-](\d{2}):?(\d{2})?$/.exec(zone) : null;
  return !offset || (Number(offset[1]) <= 23 && Number(offset[2] ?? 0) <= 59);
}
