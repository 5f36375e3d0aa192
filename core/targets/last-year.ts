/**
 * Last year's actuals per fiscal month, the phasing base of `{ kind: 'last_year' }`: next year's
 * seasonality follows last year's sales curve.
 */
import { type Money, ZERO } from '../money.ts';
import type { TargetMetric } from '../records.ts';
import type { ActualRow } from './actuals.ts';
import type { FiscalCalendarConfig } from './config.ts';
import { type EpochDay, toEpochDay, toIsoDate } from './dates.ts';
import { buildFiscalYearCalendar } from './fiscal-calendar.ts';
import type { LastYearActuals } from './phasing.ts';

/**
 * Company-wide actuals of fiscal year `plannedYear - 1` by fiscal month (`M01`..`M12`), per metric.
 * Months of the previous year with no rows are 0; metrics with no rows at all are absent.
 */
export function lastYearMonthlyActuals(
  actuals: readonly ActualRow[],
  plannedYear: number,
  calendarConfig: FiscalCalendarConfig,
): Partial<Record<TargetMetric, LastYearActuals>> {
  const { bounds, periods } = buildFiscalYearCalendar(plannedYear - 1, calendarConfig);
  const months = periods.filter((p) => p.level === 'month');
  const result: Partial<Record<TargetMetric, Record<string, Money>>> = {};
  for (const row of actuals) {
    const day = toEpochDay(row.date);
    if (day < bounds.start || day > bounds.end) continue;
    const index = months.findIndex((m) => day >= m.start && day <= m.end);
    const key = `M${String(index + 1).padStart(2, '0')}`;
    let byMonth = result[row.metric];
    if (!byMonth) {
      byMonth = Object.fromEntries(months.map((_, i) => [`M${String(i + 1).padStart(2, '0')}`, ZERO]));
      result[row.metric] = byMonth;
    }
    byMonth[key] = (byMonth[key] ?? ZERO).plus(row.value);
  }
  return result;
}

/**
 * Last year's actuals by the planned year's fiscal months, for phasing. Week-based years are aligned
 * week by week (a restated calendar): each planned day takes the actuals of the same weekday 52 weeks
 * earlier, so a 52-week year after a 53-week one compares its week 1 with last year's week 2 and no
 * month is inflated by last year's extra week; a 53rd week takes last year's week 52 again. Says so
 * when the two years differ in length. Month-based years take last year's fiscal months as they are.
 *
 * Only a year that is over by the run (`closedFrom`, the first day not closed) phases the next: a
 * year still running has its last months partly or not at all in the actuals, which would give
 * those months a fraction of their weight and move the next year's originals every week. Until it
 * is over there are no actuals (the phasing falls back to working days) and a warning says why.
 */
export function lastYearPhasingActuals(
  actuals: readonly ActualRow[],
  plannedYear: number,
  calendarConfig: FiscalCalendarConfig,
  closedFrom: EpochDay,
): { actuals: Partial<Record<TargetMetric, LastYearActuals>>; warnings: string[] } {
  const planned = buildFiscalYearCalendar(plannedYear, calendarConfig);
  const last = buildFiscalYearCalendar(plannedYear - 1, calendarConfig);
  if (last.bounds.end >= closedFrom)
    return {
      actuals: {},
      warnings: [
        `FY${plannedYear - 1} is not over by ${toIsoDate(closedFrom)}: FY${plannedYear} is phased by working days until it is, then by its actuals`,
      ],
    };
  if (planned.bounds.weeks === null || last.bounds.weeks === null) {
    return { actuals: lastYearMonthlyActuals(actuals, plannedYear, calendarConfig), warnings: [] };
  }
  const byDay = new Map<TargetMetric, Map<number, Money>>();
  for (const row of actuals) {
    const day = toEpochDay(row.date);
    if (day < last.bounds.start || day > last.bounds.end) continue;
    let days = byDay.get(row.metric);
    if (!days) {
      days = new Map();
      byDay.set(row.metric, days);
    }
    days.set(day, (days.get(day) ?? ZERO).plus(row.value));
  }
  const months = planned.periods.filter((p) => p.level === 'month');
  const result: Partial<Record<TargetMetric, Record<string, Money>>> = {};
  for (const [metric, days] of byDay) {
    const byMonth: Record<string, Money> = {};
    months.forEach((month, i) => {
      let sum = ZERO;
      for (let day = month.start; day <= month.end; day++) {
        let source = day - 364;
        if (source > last.bounds.end) source -= 7;
        const value = days.get(source);
        if (value) sum = sum.plus(value);
      }
      byMonth[`M${String(i + 1).padStart(2, '0')}`] = sum;
    });
    result[metric] = byMonth;
  }
  const warnings =
    planned.bounds.weeks !== last.bounds.weeks
      ? [
          `FY${plannedYear} has ${planned.bounds.weeks} weeks and FY${plannedYear - 1} ${last.bounds.weeks}: last year's actuals are restated week by week (the same weekday 52 weeks earlier) for phasing`,
        ]
      : [];
  return { actuals: result, warnings };
}
