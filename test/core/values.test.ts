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

  it('takes a space between digits only as a thousands separator', () => {
    expect(amount('1 234.50')).toBe('1234.50');
    expect(amount('1\u00a0234\u202f567.00')).toBe('1234567.00');
    expect(amount('¥ 1,000.00')).toBe('1000.00');
    expect(amount('1000 元')).toBe('1000.00');
    expect(amount('1 234.50-')).toBe('-1234.50');
    // Two numbers, or one cut by a stray key: never 1234.
    expect(amount('12 34')).toBe('"12 34" is not an amount');
    expect(amount('1 23')).toBe('"1 23" is not an amount');
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

  it.each([
    '2025-13-01',
    '2025-02-30',
    '2023-02-29',
    'March 1',
    '2025-03-01 14:30 PST',
    '2025-03-01 noon',
    '2025-03-01 下午',
  ])('"%s" is not a date', (raw) => {
    expect(date(raw)).toBe(`"${raw}" is not a date`);
  });
});

describe('Excel serial dates', () => {
  const SERIAL_REASON = 'a 5-digit Excel serial number, 10000 to 99999 (1927-05-18 to 2173-10-13)';

  it.each([
    ['10000', '1927-05-18'],
    ['45717', '2025-03-01'],
    ['45717.75', '2025-03-01'],
    ['４５７１７', '2025-03-01'],
    [' 45717 ', '2025-03-01'],
    ['99999', '2173-10-13'],
  ])('%s is %s', (raw, expected) => expect(date(raw)).toBe(expected));

  // Numbers finance puts in a date column that are not day counts: a month (YYYYMM), a short date
  // (YYMMDD), a year, Excel's last day, and the days a serial of another length would land on.
  it.each(['202403', '240301', '2024', '2958465', '0', '1', '9999', '9999.5', '100000', '045717'])(
    '"%s" is not a date, and the reason says what a serial looks like',
    (raw) => {
      const parsed = parseDate(raw);
      expect(parsed).toEqual({ ok: false, reason: expect.stringContaining(`"${raw}" is not a date`) });
      expect(parsed.ok || parsed.reason).toContain(SERIAL_REASON);
    },
  );
});

describe('a date with a time of day', () => {
  it.each([
    '2024-03-01 00:00',
    '2024-03-01 9:05',
    '2024-03-01 23:59:59',
    '2024-03-01T23:59:59.999',
    '2024-03-01T12:00Z',
    '2024-03-01T12:00:00+08:00',
    '2024-03-01 12:00-0530',
    '2024/3/1 8:30',
    // What ERPs, databases and Excel write for a timestamp: an offset after a space, hours only,
    // UTC by name, 12-hour times in English and Chinese, a time after the 年月日 form.
    '2024-03-01 14:30:00+08',
    '2024-03-01 14:30:00 +08:00',
    '2024-03-01T10:00:00+08',
    '2024-03-01 14:30:00 UTC',
    '2024-03-01 14:30 GMT',
    '2024/3/1 下午2:30',
    '2024/3/1 上午12:05',
    '2024/3/1 2:30 PM',
    '2024/3/1 12:05:09 am',
    '2024年3月1日 14:30',
    '2024年3月1日 下午2:30',
  ])('%s keeps its date', (raw) => expect(date(raw)).toBe('2024-03-01'));

  it.each([
    '2024-03-01 99:99',
    '2024-03-01 24:00',
    '2024-03-01 23:60',
    '2024-03-01 12:00:60',
    '2024-03-01T25:00:00Z',
    '2024-03-01T12:00+24:00',
    '2024-03-01T12:00+08:60',
    '2024/3/1 下午13:30',
    '2024/3/1 0:30 PM',
    '2024-03-01 14:30:00 +25',
  ])('"%s" is quarantined for its impossible time', (raw) => {
    expect(date(raw)).toBe(
      `"${raw}" is not a date (its time of day is impossible: hours go to 23, minutes and seconds to 59)`,
    );
  });
});

describe('periods', () => {
  it('reads months and quarters', () => {
    expect(parseMonth('2025/3')).toEqual({ ok: true, value: '2025-03' });
    expect(parseMonth('2025年3月')).toEqual({ ok: true, value: '2025-03' });
    expect(parsePeriod('2025Q2')).toEqual({ ok: true, value: '2025-Q2' });
    expect(parsePeriod('2025年第2季度')).toEqual({ ok: true, value: '2025-Q2' });
    expect(parsePeriod('2025-13').ok).toBe(false);
    expect(parseMonth('2025.10')).toEqual({ ok: true, value: '2025-10' });
    expect(parseMonth('2025.3')).toEqual({ ok: true, value: '2025-03' });
    expect(monthsOfPeriod('2025-Q4')).toEqual(['2025-10', '2025-11', '2025-12']);
  });

  it('refuses YYYY.1: a spreadsheet writes October, 2025.10, as the number 2025.1', () => {
    const reason =
      '"2025.1" is ambiguous: a spreadsheet writes 2025.10 (October) as 2025.1; write 2025-01 or 2025-10';
    expect(parseMonth('2025.1')).toEqual({ ok: false, reason });
    expect(parsePeriod('2025.1')).toEqual({ ok: false, reason });
    expect(parseMonth('2025.01')).toEqual({ ok: true, value: '2025-01' });
    expect(parseMonth('2025/1')).toEqual({ ok: true, value: '2025-01' });
  });

  it('reads shares as fractions or percentages', () => {
    const share = parseShare('40%');
    expect(share.ok && share.value.toString()).toBe('0.4');
    expect(parseShare('1.5').ok).toBe(false);
  });
});
