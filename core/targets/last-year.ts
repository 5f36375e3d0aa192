/**
 * Last year's actuals per fiscal month, the phasing base of `{ kind: 'last_year' }`: next year's
 * seasonality follows last year's sales curve.
 */
import { type Money, ZERO } from '../money.ts';
import type { TargetMetric } from '../records.ts';
import type { ActualRow } from './actuals.ts';
import type { FiscalCalendarConfig } from './config.ts';
import { toEpochDay } from './dates.ts';
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
