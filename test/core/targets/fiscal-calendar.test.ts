import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS_CONFIG, type FiscalCalendarConfig } from '../../../core/targets/config.ts';
import { toEpochDay, toIsoDate } from '../../../core/targets/dates.ts';
import { TargetsConfigError } from '../../../core/targets/errors.ts';
import {
  buildFiscalYearCalendar,
  type Period,
  type TargetLevel,
} from '../../../core/targets/fiscal-calendar.ts';
import { fiscalYearBounds, fiscalYearOf } from '../../../core/targets/fiscal-year.ts';

/** National Retail Federation 4-5-4: the year ends on the Saturday nearest 31 January. */
const NRF: FiscalCalendarConfig = {
  yearRule: { kind: 'nearest_weekday', endMonth: 1, weekday: 6 },
  pattern: '4-5-4',
  yearLabel: 'start',
  week53Month: 12,
  weekStart: 7,
};

const span = (fy: number, config: FiscalCalendarConfig) => {
  const b = fiscalYearBounds(fy, config);
  return { start: toIsoDate(b.start), end: toIsoDate(b.end), weeks: b.weeks };
};

const level = (periods: Period[], wanted: TargetLevel) => periods.filter((p) => p.level === wanted);
const dates = (p: Period) => [toIsoDate(p.start), toIsoDate(p.end)];

describe('NRF 4-5-4 retail calendar', () => {
  it('starts and ends the years as NRF publishes them', () => {
    expect(span(2017, NRF)).toEqual({ start: '2017-01-29', end: '2018-02-03', weeks: 53 });
    expect(span(2022, NRF)).toEqual({ start: '2022-01-30', end: '2023-01-28', weeks: 52 });
    expect(span(2023, NRF)).toEqual({ start: '2023-01-29', end: '2024-02-03', weeks: 53 });
    expect(span(2024, NRF)).toEqual({ start: '2024-02-04', end: '2025-02-01', weeks: 52 });
    expect(span(2025, NRF)).toEqual({ start: '2025-02-02', end: '2026-01-31', weeks: 52 });
  });

  it('has 53 weeks in 2000, 2006, 2012, 2017, 2023 and 2028 only', () => {
    const long = [];
    for (let fy = 2000; fy <= 2030; fy++) if (fiscalYearBounds(fy, NRF).weeks === 53) long.push(fy);
    expect(long).toEqual([2000, 2006, 2012, 2017, 2023, 2028]);
  });

  it('tiles the calendar: each year starts the day after the previous one ends', () => {
    for (let fy = 1995; fy <= 2040; fy++) {
      expect(fiscalYearBounds(fy, NRF).start).toBe(fiscalYearBounds(fy - 1, NRF).end + 1);
    }
    expect(fiscalYearOf(toEpochDay('2024-02-03'), NRF)).toBe(2023);
    expect(fiscalYearOf(toEpochDay('2024-02-04'), NRF)).toBe(2024);
  });

  it('splits FY2023 into 4-5-4 months with the 53rd week in January', () => {
    const { periods } = buildFiscalYearCalendar(2023, NRF);
    const months = level(periods, 'month');
    expect(months.map((m) => (m.end - m.start + 1) / 7)).toEqual([4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 5]);
    expect(dates(months[0] as Period)).toEqual(['2023-01-29', '2023-02-25']);
    expect(dates(months[11] as Period)).toEqual(['2023-12-31', '2024-02-03']);
    expect(dates(level(periods, 'quarter')[3] as Period)).toEqual(['2023-10-29', '2024-02-03']);
    const weeks = level(periods, 'week');
    expect(weeks).toHaveLength(53);
    expect(weeks[52]?.id).toBe('FY2023-W53');
    // NRF weeks run Sunday to Saturday.
    expect(dates(weeks[0] as Period)).toEqual(['2023-01-29', '2023-02-04']);
  });
});

describe('default calendar: 52/53 weeks ending on the Sunday nearest 31 December, 4-4-5', () => {
  const config = DEFAULT_TARGETS_CONFIG.calendar;

  it('coincides with ISO years and weeks', () => {
    expect(span(2025, config)).toEqual({ start: '2024-12-30', end: '2025-12-28', weeks: 52 });
    expect(span(2026, config)).toEqual({ start: '2025-12-29', end: '2027-01-03', weeks: 53 });
    const weeks = level(buildFiscalYearCalendar(2026, config).periods, 'week');
    weeks.forEach((w, i) => {
      expect(w.isoWeek).toBe(`2026-W${String(i + 1).padStart(2, '0')}`);
      expect(w.id).toBe(`FY2026-W${String(i + 1).padStart(2, '0')}`);
    });
  });

  it('gives 13-week quarters, 4-4-5 months and the 53rd week to the last month', () => {
    const { periods } = buildFiscalYearCalendar(2026, config);
    expect(level(periods, 'quarter').map((q) => (q.end - q.start + 1) / 7)).toEqual([13, 13, 13, 14]);
    expect(level(periods, 'month').map((m) => (m.end - m.start + 1) / 7)).toEqual([
      4, 4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 6,
    ]);
    const moved = buildFiscalYearCalendar(2026, { ...config, week53Month: 3 }).periods;
    expect(level(moved, 'month').map((m) => (m.end - m.start + 1) / 7)).toEqual([
      4, 4, 6, 4, 4, 5, 4, 4, 5, 4, 4, 5,
    ]);
  });

  it('uses 5-4-4 when asked', () => {
    const { periods } = buildFiscalYearCalendar(2025, { ...config, pattern: '5-4-4' });
    expect(level(periods, 'month').map((m) => (m.end - m.start + 1) / 7)).toEqual([
      5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 4, 4,
    ]);
  });
});

