import type { Money } from '../money.ts';
import type { CentsColumn, CustomerRecord, IsoDate, TransactionColumns } from '../records.ts';
import { epochDay } from '../values.ts';
import { COGS, CustomerStore, RETURNS, REVENUE, StoredFacts } from './customer-store.ts';
import { DayLabels } from './transaction-columns.ts';
import type { CustomerFacts, Warnings } from './types.ts';

/** No order yet (first/last order days). */
const NONE = Number.NaN;

/**
 * Customer facts as of a date, built in one pass over the transaction columns. Customers are
 * numbered in order of first sight so other passes can key small per-cell sets by number instead
 * of by id. Amounts are summed in integer cents (exact; see cents.ts) straight into the facts'
 * CustomerStore, where they stay cents until read. Distinct orders are the lines flagged `orderStart` on or before the date.
 */
export class CustomerFactsBuilder {
  /** Customer number by id, for the customers before `unindexed` (see byId). */
  private readonly index = new Map<string, number>();
  private unindexed = 0;
  readonly facts: StoredFacts[] = [];
  /** The customers' money, as cents (customer number = store index). */
  readonly store = new CustomerStore();
  /** Per customer number: distinct orders and first/last order day. */
  private orders: number[] = [];
  private firstDay: number[] = [];
  private lastDay: number[] = [];

  constructor(
    private readonly asOf: IsoDate,
    private readonly warnings: Warnings,
    private readonly labels: DayLabels = new DayLabels(),
  ) {}

  /**
   * Customer number by id. Built when first read: the transactions' customers are added without
   * it when nobody came before them (their ids are distinct), and a million map entries cost more
   * than the rest of the transactions pass.
   */
  get byId(): ReadonlyMap<string, number> {
    for (; this.unindexed < this.facts.length; this.unindexed++) {
      this.index.set((this.facts[this.unindexed] as StoredFacts).customerId, this.unindexed);
    }
    return this.index;
  }

  private add(customerId: string, acquiredOn: IsoDate): number {
    const index = this.store.add();
    this.facts.push(new StoredFacts(this.store, index, customerId, acquiredOn));
    this.orders.push(0);
    this.firstDay.push(NONE);
    this.lastDay.push(NONE);
    return index;
  }

  addCustomers(customers: readonly CustomerRecord[]): void {
    for (const record of customers) {
      let index = this.byId.get(record.customer_id);
      if (index === undefined) {
        index = this.add(record.customer_id, record.acquired_on);
      } else {
        this.warnings.add('customer listed more than once in the customers export; the last row wins');
      }
      const facts = this.facts[index] as CustomerFacts;
      facts.inCustomerExport = true;
      facts.acquiredOn = record.acquired_on;
      facts.ownAcquisitionCost = record.acquisition_cost;
      facts.acquisitionChannel = record.acquisition_channel;
      facts.segment = record.segment;
      facts.region = record.region;
      facts.productBundle = record.product_bundle;
      facts.referredBy = record.referred_by;
      facts.churnedOn = record.churned_on;
    }
  }

  private addAmount(index: number, field: number, column: CentsColumn, line: number): void {
    const cents = column.cents[line] as number;
    // Not whole cents (NaN): the exact amount, added as a Decimal (the store keeps it exact).
    if (Number.isNaN(cents))
      this.store.set(index, field, this.store.get(index, field).plus(column.exact.get(line) as Money));
    else this.store.addCents(index, field, cents);
  }

