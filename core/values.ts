import { fromYmd, isoDateOf, toIsoDate } from './calendar.ts';
import { Money } from './money.ts';
import type { IsoDate } from './records.ts';
import { readTimeOfDay } from './time-of-day.ts';

/**
 * Parsers for the values finance actually types: each returns the parsed value or a plain-words
 * reason, never throws, and never routes an amount through a binary float.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/** Full-width digits and punctuation (Ｕ+FF10..) as typed on Chinese keyboards, folded to ASCII. */
export function foldFullWidth(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0xff01 && code <= 0xff5e) out += String.fromCodePoint(code - 0xfee0);
    else if (code === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}

const CURRENCY = /[¥￥$€£]|RMB|CNY|USD|EUR|元/gi;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const GROUPED_NUMBER = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;
const SPACE_GROUPED_NUMBER = /^[+-]?\d{1,3}(\s\d{3})+(\.\d*)?-?$/;

/**
 * Amounts: currency symbols, thousands separators, (parentheses) or a trailing minus for negatives,
 * full-width digits. `1,234.50`, `¥1,234.50`, `(12.00)`, `12.00-`, `－１２` all parse.
 */
export function parseAmount(raw: string): Parsed<Money> {
  const text = normaliseAmount(raw);
  if (!text.ok) return text;
  return ok(new Money(text.value));
}

const SIMPLE_AMOUNT = /^-?\d{1,16}(\.\d{1,2})?$/;

/**
 * The same amounts as exact integer cents, without building a Decimal: the ingest hot path.
 * More than two decimals is a reason, not a rounding.
 */
export function parseAmountCents(raw: string): Parsed<bigint> {
  // Most cells are plain numbers; only the others go through the full normalisation.
  const text = SIMPLE_AMOUNT.test(raw) ? ok(raw) : normaliseAmount(raw);
  if (!text.ok) return text;
  let digits = text.value;
  const negative = digits.startsWith('-');
  if (negative || digits.startsWith('+')) digits = digits.slice(1);
  const [whole = '', fraction = ''] = digits.split('.');
  if (fraction.length > 2) return fail(`"${raw}" has more than 2 decimal places`);
  if (whole.replace(/^0+/, '').length > 16) return fail(`"${raw}" is too large for an amount`);
  const cents = BigInt((whole || '0') + fraction.padEnd(2, '0'));
  return ok(negative ? -cents : cents);
}

/** Plain signed decimal text (`-1234.5`) from what finance typed, or the reason it is not an amount. */
function normaliseAmount(raw: string): Parsed<string> {
  let text = foldFullWidth(raw).trim();
  if (text === '') return fail('is empty');
  let negative = false;
  if (text.startsWith('(') && text.endsWith(')')) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  text = text.replace(CURRENCY, '').replace(/(?<!\d)\s+|\s+(?!\d)/g, '');
  // Space between digits only as a thousands separator (`1 234.50`, also U+00A0 and U+202F): `12 34`
  // was read as 1234 when it is two numbers, or one cut by a stray key.
  if (/\d\s+\d/.test(text)) {
    if (!SPACE_GROUPED_NUMBER.test(text)) return fail(`"${raw}" is not an amount`);
    text = text.replace(/\s+/g, '');
  }
  if (text.endsWith('-') && !text.startsWith('-')) {
    negative = !negative;
    text = text.slice(0, -1);
  }
  if (text.startsWith('-') && negative) return fail(`"${raw}" is not an amount`);
  const normalised = GROUPED_NUMBER.test(text) ? text.replaceAll(',', '') : text;
  if (!PLAIN_NUMBER.test(normalised)) return fail(`"${raw}" is not an amount`);
  if (!negative) return ok(normalised);
  return ok(normalised.startsWith('-') ? normalised.slice(1) : `-${normalised.replace(/^\+/, '')}`);
}

/** Whole non-negative or signed integers such as quantities. */
export function parseInteger(raw: string): Parsed<number> {
  const amount = parseAmount(raw);
  if (!amount.ok || !amount.value.isInteger()) return fail(`"${raw}" is not a whole number`);
  if (amount.value.abs().greaterThan(Number.MAX_SAFE_INTEGER)) return fail(`"${raw}" is too large`);
  return ok(amount.value.toNumber());
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Builds an ISO date after checking the calendar (no 2025-02-30); exports carry years 1900-2999. */
export function isoDate(year: number, month: number, day: number): IsoDate | null {
  return year < 1900 || year > 2999 ? null : isoDateOf(year, month, day);
}

// Excel's day 1 is 1900-01-01 and it wrongly counts 1900-02-29, so serials from 61 on are off by one;
// using 1899-12-30 as day 0 matches Excel for every date after February 1900.
const EXCEL_EPOCH_DAY = fromYmd(1899, 12, 30);

export { addDays, toEpochDay as epochDay, toIsoDate as fromEpochDay } from './calendar.ts';

/** Year, month, day, and the time of day after them if any (readTimeOfDay). */
const DATE_PATTERNS: RegExp[] = [
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](.+))?$/,
  /^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(.+))?$/,
  /^(\d{4})(\d{2})(\d{2})$/,
];

/**
 * Excel serials are taken only with 5 digits: other numbers in a date column are far more often a
 * month (`202403`), a short date (`240301`) or a year (`2024`), which as day counts would load as
 * believable wrong dates. Five digits span 1927-05-18 to 2173-10-13, inside the years `isoDate`
 * accepts.
 */
