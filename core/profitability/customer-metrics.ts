import { type Money, type RoundingMode, roundMoney } from '../money.ts';
import type { PeriodGrain } from './calendar.ts';
import { periodOf } from './calendar.ts';
import { type CustomerLedger, customerLedger, ledgerCustomers } from './customer-ledger.ts';
import { type CustomerMetricsRow, rowRounder } from './rows.ts';
import type { CustomerFacts } from './types.ts';

/** The exact customer_metrics row of a customer; the predictive CLV columns are left for their module. */
export function customerMetricsRow(customer: CustomerFacts, cohortGrain: PeriodGrain): CustomerMetricsRow {
  return {
    customer_id: customer.customerId,
    cohort: periodOf(customer.acquiredOn, cohortGrain),
    segment: customer.segment,
    acquisition_channel: customer.acquisitionChannel,
    region: customer.region,
    acquired_on: customer.acquiredOn,
    revenue: customer.revenue,
    cogs: customer.cogs,
    returns: customer.returns,
    service_cost: customer.serviceCost,
    acquisition_cost: customer.acquisitionCost,
    retention_cost: customer.retentionCost,
    profit: customer.profit,
    orders: customer.orders,
    first_order: customer.firstOrder,
    last_order: customer.lastOrder,
    tenure_days: customer.tenureDays,
    average_order_value: customer.averageOrderValue,
    orders_per_year: customer.ordersPerYear,
    churned: customer.churned,
    satisfaction_score: customer.satisfactionScore,
    clv_simple: customer.clvSimple,
    clv_discounted: customer.clvDiscounted,
    clv_continuous: customer.clvContinuous,
    clv_formula: customer.clvFormula,
    clv_predicted: null,
    clv_predicted_p10: null,
    clv_predicted_p90: null,
    clv_contractual: null,
    p_alive: null,
    expected_orders_next_year: null,
    expected_spend: null,
    profit_decile: customer.profitDecile,
    profit_tier: customer.profitTier,
  };
}

/**
 * The predictive CLV columns of a customer, when the model has them (see core/clv). Money comes as
 * the model gave it (six decimals of its double), not to the cent: the rows round it once, with
 * the run's rounding mode.
 */
export interface PredictedColumns {
  /** Position of the customer's prediction, -1 when the model has none. */
  positionOf(customer: CustomerFacts): number;
  clvPredicted(index: number): Money | null;
  /** The 80% interval's ends (null without intervals: clv.intervalDraws 0, or no fit). */
  clvPredictedP10?(index: number): Money | null;
  clvPredictedP90?(index: number): Money | null;
  readonly pAlive: ArrayLike<number>;
  readonly expectedOrdersNextYear: ArrayLike<number>;
  /** Expected revenue per future purchase day (null without a spend model). */
  expectedSpend?(index: number): Money | null;
}

/**
 * The customer_metrics rows, made one at a time as they are read instead of held: a million rows
 * as objects with a dozen rounded Decimals each would be gigabytes. Each read builds exactly the
 * rows computeProfitability + the predictive merge always built (rounded with `mode`, the model's
 * values too), so every consumer sees the same values. Serialises as the row array.
 */
export class CustomerMetricsRows implements Iterable<CustomerMetricsRow> {
  constructor(
    private readonly customers: readonly CustomerFacts[],
    private readonly cohortGrain: PeriodGrain,
    private readonly mode: RoundingMode,
    private readonly predicted: PredictedColumns | null = null,
    /** Per customer, the discounted expected residual value of their active subscriptions (sBG DERL). */
    private readonly contractual: ReadonlyMap<string, Money> | null = null,
  ) {}

  get length(): number {
    return this.customers.length;
  }

  *[Symbol.iterator](): Iterator<CustomerMetricsRow> {
    const round = rowRounder('customer_metrics', this.mode);
    const predicted = this.predicted;
    for (const customer of this.customers) {
      const row = round(customerMetricsRow(customer, this.cohortGrain));
      const at = predicted ? predicted.positionOf(customer) : -1;
      if (predicted && at >= 0) {
        const clv = predicted.clvPredicted(at);
        row.clv_predicted = clv ? roundMoney(clv, 2, this.mode) : null;
        const p10 = predicted.clvPredictedP10?.(at) ?? null;
        const p90 = predicted.clvPredictedP90?.(at) ?? null;
        row.clv_predicted_p10 = p10 ? roundMoney(p10, 2, this.mode) : null;
        row.clv_predicted_p90 = p90 ? roundMoney(p90, 2, this.mode) : null;
        row.p_alive = predicted.pAlive[at] as number;
        row.expected_orders_next_year = predicted.expectedOrdersNextYear[at] as number;
        const spend = predicted.expectedSpend?.(at) ?? null;
        row.expected_spend = spend ? roundMoney(spend, 2, this.mode) : null;
      }
      const contractual = this.contractual?.get(customer.customerId);
      if (contractual) row.clv_contractual = roundMoney(contractual, 2, this.mode);
      yield row;
    }
  }

  /** The customers' ids, in row order, without making their rows. */
  *customerIds(): Generator<string> {
    for (const customer of this.customers) yield customer.customerId;
  }

  /**
   * The rows split into `groups` parts by `groupOf(customer_id)`, in row order within each part:
   * the customers are split, not the rows, so no row is made until a part is read.
   */
  partition(groupOf: (customerId: string) => number, groups: number): CustomerMetricsRows[] {
    const parts: CustomerFacts[][] = Array.from({ length: groups }, () => []);
    for (const customer of this.customers)
      (parts[groupOf(customer.customerId)] as CustomerFacts[]).push(customer);
    return parts.map(
      (customers) =>
        new CustomerMetricsRows(customers, this.cohortGrain, this.mode, this.predicted, this.contractual),
    );
  }

  /**
   * The rows' ledgers, split into `groups` parts by `groupOf(customer_id)` (see customer-ledger.ts):
   * what a scaled-out run hands each bucket's function to make that bucket's rows.
   */
  *ledgers(groupOf: (customerId: string) => number, groups: number): Generator<CustomerLedger> {
    // One ledger at a time: together they would hold every customer a second time.
    for (const part of this.partition(groupOf, groups))
      yield customerLedger(part.customers, part.cohortGrain, part.mode, part.predicted, part.contractual);
  }

  /** The rows of a ledger's customers: exactly those the ledger was made from. */
  static fromLedger(ledger: CustomerLedger): CustomerMetricsRows {
    const { customers, predicted, contractual } = ledgerCustomers(ledger);
    return new CustomerMetricsRows(customers, ledger.cohortGrain, ledger.rounding, predicted, contractual);
  }

  toArray(): CustomerMetricsRow[] {
    return [...this];
  }

  toJSON(): CustomerMetricsRow[] {
    return this.toArray();
  }
}