  /**
   * Adds every line; returns each line's customer number, -1 for lines after as_of (ignored).
   * Lines come grouped by customer (canonical order), so a run of one customer's lines is summed
   * in local variables and written to the customer once: per line that is a few additions instead
   * of the store's bookkeeping, which was most of this pass. Any order of lines gives the same facts.
   */
  addTransactions(columns: TransactionColumns): Int32Array {
    const asOfDay = epochDay(this.asOf);
    const { customer, customerIds, day, orderStart, revenue, cost, returned } = columns;
    const n = columns.length;
    const numbers = new Int32Array(n);
    const numberOfCode = new Int32Array(customerIds.length).fill(-1);
    // The columns' customer ids are distinct: only customers added before can be met again.
    const before = this.facts.length > 0 ? this.byId : null;
    const revenueCents = revenue.cents;
    const costCents = cost.cents;
    const returnedCents = returned.cents;
    let i = 0;
    while (i < n) {
      const code = customer[i] as number;
      let index = -1;
      let revenueSum = 0;
      let costSum = 0;
      let returnedSum = 0;
      let orders = 0;
      let firstDay = Number.POSITIVE_INFINITY;
      let lastDay = Number.NEGATIVE_INFINITY;
      for (; i < n && customer[i] === code; i++) {
        const d = day[i] as number;
        if (d > asOfDay) {
          numbers[i] = -1;
          continue;
        }
        if (index < 0) index = this.numberOf(code, d, customerIds, numberOfCode, before);
        numbers[i] = index;
        if (d < firstDay) firstDay = d;
        if (d > lastDay) lastDay = d;
        orders += orderStart[i] as number;
        // A sum that would not be exact (NaN: not whole cents; or beyond the safe range) takes
        // the line through the store instead, which keeps it exactly.
        const r = revenueSum + (revenueCents[i] as number);
        if (r <= MAX_SAFE && r >= -MAX_SAFE) revenueSum = r;
        else this.addAmount(index, REVENUE, revenue, i);
        const c = costSum + (costCents[i] as number);
        if (c <= MAX_SAFE && c >= -MAX_SAFE) costSum = c;
        else this.addAmount(index, COGS, cost, i);
        const x = returnedSum + (returnedCents[i] as number);
        if (x <= MAX_SAFE && x >= -MAX_SAFE) returnedSum = x;
        else this.addAmount(index, RETURNS, returned, i);
      }
      if (index < 0) continue;
      this.store.addCents(index, REVENUE, revenueSum);
      if (costSum !== 0) this.store.addCents(index, COGS, costSum);
      if (returnedSum !== 0) this.store.addCents(index, RETURNS, returnedSum);
      const first = this.firstDay[index] as number;
      if (!(first <= firstDay)) this.firstDay[index] = firstDay;
      const last = this.lastDay[index] as number;
      if (!(last >= lastDay)) this.lastDay[index] = lastDay;
      this.orders[index] = (this.orders[index] as number) + orders;
    }
    return numbers;
  }

  /** The customer number of a customer code, the customer added at its first line's day if new. */
  private numberOf(
    code: number,
    d: number,
    customerIds: readonly string[],
    numberOfCode: Int32Array,
    before: ReadonlyMap<string, number> | null,
  ): number {
    let index = numberOfCode[code] as number;
    if (index < 0) {
      const id = customerIds[code] as string;
      index = before?.get(id) ?? this.add(id, this.labels.label(d));
      numberOfCode[code] = index;
    }
    return index;
  }

  /**
   * The customers as of the date: everyone acquired by then or with an order by then. A customer who
   * ordered before the recorded acquisition date is taken as acquired at the first order.
   */
  finish(): CustomerFacts[] {
    const result: CustomerFacts[] = [];
    for (let index = 0; index < this.facts.length; index++) {
      const facts = this.facts[index] as CustomerFacts;
      facts.orders = this.orders[index] as number;
      const first = this.firstDay[index] as number;
      if (!Number.isNaN(first)) {
        facts.firstOrder = this.labels.label(first);
        facts.lastOrder = this.labels.label(this.lastDay[index] as number);
      }
      if (facts.firstOrder !== null && facts.firstOrder < facts.acquiredOn) {
        if (facts.inCustomerExport) {
          this.warnings.add(
            'customer ordered before the recorded acquired_on; acquisition taken as the first order',
          );
        }
        facts.acquiredOn = facts.firstOrder;
      }
      if (facts.acquiredOn <= this.asOf) result.push(facts);
    }
    this.orders = [];
    this.firstDay = [];
    this.lastDay = [];
    return result;
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
