import { type Money, ZERO } from '../money.ts';
import type { CustomerRecord, IsoDate, TransactionRecord } from '../records.ts';
import { centsOf, moneyFromCents } from './cents.ts';
import type { CustomerFacts, Warnings } from './types.ts';

function emptyFacts(customerId: string, acquiredOn: IsoDate): CustomerFacts {
  return {
    customerId,
    inCustomerExport: false,
    acquiredOn,
    ownAcquisitionCost: null,
    acquisitionChannel: null,
    segment: null,
    region: null,
    productBundle: null,
    referredBy: null,
    churnedOn: null,
    revenue: ZERO,
    cogs: ZERO,
    returns: ZERO,
    orders: 0,
    firstOrder: null,
    lastOrder: null,
    tenureDays: 0,
    churned: false,
    churnDate: acquiredOn,
    serviceCost: ZERO,
    acquisitionCost: ZERO,
    retentionCost: ZERO,
    profit: ZERO,
    satisfactionScore: null,
    averageOrderValue: null,
    ordersPerYear: ZERO,
    clvSimple: ZERO,
    clvDiscounted: ZERO,
    clvContinuous: ZERO,
    clvFormula: ZERO,
    profitDecile: 0,
    profitTier: null,
  };
}

/** Amount fields summed per customer. */
const REVENUE = 0;
const COGS = 1;
const RETURNS = 2;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Customer facts as of a date, built in one pass over the transactions. Customers are numbered in
 * order of first sight so other passes can key small per-cell sets by number instead of by id.
 * Amounts are summed in integer cents (exact; see cents.ts) and become Money once, in finish().
 * Distinct orders are counted from runs of equal order ids per customer (lines of one order are
 * adjacent when transactions are sorted by date and order id), checked for repeats in finish().
 */
export class CustomerFactsBuilder {
  readonly byId = new Map<string, number>();
  readonly facts: CustomerFacts[] = [];
  /** Per customer number: revenue, cogs and returns in cents, three numbers per customer. */
  private cents: number[] = [];
  /** Amounts (or parts of sums) that are not safe whole cents, per customer number and field. */
  private rest = new Map<number, Money>();
  /** Last order id seen per customer number and the number of runs of equal order ids. */
  private lastOrderId: (string | undefined)[] = [];
  private runs: number[] = [];
  /** The order id starting each run and its customer number, to find repeated runs in finish(). */
  private runIds: string[] = [];
  private runOwners: number[] = [];

  constructor(
    private readonly asOf: IsoDate,
    private readonly warnings: Warnings,
  ) {}

  private add(record: { customer_id: string }, acquiredOn: IsoDate): number {
    const index = this.facts.length;
    this.byId.set(record.customer_id, index);
    this.facts.push(emptyFacts(record.customer_id, acquiredOn));
    this.cents.push(0, 0, 0);
    this.lastOrderId.push(undefined);
    this.runs.push(0);
    return index;
  }

  addCustomers(customers: readonly CustomerRecord[]): void {
    for (const record of customers) {
      let index = this.byId.get(record.customer_id);
      if (index === undefined) {
        index = this.add(record, record.acquired_on);
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

  private addAmount(index: number, field: number, value: Money): void {
    const slot = index * 3 + field;
    const next = (this.cents[slot] as number) + centsOf(value);
    if (next <= MAX_SAFE && next >= -MAX_SAFE) {
      this.cents[slot] = next;
    } else {
      const key = slot;
      this.rest.set(key, (this.rest.get(key) ?? ZERO).plus(value));
    }
  }

  /** Returns the customer's number, or -1 when the transaction is after as_of and ignored. */
  addTransaction(tx: TransactionRecord): number {
    if (tx.order_date > this.asOf) return -1;
    let index = this.byId.get(tx.customer_id);
    if (index === undefined) index = this.add(tx, tx.order_date);
    const facts = this.facts[index] as CustomerFacts;
    this.addAmount(index, REVENUE, tx.revenue);
    if (!tx.cost.isZero()) this.addAmount(index, COGS, tx.cost);
    if (!tx.returned_amount.isZero()) this.addAmount(index, RETURNS, tx.returned_amount);
    if (facts.firstOrder === null || tx.order_date < facts.firstOrder) facts.firstOrder = tx.order_date;
    if (facts.lastOrder === null || tx.order_date > facts.lastOrder) facts.lastOrder = tx.order_date;
    if (this.lastOrderId[index] !== tx.order_id) {
      this.lastOrderId[index] = tx.order_id;
      this.runs[index] = (this.runs[index] as number) + 1;
      this.runIds.push(tx.order_id);
      this.runOwners.push(index);
    }
    return index;
  }

  /**
   * The customers as of the date: everyone acquired by then or with an order by then. A customer who
   * ordered before the recorded acquisition date is taken as acquired at the first order.
   */
  finish(): CustomerFacts[] {
    const orders = this.distinctOrders();
    const result: CustomerFacts[] = [];
    for (let index = 0; index < this.facts.length; index++) {
      const facts = this.facts[index] as CustomerFacts;
      facts.revenue = this.total(index, REVENUE);
      facts.cogs = this.total(index, COGS);
      facts.returns = this.total(index, RETURNS);
      facts.orders = orders[index] as number;
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
    this.cents = [];
    this.rest = new Map();
    this.lastOrderId = [];
    return result;
  }

  private total(index: number, field: number): Money {
    const slot = index * 3 + field;
    return moneyFromCents(this.cents[slot] as number, this.rest.get(slot) ?? null);
  }

  /**
   * Distinct order ids per customer number. A customer's runs are distinct orders unless the same
   * id comes back after another (an order id on two dates, or unsorted input): the runs are grouped
   * by customer and only a customer whose run ids are not strictly increasing is checked with a set.
   */
  private distinctOrders(): number[] {
    const customers = this.facts.length;
    const runs = this.runs;
    const start = new Int32Array(customers + 1);
    for (let index = 0; index < customers; index++)
      start[index + 1] = (start[index] as number) + (runs[index] as number);
    const fill = start.slice(0, customers);
    const grouped = new Array<string>(this.runIds.length);
    for (let k = 0; k < this.runIds.length; k++) {
      const owner = this.runOwners[k] as number;
      grouped[(fill[owner] as number)++] = this.runIds[k] as string;
    }
    this.runIds = [];
    this.runOwners = [];
    const orders = new Array<number>(customers);
    const seen = new Set<string>();
    for (let index = 0; index < customers; index++) {
      const from = start[index] as number;
      const to = start[index + 1] as number;
      let increasing = true;
      for (let k = from + 1; k < to && increasing; k++)
        increasing = (grouped[k - 1] as string) < (grouped[k] as string);
      if (increasing) {
        orders[index] = to - from;
        continue;
      }
      seen.clear();
      for (let k = from; k < to; k++) seen.add(grouped[k] as string);
      orders[index] = seen.size;
    }
    this.runs = [];
    return orders;
  }
}
