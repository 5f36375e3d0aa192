import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  daysBetween,
  daysInMonth,
  fromYmd,
  isIsoDate,
  isoDateOf,
  isoWeekLabel,
  toEpochDay,
  toIsoDate,
  weekdayOf,
  ymd,
} from '../../core/calendar.ts';

const EPOCH = Temporal.PlainDate.from('1970-01-01');
/** Days from 0001-01-01 to 9999-12-31. */
const anyDay = fc.integer({ min: -719_162, max: 2_932_896 });
const plain = (day: number) => EPOCH.add({ days: day });

describe('the calendar, held to the Temporal API (temporal-polyfill)', () => {
  it('epoch days and ISO dates convert both ways as PlainDate does', () => {
    fc.assert(
      fc.property(anyDay, (day) => {
        const date = plain(day);
        expect(toIsoDate(day)).toBe(date.toString());
        expect(toEpochDay(date.toString())).toBe(day);
        expect(ymd(day)).toEqual({ year: date.year, month: date.month, day: date.day });
        expect(fromYmd(date.year, date.month, date.day)).toBe(day);
      }),
      { numRuns: 2000 },
    );
  });

  it('weekdays, ISO weeks, month lengths and day arithmetic agree with PlainDate', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: -4000, max: 4000 }), (day, shift) => {
        const date = plain(day);
        expect(weekdayOf(day)).toBe(date.dayOfWeek);
        expect(isoWeekLabel(day)).toBe(`${date.yearOfWeek}-W${String(date.weekOfYear).padStart(2, '0')}`);
        expect(daysInMonth(date.year, date.month)).toBe(date.daysInMonth);
        const later = date.add({ days: shift });
        if (later.year < 1 || later.year > 9999) return;
        expect(addDays(date.toString(), shift)).toBe(later.toString());
        expect(daysBetween(date.toString(), later.toString())).toBe(shift);
      }),
      { numRuns: 2000 },
    );
  });

  it('is strict: a date exists when PlainDate.from with overflow "reject" accepts it, and only then', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (year, month, day) => {
          const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          let exists = true;
          try {
            Temporal.PlainDate.from({ year, month, day }, { overflow: 'reject' });
          } catch {
            exists = false;
          }
          expect(isIsoDate(text)).toBe(exists);
          expect(isoDateOf(year, month, day)).toBe(exists ? text : null);
          if (!exists) expect(() => toEpochDay(text)).toThrow(RangeError);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('adds months as PlainDate does, clamping to the month end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -700_000, max: 2_900_000 }),
        fc.integer({ min: -240, max: 240 }),
        (day, months) => {
          const date = plain(day);
          const later = date.add({ months }, { overflow: 'constrain' });
          if (later.year < 1 || later.year > 9999) return;
          expect(addMonths(date.toString(), months)).toBe(later.toString());
        },
      ),
      { numRuns: 2000 },
    );
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
  });

  it('refuses what only looks like a date', () => {
    for (const text of [
      '2025-02-30',
      '2025-13-01',
      '2025-1-01',
      '2025/01/01',
      '2025-01-01T00:00',
      ' 2025-01-01',
      '',
      'abcd-ef-gh',
    ])
      expect(isIsoDate(text), text).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
  });
});
