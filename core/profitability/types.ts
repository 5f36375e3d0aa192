import type { Money } from '../money.ts';
import type { IsoDate } from '../records.ts';

/**
 * One customer's running ledger. Filled in stages (transactions, costs, churn, CLV, ranking) by the
 * modules of this folder; kept as one mutable object per customer because the engine runs on
 * millions of customers and copies would dominate.
 */
export interface CustomerFacts {
  customerId: string;
  /** From the customers export; false for customers known only from transactions. */
  inCustomerExport: boolean;
  acquiredOn: IsoDate;
  ownAcquisitionCost: Money | null;
  acquisitionChannel: string | null;
  segment: string | null;
  region: string | null;
  productBundle: string | null;
  referredBy: string | null;
  churnedOn: IsoDate | null;

  revenue: Money;
  cogs: Money;
  returns: Money;
  orders: number;
  firstOrder: IsoDate | null;
  lastOrder: IsoDate | null;

  tenureDays: number;
  churned: boolean;
  /** The day the customer counts as lost: explicit churned_on, else last activity + inactivity window. */
  churnDate: IsoDate;

  serviceCost: Money;
  acquisitionCost: Money;
  retentionCost: Money;
  profit: Money;

  satisfactionScore: Money | null;
  averageOrderValue: Money | null;
  ordersPerYear: Money;
  clvSimple: Money;
  clvDiscounted: Money;
  clvContinuous: Money;
  clvFormula: Money;

  /** 1 = most profitable tenth; 0 until ranked. */
  profitDecile: number;
  profitTier: string | null;
}

export type CostPool = 'touchpoint_cost' | 'interaction_cost' | 'acquisition_spend' | 'retention_spend';

/** A cost that could not be attributed to any customer: reported, never dropped. */
export interface UnallocatedCost {
  pool: CostPool;
  period: string;
  /** Touchpoint, channel or segment of the pool; null when the pool has none. */
  key: string | null;
  amount: Money;
  reason: string;
}

/** Counts repeated data problems into one line each instead of one warning per row. */
export class Warnings {
  private readonly counts = new Map<string, number>();

  add(message: string, times = 1): void {
    this.counts.set(message, (this.counts.get(message) ?? 0) + times);
  }

  list(): string[] {
    return [...this.counts].map(([message, count]) =>
      count === 1 ? message : `${message} (${count} times)`,
    );
  }
}
