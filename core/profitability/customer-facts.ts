import { ZERO } from '../money.ts';
import type { CustomerRecord, IsoDate, TransactionRecord } from '../records.ts';
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

/**
 * Customer facts as of a date, built in one pass over the transactions. Customers are numbered in
 * order of first sight so other passes can key small per-cell sets by number instead of by id.
 */
export class CustomerFactsBuilder {
  readonly byId = new Map<string, number>();
  readonly facts: CustomerFacts[] = [];
  /** Distinct order ids per customer number; dropped once orders are counted. */
  private orderIds: (Set<string> | undefined)[] = [];

  constructor(
    private readonly asOf: IsoDate,
    private readonly warnings: Warnings,
  ) {}

  addCustomers(customers: readonly CustomerRecord[]): void {
    for (const record of customers) {
      let index = this.byId.get(record.customer_id);
      if (index === undefined) {
        index = this.facts.length;
        this.byId.set(record.customer_id, index);
        this.facts.push(emptyFacts(record.customer_id, record.acquired_on));
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

  /** Returns the customer's number, or -1 when the transaction is after as_of and ignored. */
  addTransaction(tx: TransactionRecord): number {
    if (tx.order_date > this.asOf) return -1;
    let index = this.byId.get(tx.customer_id);
    if (index === undefined) {
      index = this.facts.length;
      this.byId.set(tx.customer_id, index);
      this.facts.push(emptyFacts(tx.customer_id, tx.order_date));
    }
    const facts = this.facts[index] as CustomerFacts;
    facts.revenue = facts.revenue.plus(tx.revenue);
    // Most lines have no return and many no cost: skipping zero adds saves a Decimal each.
    if (!tx.cost.isZero()) facts.cogs = facts.cogs.plus(tx.cost);
    if (!tx.returned_amount.isZero()) facts.returns = facts.returns.plus(tx.returned_amount);
    if (facts.firstOrder === null || tx.order_date < facts.firstOrder) facts.firstOrder = tx.order_date;
    if (facts.lastOrder === null || tx.order_date > facts.lastOrder) facts.lastOrder = tx.order_date;
    let ids = this.orderIds[index];
    if (ids === undefined) {
      ids = new Set();
      this.orderIds[index] = ids;
    }
    ids.add(tx.order_id);
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
      facts.orders = this.orderIds[index]?.size ?? 0;
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
    this.orderIds = [];
    return result;
  }
}
