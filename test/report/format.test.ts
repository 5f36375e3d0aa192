import { describe, expect, it } from 'vitest';
import {
  createFormatter,
  fill,
  groupThousands,
  isDecimalString,
  LOCALES,
  messagesFor,
  parseDecimal,
  roundDecimal,
} from '../../core/i18n/index.ts';

const round = (text: string, digits: number) => {
  const r = roundDecimal(parseDecimal(text)!, digits);
  return `${r.negative ? '-' : ''}${r.integer}${r.fraction ? `.${r.fraction}` : ''}`;
};

describe('exact decimal strings', () => {
  it('parses what DuckDB writes and refuses the rest', () => {
    expect(parseDecimal('-1234.50')).toEqual({ negative: true, integer: '1234', fraction: '50' });
    expect(parseDecimal('007')).toEqual({ negative: false, integer: '7', fraction: '' });
    expect(parseDecimal('.5')).toEqual({ negative: false, integer: '0', fraction: '5' });
    for (const bad of ['', '1e5', '1,234', 'abc', '1.2.3', 'NaN']) expect(isDecimalString(bad)).toBe(false);
  });

  it('rounds half to even as digits, carrying across the point', () => {
    expect(round('82.890509', 1)).toBe('82.9');
    expect(round('0.125', 2)).toBe('0.12');
    expect(round('0.135', 2)).toBe('0.14');
    expect(round('0.1250001', 2)).toBe('0.13');
    expect(round('9.995', 2)).toBe('10.00');
    expect(round('999.5', 0)).toBe('1000');
    expect(round('2.5', 0)).toBe('2');
    expect(round('-0.001', 2)).toBe('0.00');
    expect(round('12', 2)).toBe('12.00');
  });

  it('groups thousands', () => {
    expect(groupThousands('1234567', ',')).toBe('1,234,567');
    expect(groupThousands('123', ',')).toBe('123');
  });
});

describe('locale formatting', () => {
  const en = createFormatter('en', 'CNY');
  const zh = createFormatter('zh-CN', 'CNY');

  it('formats amounts with the configured currency, exactly, beyond float precision', () => {
    expect(zh.amount('1234.5')).toBe('¥1,234.50');
    expect(en.amount('1234.5')).toBe('CN¥1,234.50');
    expect(zh.amount('-12345678901234567.89')).toBe('-¥12,345,678,901,234,567.89');
    expect(en.amount('90071992547409931.07')).toBe('CN¥90,071,992,547,409,931.07');
    expect(en.amount(1234.5)).toBe('CN¥1,234.50');
    expect(createFormatter('en', 'USD').amount('5')).toBe('$5.00');
    expect(createFormatter('en', 'JPY').amount('1234')).toBe('¥1,234');
  });

  it('formats percentages given in percent units, counts, and missing values', () => {
    expect(en.percent('82.890509')).toBe('82.9%');
    expect(zh.percent('-5384.65')).toBe('-5,384.6%');
    expect(en.percent(12.5, 0)).toBe('13%');
    expect(en.number(1234567)).toBe('1,234,567');
    expect(en.amount(null)).toBe('—');
    expect(en.percent('not a number')).toBe('—');
  });

  it('formats dates and months for the locale without time-zone drift', () => {
    expect(en.date('2026-11-20')).toBe('Nov 20, 2026');
    expect(zh.date('2026-11-20')).toBe('2026年11月20日');
    expect(en.month('2026-01')).toBe('Jan 2026');
    expect(zh.month('2026-01')).toBe('2026年1月');
    expect(en.date('someday')).toBe('someday');
  });

  it('has compact forms for axes', () => {
    expect(en.compactNumber(5_204_553)).toBe('5.2M');
    expect(zh.compactNumber(5_204_553)).toBe('520.5万');
    expect(zh.compactAmount(0)).toBe('¥0');
  });
});

describe('message catalogues', () => {
  const shape = (value: unknown): unknown =>
    value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
      : typeof value;

  it('every locale has every message, none empty', () => {
    const [first, ...rest] = LOCALES.map((l) => messagesFor(l));
    for (const other of rest) expect(shape(other)).toEqual(shape(first));
    const strings = (value: unknown): string[] =>
      typeof value === 'string' ? [value] : Object.values(value as object).flatMap(strings);
    for (const locale of LOCALES) for (const s of strings(messagesFor(locale))) expect(s.trim()).not.toBe('');
  });

  it('fills placeholders and keeps unknown ones', () => {
    expect(fill(messagesFor('en').cli.runTitle, { asOf: '2026-11-20' })).toBe(
      'customer-value run as of 2026-11-20',
    );
    expect(fill('{a} {b}', { a: 1 })).toBe('1 {b}');
    expect(messagesFor('zh-CN').cli.customers).toBe('客户数');
  });
});
