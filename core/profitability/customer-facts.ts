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
  readonly byId = new Map<string, number>();
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

  private add(customerId: string, acquiredOn: IsoDate): number {
    const index = this.store.add();
    this.byId.set(customerId, index);
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
   */
  addTransactions(columns: TransactionColumns): Int32Array {
    const asOfDay = epochDay(this.asOf);
    const { customer, customerIds, day, orderStart, revenue, cost, returned } = columns;
    const numbers = new Int32Array(columns.length);
    const numberOfCode = new Int32Array(customerIds.length).fill(-1);
    for (let i = 0; i < columns.length; i++) {
      const d = day[i] as number;
      if (d > asOfDay) {
        numbers[i] = -1;
        continue;
      }
      const code = customer[i] as number;
      let index = numberOfCode[code] as number;
      if (index < 0) {
        const id = customerIds[code] as string;
        index = this.byId.get(id) ?? this.add(id, this.labels.label(d));
        numberOfCode[code] = index;
      }
      numbers[i] = index;
      this.addAmount(index, REVENUE, revenue, i);
      if (cost.cents[i] !== 0) this.addAmount(index, COGS, cost, i);
      if (returned.cents[i] !== 0) this.addAmount(index, RETURNS, returned, i);
      const first = this.firstDay[index] as number;
      if (!(first <= d)) this.firstDay[index] = d;
      const last = this.lastDay[index] as number;
      if (!(last >= d)) this.lastDay[index] = d;
      if (orderStart[i] === 1) this.orders[index] = (this.orders[index] as number) + 1;
    }
    return numbers;
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
