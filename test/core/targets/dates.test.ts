import { describe, expect, it } from 'vitest';
import { isIsoDate, isoWeekLabel, toEpochDay, toIsoDate, weekdayOf } from '../../../core/targets/dates.ts';

const week = (date: string) => isoWeekLabel(toEpochDay(date));

describe('ISO weeks', () => {
  it('labels the weeks around year ends as ISO 8601 does', () => {
    // Published ISO week dates: a week belongs to the year of its Thursday.
    expect(week('2021-01-03')).toBe('2020-W53');
    expect(week('2021-01-04')).toBe('2021-W01');
    expect(week('2008-12-29')).toBe('2009-W01');
    expect(week('2010-01-03')).toBe('2009-W53');
    expect(week('2024-12-30')).toBe('2025-W01');
    expect(week('2025-12-28')).toBe('2025-W52');
    expect(week('2025-12-29')).toBe('2026-W01');
    expect(week('2026-12-31')).toBe('2026-W53');
    expect(week('2027-01-03')).toBe('2026-W53');
    expect(week('2027-01-04')).toBe('2027-W01');
  });

  it('knows weekdays and round-trips dates', () => {
    expect(weekdayOf(toEpochDay('1970-01-01'))).toBe(4);
    expect(weekdayOf(toEpochDay('2026-01-05'))).toBe(1);
    expect(weekdayOf(toEpochDay('2025-01-26'))).toBe(7);
    expect(toIsoDate(toEpochDay('2024-02-29'))).toBe('2024-02-29');
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-2-1')).toBe(false);
    expect(isIsoDate('2025-02-28')).toBe(true);
  });
});
