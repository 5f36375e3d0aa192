import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromYmd, isoWeekLabel, toIsoDate, weekdayOf } from '../../core/targets/dates.ts';
import { mondayOfIsoWeek } from '../../core/targets/week.ts';
import { checkWeek, checkWeekHasCome } from '../../functions/cli/run-config.ts';
import { UsageError } from '../../functions/local/run-local.ts';
import { targets } from '../../functions/targets/handler.ts';

describe('--week', () => {
  it('a week past the end of its ISO year is bad input, naming the weeks the year has', () => {
    expect(() => checkWeek('--week', '2026-W54')).toThrow(UsageError);
    expect(() => checkWeek('--week', '2026-W54')).toThrow(
      '--week 2026-W54 does not exist: ISO year 2026 has weeks W01 to W53',
    );
    expect(() => checkWeek('--week', '2025-W53')).toThrow('ISO year 2025 has weeks W01 to W52');
    expect(() => checkWeek('--week', '2026-W00')).toThrow(UsageError);
    expect(() => checkWeek('--week', '2026-48')).toThrow('--week must be YYYY-Www, got "2026-48"');
  });

  it('every week of a year passes, and is the week of the Monday it stands for', () => {
    fc.assert(
      fc.property(fc.integer({ min: fromYmd(1990, 1, 1), max: fromYmd(2100, 12, 31) }), (day) => {
        const monday = day - (weekdayOf(day) - 1);
        const label = isoWeekLabel(monday);
        expect(() => checkWeek('--week', label)).not.toThrow();
        expect(mondayOfIsoWeek(label)).toBe(toIsoDate(monday));
      }),
    );
  });

  it('a week that has not begun is bad input: it would count its days before as finished with no sales', () => {
    expect(() => checkWeekHasCome('--week', '2999-W01', 'Asia/Shanghai')).toThrow(UsageError);
    expect(() => checkWeekHasCome('--week', '2999-W01', 'Asia/Shanghai')).toThrow(
      /^--week 2999-W01 has not begun \(this week is \d{4}-W\d{2} in Asia\/Shanghai\): targets are re-planned as of a week that has come$/,
    );
    expect(() => checkWeekHasCome('--week', '2025-W10', 'Asia/Shanghai')).not.toThrow();
    expect(() => checkWeekHasCome('--week', undefined, 'Asia/Shanghai')).not.toThrow();
  });

  it('the targets handler refuses a week that has not begun, before reading any settings', async () => {
    process.env.BUSINESS_TIME_ZONE = 'Asia/Shanghai';
    try {
      await expect(targets({ week: '2999-W01' })).rejects.toThrow(/^week 2999-W01 has not begun/);
    } finally {
      delete process.env.BUSINESS_TIME_ZONE;
    }
  });
});
