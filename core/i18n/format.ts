import { isIsoDate } from '../calendar.ts';
import { groupThousands, parseDecimal, roundDecimal } from './decimal-string.ts';
import type { Locale } from './locale.ts';

/**
 * Locale formatting for the report and the CLI. Numbers (JS numbers, for counts and chart values) go
 * through Intl.NumberFormat; exact decimal strings (money and rates read from DuckDB) are rounded as
 * digits and laid into the locale's pattern (sign, currency symbol, separators) taken from
 * Intl.NumberFormat#formatToParts, so an amount is never passed through a float.
 */
export type Numeric = number | bigint | string;

/** Shown for a missing value (SQL NULL, an unparsable string). */
export const MISSING = '—';

type Style = 'decimal' | 'currency' | 'percent';

interface PatternOptions {
  style: Style;
  digits: number;
  currency?: string;
}

function numberFormat(locale: Locale, options: PatternOptions): Intl.NumberFormat {
  return new Intl.NumberFormat(locale, {
    style: options.style,
    ...(options.style === 'currency' ? { currency: options.currency ?? 'CNY' } : {}),
    minimumFractionDigits: options.digits,
    maximumFractionDigits: options.digits,
  });
}

/** Formats an exact decimal string with the locale's pattern; null when the text is not a decimal. */
function formatDecimalText(locale: Locale, text: string, options: PatternOptions): string | null {
  const parsed = parseDecimal(text);
  if (!parsed) return null;
  const rounded = roundDecimal(parsed, options.digits);
  // A sample with a group separator and the same sign gives the locale's pattern for this style.
  const sample = options.style === 'percent' ? 12.345 : 1234.5;
  const parts = numberFormat(locale, options).formatToParts(rounded.negative ? -sample : sample);
  const group = parts.find((p) => p.type === 'group')?.value;
  let out = '';
  let integerDone = false;
  for (const part of parts) {
    if (part.type === 'integer' || part.type === 'group') {
      if (!integerDone) out += group === undefined ? rounded.integer : groupThousands(rounded.integer, group);
      integerDone = true;
    } else if (part.type === 'fraction') out += rounded.fraction;
    else out += part.value;
  }
  return out;
}

export interface Formatter {
  readonly locale: Locale;
  readonly currency: string;
  /** Fraction digits of the currency (2 for CNY, USD and EUR; 0 for JPY). */
  readonly currencyDigits: number;
  /** A count or plain number, grouped: 1,234. */
  number(value: Numeric | null | undefined, digits?: number): string;
  /** An amount in the configured currency: ¥1,234.50 (zh-CN) or CN¥1,234.50 (en). Exact for strings. */
  amount(value: Numeric | null | undefined, digits?: number): string;
  /** A compact amount for tight spaces: ¥520万 / CN¥5.2M (rounded; not for exact figures). */
  compactAmount(value: number | null | undefined): string;
  /** A compact plain number for axis and bin labels: 5.2M / 520万. */
  compactNumber(value: number | null | undefined): string;
  /** A percentage given in percent units (82.89 -> 82.9%), as the output tables store them. */
  percent(value: Numeric | null | undefined, digits?: number): string;
  /** A date `YYYY-MM-DD`: Nov 20, 2026 / 2026年11月20日. */
  date(value: string | null | undefined): string;
  /** A month `YYYY-MM`: Nov 2026 / 2026年11月. */
  month(value: string | null | undefined): string;
}

export function createFormatter(locale: Locale, currency = 'CNY'): Formatter {
  const currencyDigits =
    new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
    2;
  const dateFormat = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
  const monthFormat = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', timeZone: 'UTC' });
  const compact = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    notation: 'compact',
    minimumFractionDigits: 0,
    maximumFractionDigits: 1,
  });

  const compactPlain = new Intl.NumberFormat(locale, {
    notation: 'compact',
    minimumFractionDigits: 0,
    maximumFractionDigits: 1,
  });

  const format = (value: Numeric | null | undefined, options: PatternOptions): string => {
    if (value === null || value === undefined) return MISSING;
    if (typeof value === 'string') return formatDecimalText(locale, value, options) ?? MISSING;
    if (typeof value === 'bigint') return formatDecimalText(locale, value.toString(), options) ?? MISSING;
    if (!Number.isFinite(value)) return MISSING;
    return numberFormat(locale, options).format(options.style === 'percent' ? value / 100 : value);
  };

  return {
    locale,
    currency,
    currencyDigits,
    number: (value, digits = 0) => format(value, { style: 'decimal', digits }),
    amount: (value, digits = currencyDigits) => format(value, { style: 'currency', digits, currency }),
    compactAmount: (value) =>
      value === null || value === undefined || !Number.isFinite(value) ? MISSING : compact.format(value),
    compactNumber: (value) =>
      value === null || value === undefined || !Number.isFinite(value) ? MISSING : compactPlain.format(value),
    // Percent strings are in percent units; the pattern's percent sign is laid around exact digits.
    percent: (value, digits = 1) => format(value, { style: 'percent', digits }),
    date: (value) => {
      if (!value) return MISSING;
      return isIsoDate(value) ? dateFormat.format(new Date(`${value}T00:00:00Z`)) : value;
    },
    month: (value) => {
      if (!value) return MISSING;
      return /^\d{4}-\d{2}$/.test(value) && isIsoDate(`${value}-01`)
        ? monthFormat.format(new Date(`${value}-01T00:00:00Z`))
        : value;
    },
  };
}