describe('month-based years', () => {
  const calendarYear: FiscalCalendarConfig = {
    yearRule: { kind: 'calendar_year' },
    pattern: 'calendar_months',
    yearLabel: 'start',
    week53Month: 12,
    weekStart: 1,
  };

  it('uses calendar months and cuts weeks at month ends', () => {
    const { periods } = buildFiscalYearCalendar(2026, calendarYear);
    expect(span(2026, calendarYear)).toEqual({ start: '2026-01-01', end: '2026-12-31', weeks: null });
    const months = level(periods, 'month');
    expect(months.map((m) => dates(m)[0])).toContain('2026-02-01');
    expect(dates(months[1] as Period)).toEqual(['2026-02-01', '2026-02-28']);
    const weeks = level(periods, 'week');
    // 2026-01-01 is a Thursday: the first week is Thu-Sun, then Monday-Sunday weeks.
    expect(dates(weeks[0] as Period)).toEqual(['2026-01-01', '2026-01-04']);
    expect(dates(weeks[1] as Period)).toEqual(['2026-01-05', '2026-01-11']);
    // January ends on a Saturday, 1 February (Sunday) is a one-day week of February.
    expect(dates(weeks[4] as Period)).toEqual(['2026-01-26', '2026-01-31']);
    expect(dates(weeks[5] as Period)).toEqual(['2026-02-01', '2026-02-01']);
    for (const month of months) {
      const days = month.children.reduce(
        (n, w) => n + (periods[w] as Period).end - (periods[w] as Period).start + 1,
        0,
      );
      expect(days).toBe(month.end - month.start + 1);
    }
  });

  it('labels April-March years by their first or last month', () => {
    const april: FiscalCalendarConfig = { ...calendarYear, yearRule: { kind: 'fixed_month', startMonth: 4 } };
    expect(span(2025, april)).toEqual({ start: '2025-04-01', end: '2026-03-31', weeks: null });
    expect(span(2026, { ...april, yearLabel: 'end' })).toEqual({
      start: '2025-04-01',
      end: '2026-03-31',
      weeks: null,
    });
    expect(level(buildFiscalYearCalendar(2025, april).periods, 'quarter').map((q) => dates(q)[0])).toEqual([
      '2025-04-01',
      '2025-07-01',
      '2025-10-01',
      '2026-01-01',
    ]);
  });
});

describe('last weekday of a month', () => {
  it('ends the year on the last Saturday of September (labelled by the end year)', () => {
    const config: FiscalCalendarConfig = {
      yearRule: { kind: 'last_weekday', endMonth: 9, weekday: 6 },
      pattern: '4-4-5',
      yearLabel: 'end',
      week53Month: 12,
      weekStart: 1,
    };
    expect(span(2023, config)).toEqual({ start: '2022-09-25', end: '2023-09-30', weeks: 53 });
    expect(span(2024, config)).toEqual({ start: '2023-10-01', end: '2024-09-28', weeks: 52 });
  });
});

describe('the tree', () => {
  it('nests every period in its parent and partitions every level', () => {
    const { periods } = buildFiscalYearCalendar(2026, DEFAULT_TARGETS_CONFIG.calendar, (d) => d % 7 !== 2);
    for (const p of periods) {
      if (p.children.length === 0) continue;
      const kids = p.children.map((c) => periods[c] as Period);
      expect(kids[0]?.start).toBe(p.start);
      expect(kids.at(-1)?.end).toBe(p.end);
      if (kids[0]?.level !== 'half_day') {
        kids.slice(1).forEach((k, i) => {
          expect(k.start).toBe((kids[i] as Period).end + 1);
        });
      }
    }
    expect(level(periods, 'day')).toHaveLength(371);
    expect(level(periods, 'half_day').map((p) => p.id)).toContain('2026-01-05-AM');
  });

  it('refuses patterns that do not fit the year rule', () => {
    expect(() =>
      buildFiscalYearCalendar(2026, { ...DEFAULT_TARGETS_CONFIG.calendar, pattern: 'calendar_months' }),
    ).toThrow(TargetsConfigError);
    expect(() =>
      buildFiscalYearCalendar(2026, {
        ...DEFAULT_TARGETS_CONFIG.calendar,
        yearRule: { kind: 'calendar_year' },
      }),
    ).toThrow(TargetsConfigError);
  });
});