const EXCEL_SERIAL = /^\d{5}(\.\d+)?$/;
const FIRST_SERIAL = 10_000;
const LAST_SERIAL = 99_999;
const SERIAL_EXPECTED = `a 5-digit Excel serial number, ${FIRST_SERIAL} to ${LAST_SERIAL} (${toIsoDate(EXCEL_EPOCH_DAY + FIRST_SERIAL)} to ${toIsoDate(EXCEL_EPOCH_DAY + LAST_SERIAL)})`;

/**
 * Dates: `2025-03-01`, `2025/3/1`, `20250301`, `2025年3月1日`, an optional time of day (checked,
 * then dropped; the shapes readTimeOfDay reads), or a 5-digit Excel serial number (days since
 * 1899-12-30).
 */
export function parseDate(raw: string): Parsed<IsoDate> {
  const text = foldFullWidth(raw).trim();
  if (text === '') return fail('is empty');
  for (const pattern of DATE_PATTERNS) {
    const match = pattern.exec(text);
    if (!match) continue;
    const date = isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
    if (!date) return fail(`"${raw}" is not a date`);
    const time = match[4] === undefined ? undefined : readTimeOfDay(match[4]);
    if (time === null) return fail(`"${raw}" is not a date`);
    if (time === 'impossible') {
      return fail(
        `"${raw}" is not a date (its time of day is impossible: hours go to 23, minutes and seconds to 59)`,
      );
    }
    return ok(date);
  }
  if (EXCEL_SERIAL.test(text)) return ok(toIsoDate(EXCEL_EPOCH_DAY + Math.floor(Number(text))));
  if (/^\d+(\.\d+)?$/.test(text))
    return fail(`"${raw}" is not a date: a number here must be ${SERIAL_EXPECTED}`);
  return fail(`"${raw}" is not a date`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Why a text cell cannot be taken, if it holds a C0 control character other than tab and line
 * breaks (worded on their own, see validate-row.ts), or DEL: such a character is invisible in every tool
 * finance uses, so `C1` and `C1` with a NUL would load as two customers that look like one. The
 * position is in characters, to find it in an editor.
 */
export function controlCharacterProblem(raw: string): string | null {
  const match = FORBIDDEN_CONTROL.exec(raw);
  if (!match) return null;
  const code = raw.charCodeAt(match.index).toString(16).toUpperCase().padStart(4, '0');
  const position = [...raw.slice(0, match.index)].length + 1;
  return `contains control character U+${code} at character ${position} (text may hold tabs, no other control characters)`;
}

/**
 * Months `YYYY-MM` (also `2025/3`, `2025.3`, `2025年3月`, `202503`). Not `2025.1`: a spreadsheet
 * stores October typed as 2025.10 as the number 2025.1 and writes it so, which read as January
 * moved October's costs into January without a word.
 */
export function parseMonth(raw: string): Parsed<string> {
  const text = foldFullWidth(raw).trim();
  const ambiguous = ambiguousMonth(raw, text);
  if (ambiguous) return ambiguous;
  const match = /^(\d{4})(?:[-/.]|年)?(\d{1,2})月?$/.exec(text);
  if (match) {
    const month = Number(match[2]);
    if (month >= 1 && month <= 12) return ok(`${match[1]}-${pad(month)}`);
  }
  return fail(`"${raw}" is not a month (YYYY-MM)`);
}

function ambiguousMonth(raw: string, text: string): Parsed<string> | null {
  const year = /^(\d{4})\.1$/.exec(text)?.[1];
  if (!year) return null;
  return fail(
    `"${raw}" is ambiguous: a spreadsheet writes ${year}.10 (October) as ${year}.1; write ${year}-01 or ${year}-10`,
  );
}

/** Periods: a month `YYYY-MM` or a quarter `YYYY-Qn` (also `2025Q1`, `2025年第1季度`). */
export function parsePeriod(raw: string): Parsed<string> {
  const text = foldFullWidth(raw).trim().toUpperCase();
  const quarter = /^(\d{4})[- ]?Q([1-4])$/.exec(text) ?? /^(\d{4})年第?([1-4])季度?$/.exec(text);
  if (quarter) return ok(`${quarter[1]}-Q${quarter[2]}`);
  const month = parseMonth(raw);
  // parseMonth's own reason for an ambiguous month; else the period's.
  return month.ok || ambiguousMonth(raw, text)
    ? month
    : fail(`"${raw}" is not a period (YYYY-MM or YYYY-Qn)`);
}

/** Months covered by a period, so quarterly spend can be compared with monthly activity. */
export function monthsOfPeriod(period: string): string[] {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!quarter) return [period];
  const first = (Number(quarter[2]) - 1) * 3 + 1;
  return [0, 1, 2].map((offset) => `${quarter[1]}-${pad(first + offset)}`);
}

export function parseFiscalYear(raw: string): Parsed<number> {
  const text = foldFullWidth(raw).trim().replace(/^FY/i, '').replace(/年$/, '');
  const year = Number(text);
  return /^\d{4}$/.test(text) && year >= 1900 && year <= 2999
    ? ok(year)
    : fail(`"${raw}" is not a fiscal year`);
}

/** A share written as `0.25`, `25%` or `25 %`. */
export function parseShare(raw: string): Parsed<Money> {
  const text = foldFullWidth(raw).trim();
  const percent = text.endsWith('%');
  const amount = parseAmount(percent ? text.slice(0, -1) : text);
  if (!amount.ok) return fail(`"${raw}" is not a share`);
  const share = percent ? amount.value.dividedBy(100) : amount.value;
  if (share.isNegative() || share.greaterThan(1)) return fail(`"${raw}" is not a share between 0 and 1`);
  return ok(share);
}
