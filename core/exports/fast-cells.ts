/**
 * Fast paths of the value parsers for the cells that make up nearly every row of a big export:
 * plain ids, `YYYY-MM-DD` dates, `-1234.56` amounts, `42` quantities. Each returns the same value
 * the full parser in values.ts would, or a "not simple" answer (NaN / null), after which the row
 * goes through the full parser, which also words the reason when the cell is wrong. A property
 * test holds every fast path to its full parser.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Epoch day of a valid `YYYY-MM-DD` between 1900 and 2999, else NaN. */
export function fastEpochDay(raw: string): number {
  if (raw.length !== 10 || raw.charCodeAt(4) !== 45 || raw.charCodeAt(7) !== 45) return Number.NaN;
  const year = digitsAt(raw, 0, 4);
  const month = digitsAt(raw, 5, 2);
  const day = digitsAt(raw, 8, 2);
  if (!(year >= 1900 && year <= 2999 && month >= 1 && month <= 12 && day >= 1)) return Number.NaN;
  const leap = month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0)) return Number.NaN;
  return daysFromCivil(year, month, day);
}

/** Up to 13 whole digits keeps every amount's cents below 2^53, so the number is exact. */
const MAX_FAST_WHOLE_DIGITS = 13;

/** Integer cents of `-?\d{1,13}(\.\d{1,2})?`, else NaN. */
export function fastCents(raw: string): number {
  const length = raw.length;
  let i = 0;
  const negative = length > 0 && raw.charCodeAt(0) === 45;
  if (negative) i = 1;
  let whole = 0;
  const wholeStart = i;
  for (; i < length; i++) {
    const digit = raw.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    whole = whole * 10 + digit;
  }
  const wholeDigits = i - wholeStart;
  if (wholeDigits === 0 || wholeDigits > MAX_FAST_WHOLE_DIGITS) return Number.NaN;
  let cents = whole * 100;
  if (i < length) {
    if (raw.charCodeAt(i) !== 46) return Number.NaN;
    const decimals = length - i - 1;
    if (decimals === 1) cents += digitsAt(raw, i + 1, 1) * 10;
    else if (decimals === 2) cents += digitsAt(raw, i + 1, 2);
    else return Number.NaN;
  }
  return negative && cents !== 0 ? -cents : cents;
}

/** `-?\d{1,15}` as a number, else NaN. */
export function fastInteger(raw: string): number {
  const length = raw.length;
  const start = length > 0 && raw.charCodeAt(0) === 45 ? 1 : 0;
  if (length - start < 1 || length - start > 15) return Number.NaN;
  const value = digitsAt(raw, start, length - start);
  return start === 1 && value !== 0 ? -value : value;
}

/** Printable ASCII or CJK: characters that `trim()` never removes. */
function untrimmable(code: number): boolean {
  return (code > 32 && code < 127) || (code >= 0x4e00 && code <= 0x9fff);
}

/**
 * What the fast paths leave to the full parser: C0 controls but tab, and DEL (quarantined there;
 * a line break too, which only a quote left open puts in a cell), and `+`, which an id a
 * spreadsheet shortened to `1.23457E+11` holds (quarantined there; other cells with it are
 * taken, a little more slowly).
 */
function forbiddenControl(code: number): boolean {
  return code < 32 ? code !== 9 : code === 127 || code === PLUS;
}

const PLUS = 0x2b;
/** `=`: Excel's text-keeping `="00123"` starts so, and the full parser reads the text inside. */
const EQUALS = 0x3d;

/** The cell itself when it needs no trimming, holds no forbidden control and is not too long, else null. */
export function fastText(raw: string): string | null {
  const length = raw.length;
  if (length === 0 || length > 1000) return null;
  if (!(untrimmable(raw.charCodeAt(0)) && untrimmable(raw.charCodeAt(length - 1)))) return null;
  if (raw.charCodeAt(0) === EQUALS) return null;
  for (let i = 0; i < length; i++) if (forbiddenControl(raw.charCodeAt(i))) return null;
  return raw;
}

/*
 * The same fast paths on UTF-8 bytes `bytes[start, end)`, for exports read without decoding every
 * cell to a string. Each agrees with its string twin on the same text (property-tested).
 */

