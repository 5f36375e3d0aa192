import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS_CONFIG, type WorkingDayConfig } from '../../../core/targets/config.ts';
import { fromYmd, toEpochDay } from '../../../core/targets/dates.ts';
import { buildWorkingDayCalendar, workingDaysBetween } from '../../../core/targets/working-days.ts';

const china = buildWorkingDayCalendar(DEFAULT_TARGETS_CONFIG.workingDays);
const working = (date: string) => china.isWorkingDay(toEpochDay(date));
const range = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = toEpochDay(from); d <= toEpochDay(to); d++)
    out.push(new Date(d * 86_400_000).toISOString().slice(0, 10));
  return out;
};

describe("China's official schedule", () => {
  it('2025: Spring Festival Jan 28 - Feb 4 off, make-up work on Sun Jan 26 and Sat Feb 8', () => {
    for (const d of range('2025-01-28', '2025-02-04')) expect(working(d), d).toBe(false);
    expect(working('2025-01-26')).toBe(true);
    expect(working('2025-02-08')).toBe(true);
    expect(working('2025-01-27')).toBe(true);
    expect(working('2025-02-09')).toBe(false);
  });

  it('2025: National Day Oct 1-8 off, make-up work on Sun Sep 28 and Sat Oct 11', () => {
    for (const d of range('2025-10-01', '2025-10-08')) expect(working(d), d).toBe(false);
    expect(working('2025-09-28')).toBe(true);
    expect(working('2025-10-11')).toBe(true);
    expect(working('2025-10-09')).toBe(true);
  });

  it('2026: Spring Festival Feb 15-23 off with make-up Saturdays Feb 14 and 28; National Day Oct 1-7', () => {
    for (const d of range('2026-02-15', '2026-02-23')) expect(working(d), d).toBe(false);
    expect(working('2026-02-14')).toBe(true);
    expect(working('2026-02-28')).toBe(true);
    for (const d of range('2026-10-01', '2026-10-07')) expect(working(d), d).toBe(false);
    expect(working('2026-09-20')).toBe(true);
    expect(working('2026-10-10')).toBe(true);
    expect(working('2026-01-01')).toBe(false);
  });

  it('counts 248 working days in 2025 and in 2026', () => {
    expect(workingDaysBetween(china, fromYmd(2025, 1, 1), fromYmd(2025, 12, 31))).toBe(248);
    expect(workingDaysBetween(china, fromYmd(2026, 1, 1), fromYmd(2026, 12, 31))).toBe(248);
  });

  it('knows which years are published, and plans the others on the statutory holidays by rule', () => {
    expect(china.covers(2025)).toBe(true);
    expect(china.provisional(2025)).toBe(false);
    expect(china.provisional(2026)).toBe(false);
    expect(china.covers(2040)).toBe(true);
    expect(china.provisional(2040)).toBe(true);
  });

  it('keeps the schedule on a six-day week and applies company overrides', () => {
    const sixDays = buildWorkingDayCalendar({
      ...DEFAULT_TARGETS_CONFIG.workingDays,
      workingWeekdays: [1, 2, 3, 4, 5, 6],
      extraHolidays: ['2025-03-03'],
      extraWorkdays: ['2025-03-09'],
    });
    expect(sixDays.isWorkingDay(toEpochDay('2025-03-08'))).toBe(true);
    expect(sixDays.isWorkingDay(toEpochDay('2025-02-01'))).toBe(false);
    expect(sixDays.isWorkingDay(toEpochDay('2025-03-03'))).toBe(false);
    expect(sixDays.isWorkingDay(toEpochDay('2025-03-09'))).toBe(true);
  });
});

describe('other countries through lists', () => {
  const config: WorkingDayConfig = {
    ...DEFAULT_TARGETS_CONFIG.workingDays,
    holidays: {
      kind: 'list',
      holidays: ['2025-12-25', '2025-12-26'],
      makeUpWorkdays: ['2025-12-27'],
      coveredYears: [2025],
    },
  };
  const calendar = buildWorkingDayCalendar(config);

  it('takes holidays and make-up days from the lists', () => {
    expect(calendar.isWorkingDay(toEpochDay('2025-12-25'))).toBe(false);
    expect(calendar.isWorkingDay(toEpochDay('2025-12-27'))).toBe(true);
    expect(calendar.isWorkingDay(toEpochDay('2025-10-01'))).toBe(true);
    expect(calendar.covers(2025)).toBe(true);
    expect(calendar.covers(2026)).toBe(false);
  });

  it('rejects bad dates and weights', () => {
    expect(() =>
      buildWorkingDayCalendar({
        ...config,
        holidays: { kind: 'list', holidays: ['25/12/2025'], makeUpWorkdays: [] },
      }),
    ).toThrow(/25\/12\/2025/);
    expect(() => buildWorkingDayCalendar({ ...config, halfDayWeights: { am: 0, pm: 0 } })).toThrow(
      /half-day/,
    );
  });
});
