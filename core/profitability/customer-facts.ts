import type { Money } from '../money.ts';
import type { CentsColumn, CustomerRecord, IsoDate, TransactionColumns } from '../records.ts';
import { type CustomerLineTotals, customerLineTotals } from './customer-line-totals.ts';
import { COGS, CustomerStore, RETURNS, REVENUE, StoredFacts } from './customer-store.ts';
import { DayLabels } from './transaction-columns.ts';
import type { ExportedCustomer } from './transaction-pass.ts';
import type { CustomerFacts, Warnings } from './types.ts';

/** No order yet (first/last order days). */
const NONE = Number.NaN;

/**
 * A count as V8 stores small integers (a tagged Smi), whatever array it was read from: a count read
 * from a double array is a heap number, and storing one into `orders`, a field that started as a
 * small integer, changes the field's representation for every customer object at once (measured:
 * 1.4-1.7 s over a million customers, the first time only). Counts past 2^30 stay as they are.
 */
function smallInteger(count: number): number {
  return count >= 0 && count <= 0x3fffffff ? count | 0 : count;
}

/**
 * The customers with transaction lines in the transaction pass's (canonical) order, and each one's
 * fact number (StoredFacts.index) in `store`: what lets the CLV predictions, made in that order, be
 * placed by fact instead of looked up by id (CustomerPredictions.placeFacts).
 */
export interface LineCustomers {
  customerIds: readonly string[];
  facts: Int32Array;
  store: CustomerStore;
}

/**
 * Customer facts as of a date, built in one pass over the transaction columns. Customers are
 * numbered in order of first sight so other passes can key small per-cell sets by number instead
 * of by id. Amounts are summed in integer cents (exact; see cents.ts) into the facts'
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

  /** The customers export's row of a customer, as the transaction pass reads it (see ExportedCustomer). */
  readonly exportedCustomer = (customerId: string): ExportedCustomer | undefined => {
    const index = this.byId.get(customerId);
    return index === undefined ? undefined : this.exportedFact(index);
  };

  /** The same by fact number (see addLineTotals, which returns the totals' customers' numbers). */
  exportedFact(index: number): ExportedCustomer | undefined {
    const facts = this.facts[index] as CustomerFacts;
    return facts.inCustomerExport ? { acquiredOn: facts.acquiredOn, segment: facts.segment } : undefined;
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

  private addAmount(index: number, field: number, column: CentsColumn, entry: number): void {
    const cents = column.cents[entry] as number;
    // Not whole cents or past the safe range (NaN): the exact amount, added as a Decimal.
    if (Number.isNaN(cents))
      this.store.set(index, field, this.store.get(index, field).plus(column.exact.get(entry) as Money));
    else this.store.addCents(index, field, cents);
  }

  /** Adds every line on or before as_of (see customerLineTotals); lines after it are ignored. */
  addTransactions(columns: TransactionColumns): LineCustomers {
    return this.addLineTotals(customerLineTotals(columns, this.asOf).totals);
  }

  /**
   * Adds customers' line totals, numbering the customers not met before in the totals' order. The
   * totals' ids are distinct: only customers added before (the customers export) can be met again.
   * Returns the totals' customers with their fact numbers.
   */
  addLineTotals(totals: CustomerLineTotals): LineCustomers {
    const before = this.facts.length > 0 ? this.byId : null;
    const facts = new Int32Array(totals.customerIds.length);
    for (let entry = 0; entry < totals.customerIds.length; entry++) {
      const firstDay = totals.firstDay[entry] as number;
      const index =
        before?.get(totals.customerIds[entry] as string) ??
        this.add(totals.customerIds[entry] as string, this.labels.label(firstDay));
      facts[entry] = index;
      this.addAmount(index, REVENUE, totals.revenue, entry);
      if (totals.cost.cents[entry] !== 0) this.addAmount(index, COGS, totals.cost, entry);
      if (totals.returned.cents[entry] !== 0) this.addAmount(index, RETURNS, totals.returned, entry);
      const first = this.firstDay[index] as number;
      if (!(first <= firstDay)) this.firstDay[index] = firstDay;
      const lastDay = totals.lastDay[entry] as number;
      const last = this.lastDay[index] as number;
      if (!(last >= lastDay)) this.lastDay[index] = lastDay;
      this.orders[index] = (this.orders[index] as number) + (totals.orders[entry] as number);
    }
    return { customerIds: totals.customerIds, facts, store: this.store };
  }

  /**
   * The customers as of the date: everyone acquired by then or with an order by then. A customer who
   * ordered before the recorded acquisition date is taken as acquired at the first order.
   */
  finish(): CustomerFacts[] {
    const result: CustomerFacts[] = [];
    for (let index = 0; index < this.facts.length; index++) {
      const facts = this.facts[index] as CustomerFacts;
      facts.orders = smallInteger(this.orders[index] as number);
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
