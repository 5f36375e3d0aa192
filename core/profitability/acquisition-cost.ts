import { type Money, ZERO } from '../money.ts';
import type { AcquisitionSpendRecord, IsoDate } from '../records.ts';
import { parsePeriod } from './calendar.ts';
import { ACQUISITION_COST, addFieldCents } from './customer-store.ts';
import { EvenSplit } from './even-split.ts';
import type { CustomerFacts, UnallocatedCost } from './types.ts';

const normalise = (value: string | null): string | null => {
  const text = value?.trim().toLowerCase();
  return text ? text : null;
};

/** Months (`YYYY-MM`) covered by a period, in order. */
export function monthsOf(start: IsoDate, end: IsoDate): string[] {
  const months: string[] = [];
  let year = Number(start.slice(0, 4));
  let month = Number(start.slice(5, 7));
  const last = end.slice(0, 7);
  for (;;) {
    const label = `${year}-${month < 10 ? '0' : ''}${month}`;
    if (label > last) return months;
    months.push(label);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
}

/**
 * Acquisition cost: the customer's own when the export carries one; otherwise an equal share of the
 * acquisition spend of their channel and acquisition period (a spend row without channel is shared by
 * every channel). Customers with their own cost take no share, so spend is never counted twice.
 */
export function allocateAcquisitionCosts(
  customers: readonly CustomerFacts[],
  spend: readonly AcquisitionSpendRecord[],
  asOf: IsoDate,
): UnallocatedCost[] {
  const unallocated: UnallocatedCost[] = [];
  const sharingByMonth = new Map<string, CustomerFacts[]>();
  const newByMonth = new Map<string, number>();
  for (const customer of customers) {
    const month = customer.acquiredOn.slice(0, 7);
    newByMonth.set(month, (newByMonth.get(month) ?? 0) + 1);
    if (customer.ownAcquisitionCost !== null) {
      customer.acquisitionCost = customer.ownAcquisitionCost;
      continue;
    }
    customer.acquisitionCost = ZERO;
    const list = sharingByMonth.get(month);
    if (list) list.push(customer);
    else sharingByMonth.set(month, [customer]);
  }

  // Rows of the same period and channel form one pool, allocated once.
  const pools = new Map<
    string,
    { period: string; channel: string | null; months: string[]; amount: Money }
  >();
  for (const row of spend) {
    const period = parsePeriod(row.period);
    if (period === null) {
      unallocated.push({
        pool: 'acquisition_spend',
        period: row.period,
        key: row.channel,
        amount: row.amount,
        reason: 'acquisition spend period is not YYYY-MM, YYYY-Qn or YYYY',
      });
      continue;
    }
    if (period.start > asOf) continue;
    const channel = normalise(row.channel);
    const key = `${period.label}\u0000${channel ?? ''}`;
    const pool = pools.get(key);
    if (pool) pool.amount = pool.amount.plus(row.amount);
    else
      pools.set(key, {
        period: period.label,
        channel,
        months: monthsOf(period.start, period.end),
        amount: row.amount,
      });
  }

  for (const pool of pools.values()) {
    const sharing: CustomerFacts[] = [];
    let newCustomers = 0;
    for (const month of pool.months) {
      newCustomers += newByMonth.get(month) ?? 0;
      for (const customer of sharingByMonth.get(month) ?? []) {
        if (pool.channel === null || normalise(customer.acquisitionChannel) === pool.channel)
          sharing.push(customer);
      }
    }
    if (sharing.length === 0) {
      unallocated.push({
        pool: 'acquisition_spend',
        period: pool.period,
        key: pool.channel,
        amount: pool.amount,
        reason:
          newCustomers === 0
            ? 'no customers acquired in the period'
            : 'no customer of this channel and period without an acquisition cost of their own',
      });
      continue;
    }
    const split = new EvenSplit(pool.amount, sharing.length);
    sharing.forEach((customer, i) => {
      addFieldCents(customer, ACQUISITION_COST, split.centsAt(i));
    });
  }
  return unallocated;
}
