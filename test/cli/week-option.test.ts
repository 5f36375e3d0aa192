import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromYmd, isoWeekLabel, toIsoDate, weekdayOf } from '../../core/targets/dates.ts';
import { mondayOfIsoWeek } from '../../core/targets/week.ts';
import { checkWeek } from '../../functions/cli/run-config.ts';
import { UsageError } from '../../functions/local/run-local.ts';

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
});
