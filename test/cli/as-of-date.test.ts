import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDate } from '../../functions/cli/run-config.ts';
import { compute } from '../../functions/compute/handler.ts';
import { UsageError } from '../../functions/local/run-local.ts';
import { isIsoDate } from '../../functions/shared/dates.ts';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isIsoDate', () => {
  it('refuses days that do not exist instead of rolling them over', () => {
    for (const date of [
      '2025-02-29',
      '2025-02-30',
      '2024-02-30',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
    ])
      expect(isIsoDate(date), date).toBe(false);
    for (const date of ['2024-02-29', '2000-02-29', '2026-04-30', '2026-12-31'])
      expect(isIsoDate(date), date).toBe(true);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
    expect(isIsoDate(20260101)).toBe(false);
  });

  it('accepts exactly the labels that name the day the calendar gives them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const label = `${year}-${pad(month, 2)}-${pad(day, 2)}`;
          const real = new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10) === label;
          expect(isIsoDate(label)).toBe(real);
        },
      ),
    );
  });
});

describe('--as-of and the compute event', () => {
  it('the CLI refuses a day that does not exist as bad input', () => {
    expect(() => checkDate('--as-of', '2025-02-30')).toThrow(UsageError);
    expect(() => checkDate('--as-of', '2025-02-30')).toThrow(
      '--as-of must be a date YYYY-MM-DD, got "2025-02-30"',
    );
    expect(() => checkDate('--as-of', '2025-02-28')).not.toThrow();
  });

  it('the compute handler refuses it before reading any settings', async () => {
    await expect(compute({ as_of: '2025-02-30' })).rejects.toThrow(
      'as_of must be a date YYYY-MM-DD, got "2025-02-30"',
    );
  });

  it('the compute handler refuses a day after today and one Athena cannot show, before reading any settings', async () => {
    // A typo of a year (2062 for 2026) was published as the newest run: LATEST items froze behind it.
    process.env.BUSINESS_TIME_ZONE = 'Asia/Shanghai';
    process.env.GLUE_DATABASE = 'customer_value_test';
    try {
      await expect(compute({ as_of: '2999-01-01' })).rejects.toThrow(
        /^as_of 2999-01-01 is after today \(\d{4}-\d{2}-\d{2} in Asia\/Shanghai\): a run is as of a day that has come$/,
      );
      await expect(compute({ as_of: '2019-12-31' })).rejects.toThrow(
        'as_of 2019-12-31 is before 2020-01-01, the first day the Athena tables show (their partition projection starts there)',
      );
    } finally {
      delete process.env.BUSINESS_TIME_ZONE;
      delete process.env.GLUE_DATABASE;
    }
  });
});
