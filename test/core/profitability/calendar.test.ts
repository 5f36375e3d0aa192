import { describe, expect, it } from 'vitest';
import { monthsOf } from '../../../core/profitability/acquisition-cost.ts';
import {
  addDays,
  daysBetween,
  parsePeriod,
  periodLabel,
  periodOf,
  periodOrdinal,
} from '../../../core/profitability/calendar.ts';

describe('calendar', () => {
  it('labels months, quarters and years and steps through them by ordinal', () => {
    expect(periodOf('2025-03-15', 'month')).toBe('2025-03');
    expect(periodOf('2025-03-15', 'quarter')).toBe('2025-Q1');
    expect(periodOf('2025-10-01', 'quarter')).toBe('2025-Q4');
    expect(periodOf('2025-10-01', 'year')).toBe('2025');
    expect(periodLabel(periodOrdinal('2024-12-31', 'month') + 1, 'month')).toBe('2025-01');
    expect(periodLabel(periodOrdinal('2024-12-31', 'quarter') + 1, 'quarter')).toBe('2025-Q1');
  });

  it('parses spend periods into inclusive date ranges', () => {
    expect(parsePeriod('2024-02')).toEqual({
      label: '2024-02',
      grain: 'month',
      start: '2024-02-01',
      end: '2024-02-29',
    });
    expect(parsePeriod('2025-q3')).toEqual({
      label: '2025-Q3',
      grain: 'quarter',
      start: '2025-07-01',
      end: '2025-09-30',
    });
    expect(parsePeriod('2025')).toEqual({
      label: '2025',
      grain: 'year',
      start: '2025-01-01',
      end: '2025-12-31',
    });
    expect(parsePeriod('2025-13')).toBeNull();
    expect(parsePeriod('March')).toBeNull();
  });

  it('counts days across leap years and lists the months of a period', () => {
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(monthsOf('2024-11-01', '2025-01-31')).toEqual(['2024-11', '2024-12', '2025-01']);
  });
});
