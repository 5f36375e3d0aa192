/**
 * The weights each period's target is split among its children by: seasonality (configured or last
 * year's actuals) for quarters and months, selling capacity (working days) below, AM/PM shares for
 * half-days. A week of holidays gets no target; a make-up Saturday gets a full day's.
 */
import { type Money, money, sumMoney, ZERO } from '../money.ts';
import type { Phasing } from './config.ts';
import { TargetsConfigError } from './errors.ts';
import type { FiscalYearCalendar, Period } from './fiscal-calendar.ts';
import type { WorkingDayCalendar } from './working-days.ts';

/** Last year's actuals of one metric by fiscal period: `M01`..`M12` or `Q1`..`Q4` (a `FY2025-` prefix is fine). */
export type LastYearActuals = Readonly<Record<string, string | number | Money>>;

export interface PhasingWeights {
  /** Per period index: one weight per child, in child order (empty for leaves). */
  childWeights: Money[][];
  warnings: string[];
}

export function phasingWeights(
  calendar: FiscalYearCalendar,
  working: WorkingDayCalendar,
  phasing: Phasing,
  lastYear: LastYearActuals | undefined,
  label: string,
): PhasingWeights {
  const { periods } = calendar;
  const warnings: string[] = [];
  const workingDays = countWorkingDays(periods, working);
  const byWorkingDays = (p: Period) => p.children.map((c) => money(workingDays[c] as number));
  const seasonal = seasonality(phasing, lastYear, label, warnings);

  const childWeights = periods.map((p): Money[] => {
    switch (p.level) {
      case 'year':
        if (seasonal?.kind === 'quarters') return seasonal.weights;
        if (seasonal?.kind === 'months')
          return [0, 1, 2, 3].map((q) => sumMoney(seasonal.weights.slice(q * 3, q * 3 + 3)));
        return byWorkingDays(p);
      case 'quarter': {
        if (seasonal?.kind !== 'months') return byWorkingDays(p);
        const q = Number(p.id.slice(-1)) - 1;
        return seasonal.weights.slice(q * 3, q * 3 + 3);
      }
      case 'month':
      case 'week':
        return byWorkingDays(p);
      case 'day':
        return p.children.length === 2 ? working.halfDayWeights : [];
      default:
        // Half-days are leaves.
        return [];
    }
  });
  return { childWeights, warnings };
}

/** Working days per period index, summed up from the days. */
function countWorkingDays(periods: Period[], working: WorkingDayCalendar): number[] {
  const counts = periods.map((p): number => (p.level === 'day' && working.isWorkingDay(p.start) ? 1 : 0));
  for (let i = periods.length - 1; i >= 0; i--) {
    const parent = (periods[i] as Period).parent;
    if (parent !== null && (periods[i] as Period).level !== 'half_day') {
      counts[parent] = (counts[parent] as number) + (counts[i] as number);
    }
  }
  return counts;
}

type Seasonality = { kind: 'quarters'; weights: Money[] } | { kind: 'months'; weights: Money[] };

function seasonality(
  phasing: Phasing,
  lastYear: LastYearActuals | undefined,
  label: string,
  warnings: string[],
): Seasonality | null {
  switch (phasing.kind) {
    case 'working_days':
      return null;
    case 'quarters':
      return { kind: 'quarters', weights: configuredWeights(phasing.weights, 4, 'quarter') };
    case 'months':
      return { kind: 'months', weights: configuredWeights(phasing.weights, 12, 'month') };
    case 'last_year':
      return lastYearSeasonality(lastYear, label, warnings);
  }
}

function lastYearSeasonality(
  lastYear: LastYearActuals | undefined,
  label: string,
  warnings: string[],
): Seasonality | null {
  const months = Array.from({ length: 12 }, () => ZERO);
  const quarters = Array.from({ length: 4 }, () => ZERO);
  let hasMonths = false;
  let hasQuarters = false;
  for (const [rawKey, value] of Object.entries(lastYear ?? {})) {
    const key = rawKey.replace(/^FY\d{4}-/i, '').toUpperCase();
    const month = /^M(\d{2})$/.exec(key);
    const quarter = /^Q([1-4])$/.exec(key);
    // A month with a loss cannot carry a negative share of next year's target: it gets none.
    const amount = money(value);
    const weight = amount.isNegative() ? ZERO : amount;
    if (amount.isNegative()) warnings.push(`${label}: last year's ${rawKey} is negative, phased as 0`);
    if (month && Number(month[1]) >= 1 && Number(month[1]) <= 12) {
      months[Number(month[1]) - 1] = (months[Number(month[1]) - 1] as Money).plus(weight);
      hasMonths = true;
    } else if (quarter) {
      quarters[Number(quarter[1]) - 1] = (quarters[Number(quarter[1]) - 1] as Money).plus(weight);
      hasQuarters = true;
    } else {
      warnings.push(`${label}: last year's period "${rawKey}" is not M01-M12 or Q1-Q4, ignored`);
    }
  }
  if (hasMonths && !sumMoney(months).isZero()) return { kind: 'months', weights: months };
  if (hasQuarters && !sumMoney(quarters).isZero()) return { kind: 'quarters', weights: quarters };
  warnings.push(`${label}: no last-year actuals to phase by, phased by working days`);
  return null;
}

function configuredWeights(weights: readonly (string | number)[], count: number, what: string): Money[] {
  if (weights.length !== count)
    throw new TargetsConfigError(`phasing needs ${count} ${what} weights, got ${weights.length}`);
  const parsed = weights.map((w) => {
    try {
      return money(w);
    } catch {
      throw new TargetsConfigError(`phasing ${what} weight "${w}" is not a number`);
    }
  });
  if (parsed.some((w) => w.isNegative()) || sumMoney(parsed).isZero()) {
    throw new TargetsConfigError(`phasing ${what} weights must be non-negative and not all zero`);
  }
  return parsed;
}
