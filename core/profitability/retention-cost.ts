import type { Decimal } from 'decimal.js';
import { Money } from '../money.ts';
import type { IsoDate, RetentionSpendRecord } from '../records.ts';
import { minDate, type PeriodRange, parsePeriod } from './calendar.ts';
import { isChurnedAt } from './churn.ts';
import { centsToMoney, EvenSplit } from './even-split.ts';
import type { CustomerFacts, UnallocatedCost } from './types.ts';

/** Retention cost per retained customer = retention spend / customers retained (seed: 20,000 / 400 = 50). */
export function retentionCostPerCustomer(spend: Decimal.Value, retainedCustomers: number): Money | null {
  return retainedCustomers > 0 ? new Money(spend).dividedBy(retainedCustomers) : null;
}

/**
 * A customer is retained in a period when they were already a customer before it began and are not
 * lost by its end (or by as_of, for the running period).
 */
export function isRetainedIn(customer: CustomerFacts, period: PeriodRange, asOf: IsoDate): boolean {
  return customer.acquiredOn < period.start && !isChurnedAt(customer, minDate(period.end, asOf));
}

const normalise = (value: string | null): string | null => {
  const text = value?.trim().toLowerCase();
  return text ? text : null;
};

interface Pool {
  segment: string | null;
  segmentLabel: string | null;
  amount: Money;
}

/**
 * Spreads each retention spend pool (a period, optionally restricted to a segment) equally over the
 * customers retained in its period. Churn must already be applied to the customers.
 */
export function allocateRetentionCosts(
  customers: readonly CustomerFacts[],
  spend: readonly RetentionSpendRecord[],
  asOf: IsoDate,
): UnallocatedCost[] {
  const unallocated: UnallocatedCost[] = [];
  const periods = new Map<string, { range: PeriodRange; pools: Map<string, Pool> }>();
  for (const row of spend) {
    const range = parsePeriod(row.period);
    if (range === null) {
      unallocated.push({
        pool: 'retention_spend',
        period: row.period,
        key: row.segment,
        amount: row.amount,
        reason: 'retention spend period is not YYYY-MM, YYYY-Qn or YYYY',
      });
      continue;
    }
    if (range.start > asOf) continue;
    let entry = periods.get(range.label);
    if (!entry) {
      entry = { range, pools: new Map() };
      periods.set(range.label, entry);
    }
    const segment = normalise(row.segment);
    const pool = entry.pools.get(segment ?? '');
    if (pool) pool.amount = pool.amount.plus(row.amount);
    else
      entry.pools.set(segment ?? '', {
        segment,
        segmentLabel: row.segment?.trim() || null,
        amount: row.amount,
      });
  }

  const segments = customers.map((customer) => normalise(customer.segment));
  const cents = new Float64Array(customers.length);
  for (const { range, pools } of periods.values()) {
    // One pass over the customers per period, bucketed by segment, serves every pool of the period.
    const retained: number[] = [];
    const retainedBySegment = new Map<string, number[]>();
    customers.forEach((customer, position) => {
      if (!isRetainedIn(customer, range, asOf)) return;
      retained.push(position);
      const segment = segments[position];
      if (segment === null || segment === undefined) return;
      const list = retainedBySegment.get(segment);
      if (list) list.push(position);
      else retainedBySegment.set(segment, [position]);
    });
    for (const pool of pools.values()) {
      const receivers = pool.segment === null ? retained : (retainedBySegment.get(pool.segment) ?? []);
      if (receivers.length === 0) {
        unallocated.push({
          pool: 'retention_spend',
          period: range.label,
          key: pool.segmentLabel,
          amount: pool.amount,
          reason: 'no customers retained in the period',
        });
        continue;
      }
      const split = new EvenSplit(pool.amount, receivers.length);
      receivers.forEach((position, i) => {
        cents[position] = (cents[position] as number) + split.centsAt(i);
      });
    }
  }
  customers.forEach((customer, position) => {
    const total = cents[position] as number;
    if (total !== 0) customer.retentionCost = customer.retentionCost.plus(centsToMoney(total));
  });
  return unallocated;
}
