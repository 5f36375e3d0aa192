import type { Decimal } from 'decimal.js';
import { toEpochDay } from '../calendar.ts';
import { Money } from '../money.ts';
import type { IsoDate, RetentionSpendRecord } from '../records.ts';
import { minDate, type PeriodRange, parsePeriod } from './calendar.ts';
import { isChurnedAt } from './churn.ts';
import { addFieldCents, RETENTION_COST } from './customer-store.ts';
import { EvenSplit } from './even-split.ts';
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

  // Few distinct segments: normalise each once, not a new string per customer.
  const normalised = new Map<string | null, string | null>();
  const segments = customers.map((customer) => {
    let segment = normalised.get(customer.segment);
    if (segment === undefined) {
      segment = normalise(customer.segment);
      normalised.set(customer.segment, segment);
    }
    return segment;
  });
  if (periods.size === 0) return unallocated;
  const cents = new Float64Array(customers.length);
  // Each customer's acquisition and churn day once, as epoch days: every period then compares
  // numbers (isRetainedIn, as a test holds), not two date strings a customer and period.
  const days = new EpochDays();
  const acquiredDay = new Int32Array(customers.length);
  const churnDay = new Int32Array(customers.length);
  customers.forEach((customer, position) => {
    acquiredDay[position] = days.of(customer.acquiredOn);
    churnDay[position] = days.of(customer.churnDate);
  });
  // Receivers as positions in typed buffers reused by every period (growing arrays of a million
  // numbers per period and segment were hundreds of megabytes of garbage).
  const retained = new Receivers(customers.length);
  const retainedBySegment = new Map<string, Receivers>();
  for (const { range, pools } of periods.values()) {
    // One pass over the customers per period, bucketed by segment, serves every pool of the period.
    retained.count = 0;
    for (const list of retainedBySegment.values()) list.count = 0;
    const start = days.of(range.start);
    const lostBy = days.of(minDate(range.end, asOf));
    for (let position = 0; position < customers.length; position++) {
      if (!((acquiredDay[position] as number) < start && (churnDay[position] as number) > lostBy)) continue;
      retained.push(position);
      const segment = segments[position];
      if (segment === null || segment === undefined) continue;
      let list = retainedBySegment.get(segment);
      if (!list) {
        list = new Receivers(customers.length);
        retainedBySegment.set(segment, list);
      }
      list.push(position);
    }
    for (const pool of pools.values()) {
      const receivers = pool.segment === null ? retained : retainedBySegment.get(pool.segment);
      if (receivers === undefined || receivers.count === 0) {
        unallocated.push({
          pool: 'retention_spend',
          period: range.label,
          key: pool.segmentLabel,
          amount: pool.amount,
          reason: 'no customers retained in the period',
        });
        continue;
      }
      const split = new EvenSplit(pool.amount, receivers.count);
      for (let i = 0; i < receivers.count; i++) {
        const position = receivers.positions[i] as number;
        cents[position] = (cents[position] as number) + split.centsAt(i);
      }
    }
  }
  customers.forEach((customer, position) => {
    const total = cents[position] as number;
    if (total !== 0) addFieldCents(customer, RETENTION_COST, total);
  });
  return unallocated;
}

/** Epoch days of ISO dates, each distinct date parsed once (customers share a few thousand dates). */
class EpochDays {
  private readonly days = new Map<IsoDate, number>();

  of(date: IsoDate): number {
    let day = this.days.get(date);
    if (day === undefined) {
      day = toEpochDay(date);
      this.days.set(date, day);
    }
    return day;
  }
}

/** Positions of customers, in order, in a buffer sized for all of them. */
class Receivers {
  readonly positions: Int32Array;
  count = 0;

  constructor(capacity: number) {
    this.positions = new Int32Array(capacity);
  }

  push(position: number): void {
    this.positions[this.count++] = position;
  }
}
