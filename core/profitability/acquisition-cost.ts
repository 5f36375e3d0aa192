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

/** A month's customers who take a share of the spend: all of them, and by normalised channel. */
interface MonthSharing {
  all: CustomerFacts[];
  byChannel: Map<string, CustomerFacts[]>;
}

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
  // The customers who share, by month and by normalised channel, each list in the customers'
  // order: a pool of a channel takes its list instead of testing every customer of its months
  // (a million channel names trimmed and lower-cased once per pool).
  const sharingByMonth = new Map<string, MonthSharing>();
  const newByMonth = new Map<string, number>();
  const channelKeys = new Map<string | null, string | null>();
  for (const customer of customers) {
    const month = customer.acquiredOn.slice(0, 7);
    newByMonth.set(month, (newByMonth.get(month) ?? 0) + 1);
    if (customer.ownAcquisitionCost !== null) {
      customer.acquisitionCost = customer.ownAcquisitionCost;
      continue;
    }
    customer.acquisitionCost = ZERO;
    let sharing = sharingByMonth.get(month);
    if (!sharing) {
      sharing = { all: [], byChannel: new Map() };
      sharingByMonth.set(month, sharing);
    }
    sharing.all.push(customer);
    let channel = channelKeys.get(customer.acquisitionChannel);
    if (channel === undefined) {
      channel = normalise(customer.acquisitionChannel);
      channelKeys.set(customer.acquisitionChannel, channel);
    }
    if (channel === null) continue;
    const ofChannel = sharing.byChannel.get(channel);
    if (ofChannel) ofChannel.push(customer);
    else sharing.byChannel.set(channel, [customer]);
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
      const ofMonth = sharingByMonth.get(month);
      const ofPool = pool.channel === null ? ofMonth?.all : ofMonth?.byChannel.get(pool.channel);
      for (const customer of ofPool ?? []) sharing.push(customer);
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
