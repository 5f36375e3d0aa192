import { describe, expect, it } from 'vitest';
import {
  monthsOfPeriod,
  parseAmount,
  parseDate,
  parseMonth,
  parsePeriod,
  parseShare,
} from '../../core/values.ts';

const amount = (raw: string) => {
  const parsed = parseAmount(raw);
  return parsed.ok ? parsed.value.toFixed(2) : parsed.reason;
};
const date = (raw: string) => {
  const parsed = parseDate(raw);
  return parsed.ok ? parsed.value : parsed.reason;
};

describe('amounts finance types', () => {
  it.each([
    ['1234.5', '1234.50'],
    ['1,234.50', '1234.50'],
    ['¥1,234.50', '1234.50'],
    ['￥1,234.50', '1234.50'],
    ['$ 99', '99.00'],
    ['€12.00', '12.00'],
    ['(12.00)', '-12.00'],
    ['12.00-', '-12.00'],
    ['-12', '-12.00'],
    ['１２３．４５', '123.45'],
    ['－１２', '-12.00'],
    ['1000元', '1000.00'],
    ['  7 ', '7.00'],
  ])('%s is %s', (raw, expected) => expect(amount(raw)).toBe(expected));

  it.each(['abc', '1,23', '12..5', '(-12)', '--1', '1e5', ''])('"%s" is not an amount', (raw) => {
    expect(parseAmount(raw).ok).toBe(false);
  });

  it('keeps every digit of a large amount exactly', () => {
    expect(amount('9,999,999,999,999.99')).toBe('9999999999999.99');
  });
});

describe('dates finance types', () => {
  it.each([
    ['2025-03-01', '2025-03-01'],
    ['2025/3/1', '2025-03-01'],
    ['20250301', '2025-03-01'],
    ['2025年3月1日', '2025-03-01'],
    ['2025-03-01 14:30:00', '2025-03-01'],
    ['45717', '2025-03-01'],
    ['2024-02-29', '2024-02-29'],
  ])('%s is %s', (raw, expected) => expect(date(raw)).toBe(expected));

  it.each(['2025-13-01', '2025-02-30', '2023-02-29', 'March 1', '0'])('"%s" is not a date', (raw) => {
    expect(date(raw)).toBe(raw === '' ? 'is empty' : `"${raw}" is not a date`);
  });
});

describe('periods', () => {
  it('reads months and quarters', () => {
    expect(parseMonth('2025/3')).toEqual({ ok: true, value: '2025-03' });
    expect(parseMonth('2025年3月')).toEqual({ ok: true, value: '2025-03' });
    expect(parsePeriod('2025Q2')).toEqual({ ok: true, value: '2025-Q2' });
    expect(parsePeriod('2025年第2季度')).toEqual({ ok: true, value: '2025-Q2' });
    expect(parsePeriod('2025-13').ok).toBe(false);
    expect(monthsOfPeriod('2025-Q4')).toEqual(['2025-10', '2025-11', '2025-12']);
  });

  it('reads shares as fractions or percentages', () => {
    const share = parseShare('40%');
    expect(share.ok && share.value.toString()).toBe('0.4');
    expect(parseShare('1.5').ok).toBe(false);
  });
});