function digitsOfBytes(bytes: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

export function fastEpochDayBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start !== 10 || bytes[start + 4] !== 45 || bytes[start + 7] !== 45) return Number.NaN;
  const year = digitsOfBytes(bytes, start, 4);
  const month = digitsOfBytes(bytes, start + 5, 2);
  const day = digitsOfBytes(bytes, start + 8, 2);
  if (!(year >= 1900 && year <= 2999 && month >= 1 && month <= 12 && day >= 1)) return Number.NaN;
  const leap = month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0)) return Number.NaN;
  return daysFromCivil(year, month, day);
}

export function fastCentsBytes(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = end > start && bytes[start] === 45;
  if (negative) i += 1;
  let whole = 0;
  const wholeStart = i;
  for (; i < end; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) break;
    whole = whole * 10 + digit;
  }
  const wholeDigits = i - wholeStart;
  if (wholeDigits === 0 || wholeDigits > MAX_FAST_WHOLE_DIGITS) return Number.NaN;
  let cents = whole * 100;
  if (i < end) {
    if (bytes[i] !== 46) return Number.NaN;
    const decimals = end - i - 1;
    if (decimals === 1) cents += digitsOfBytes(bytes, i + 1, 1) * 10;
    else if (decimals === 2) cents += digitsOfBytes(bytes, i + 1, 2);
    else return Number.NaN;
  }
  return negative && cents !== 0 ? -cents : cents;
}

export function fastIntegerBytes(bytes: Uint8Array, start: number, end: number): number {
  const first = end > start && bytes[start] === 45 ? start + 1 : start;
  if (end - first < 1 || end - first > 15) return Number.NaN;
  const value = digitsOfBytes(bytes, first, end - first);
  return first > start && value !== 0 ? -value : value;
}

/** The code point of a 3-byte UTF-8 sequence at `at` if it is a CJK ideograph, else -1. */
function cjkAt(bytes: Uint8Array, at: number): number {
  const lead = bytes[at] as number;
  if (lead < 0xe4 || lead > 0xe9) return -1;
  const second = bytes[at + 1] as number;
  const third = bytes[at + 2] as number;
  if ((second & 0xc0) !== 0x80 || (third & 0xc0) !== 0x80) return -1;
  const code = ((lead & 0x0f) << 12) | ((second & 0x3f) << 6) | (third & 0x3f);
  return code >= 0x4e00 && code <= 0x9fff ? code : -1;
}

const PLAIN_BYTE = 0;
const CONTROL_BYTE = 1;
const NON_ASCII_BYTE = 2;
/** What each byte of a text cell is, so the loop over every byte costs one lookup a byte. */
const TEXT_BYTES = Uint8Array.from({ length: 256 }, (_, b) =>
  b >= 0x80 ? NON_ASCII_BYTE : forbiddenControl(b) ? CONTROL_BYTE : PLAIN_BYTE,
);

/**
 * Well-formed UTF-8 (what TextDecoder would decode without replacement characters) without a
 * forbidden control character.
 */
function wellFormedText(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      if (TEXT_BYTES[b] === CONTROL_BYTE) return false;
      i += 1;
      continue;
    }
    let extra: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      extra = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      extra = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      extra = 3;
      min = 0x10000;
    } else return false;
    if (i + extra >= end) return false;
    let code = b & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k] as number;
      if (i + k >= end || (next & 0xc0) !== 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

/**
 * Whether the text cell `bytes[start, end)` can be taken as it is: not too long, well-formed, free
 * of forbidden control characters, and starting and ending with a character `trim()` never removes
 * (printable ASCII or CJK).
 */
export function fastTextBytes(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (length === 0 || length > 1000) return false;
  const first = bytes[start] as number;
  if (!((first > 32 && first < 127) || cjkAt(bytes, start) !== -1)) return false;
  if (first === EQUALS) return false;
  const last = bytes[end - 1] as number;
  if (!((last > 32 && last < 127) || (length >= 3 && cjkAt(bytes, end - 3) !== -1))) return false;
  for (let i = start; i < end; i++) {
    const kind = TEXT_BYTES[bytes[i] as number];
    // Bytes before i are plain ASCII: the rest is checked from the first non-ASCII one on.
    if (kind !== PLAIN_BYTE) return kind === NON_ASCII_BYTE && wellFormedText(bytes, i, end);
  }
  return true;
}
