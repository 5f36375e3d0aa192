import type { Money } from './money.ts';
import type { ServiceCostSets } from './profitability/service-cost.ts';

/**
 * Curated rows as the domain sees them, one interface per export kind (design.md "Export kinds").
 * Dates are ISO calendar dates `YYYY-MM-DD` (string order = time order); months are `YYYY-MM`;
 * periods of spend tables are `YYYY-MM` or `YYYY-Qn`. Absent optional values are null.
 */
export type IsoDate = string;

export interface TransactionRecord {
  order_id: string;
  customer_id: string;
  order_date: IsoDate;
  /** Net of discount. */
  revenue: Money;
  /** Direct product cost; 0 when the export has none. */
  cost: Money;
  returned_amount: Money;
  quantity: number | null;
  product_id: string | null;
  product_category: string | null;
  channel: string | null;
  rep_id: string | null;
  team: string | null;
  /** Time of day as exported (HH:MM[:SS] or a timestamp), for half-day actuals; null or absent without one. */
  order_time?: string | null;
}

export interface CustomerRecord {
  customer_id: string;
  acquired_on: IsoDate;
  acquisition_cost: Money | null;
  acquisition_channel: string | null;
  segment: string | null;
  region: string | null;
  product_bundle: string | null;
  referred_by: string | null;
  churned_on: IsoDate | null;
}

export interface InteractionRecord {
  customer_id: string;
  occurred_on: IsoDate;
  touchpoint: string;
  quantity: number;
  cost: Money | null;
}

export interface TouchpointCostRecord {
  period: string;
  touchpoint: string;
  total_cost: Money;
}

export interface RetentionSpendRecord {
  period: string;
  amount: Money;
  segment: string | null;
}

export interface AcquisitionSpendRecord {
  period: string;
  amount: Money;
  channel: string | null;
}

export interface SatisfactionRecord {
  customer_id: string;
  surveyed_on: IsoDate;
  /** 0-100. */
  score: Money;
}

export interface ServiceCostRecord {
  period: string;
  net_cost: Money;
}

export type TargetMetric = 'revenue' | 'profit' | 'orders' | 'new_customers' | 'margin_pct';

export interface TargetRecord {
  fiscal_year: number;
  metric: TargetMetric;
  amount: Money;
  /** `company`, `team:<id>` or `rep:<id>`. */
  scope: string;
  share: Money | null;
  /** Planning scenario (`plan` when absent): every scenario is broken down side by side. */
  scenario?: string;
  /** 1-based line of the export the row came from, for error messages. */
  source_line: number;
  /** The export the row came from, so an error can name the file. */
  export_id?: string;
}

/** The sales roster (`reps` export): team membership, capacity, ramps and leavers for targets. */
export interface RepRecord {
  rep_id: string;
  team: string;
  started_on: IsoDate | null;
  ended_on: IsoDate | null;
  ramp_months: number | null;
  /** A weight, 1 by default. */
  capacity: Money | null;
}

/** A published or company day (`holidays` export), overriding the holiday package. */
export interface HolidayRecord {
  date: IsoDate;
  /** `holiday` or `workday` (or their Chinese names), checked by the targets job. */
  kind: string;
  name: string | null;
  /** `company` or `team:<id>`. */
  scope: string;
}

/** A curated `subscriptions` row (design.md, "Export kinds"; modelled in core/clv/subscriptions.ts). */
export interface SubscriptionRecord {
  subscription_id: string;
  customer_id: string;
  started_on: IsoDate;
  /** The last day paid for; null while active. */
  ended_on: IsoDate | null;
  plan: string | null;
  /** month, quarter or year (also monthly, 月, 季度, 年付, ...); null = month. */
  billing_period: string | null;
  /** Per billing period. */
  recurring_revenue: Money | null;
  recurring_cost: Money | null;
}

/**
 * An amount column in exact integer cents: `cents[i]` is line i's amount when that is a whole
 * number of cents and a safe integer (|cents| <= 2^53 - 1), else NaN and the exact amount is
 * `exact.get(i)`. Curated amounts are DECIMAL(18,2), so `exact` is almost always empty.
 */
export interface CentsColumn {
  cents: Float64Array;
  exact: Map<number, Money>;
}

/**
 * The transactions the computations need, as parallel typed columns (one entry per line): about
 * 37 bytes a line instead of a record object with three Decimals, which is what lets tens of
 * millions of lines fit in memory. Built from records (core/profitability/transaction-columns.ts)
 * or straight from Parquet (functions/compute/load-transactions.ts).
 */
export interface TransactionColumns {
  length: number;
  /** Index into `customerIds`. */
  customer: Int32Array;
  /** Each customer's id, once: no two codes share an id. */
  customerIds: string[];
  /** order_date as UTC days since 1970-01-01. */
  day: Int32Array;
  /**
   * 1 on exactly one line of each distinct (customer, order_id): one dated on the order's earliest
   * date. Distinct orders as of a date = flagged lines dated on or before it; order ids themselves
   * are not kept.
   */
  orderStart: Uint8Array;
  revenue: CentsColumn;
  cost: CentsColumn;
  returned: CentsColumn;
  /** Index into `categories` (product_category, null included). */
  category: Int32Array;
  categories: (string | null)[];
}

/** Everything the compute job reads: the committed curated exports of every kind. */
export interface Snapshot {
  transactions: TransactionRecord[];
  /** The same lines as columns, when the loader built them (the computations then read these). */
  transactionColumns?: TransactionColumns;
  /**
   * The service costs as the set queries computed them over the exports for one as_of (the job's
   * embedded engine); the interactions records are then not loaded, and the computations apply
   * these instead of allocating.
   */
  serviceCosts?: ServiceCostSets;
  customers: CustomerRecord[];
  interactions: InteractionRecord[];
  touchpoint_costs: TouchpointCostRecord[];
  retention_spend: RetentionSpendRecord[];
  acquisition_spend: AcquisitionSpendRecord[];
  satisfaction: SatisfactionRecord[];
  service_costs: ServiceCostRecord[];
  targets: TargetRecord[];
  /** Contractual customers; absent or empty when no subscriptions export was loaded. */
  subscriptions?: SubscriptionRecord[];
  reps?: RepRecord[];
  holidays?: HolidayRecord[];
}

/** A snapshot holding its transactions as columns only (the compute job's load: no record objects). */
export type ColumnarSnapshot = Omit<Snapshot, 'transactions'> & { transactionColumns: TransactionColumns };

/** What the computations accept: records (tests, small callers) or columns (the compute job). */
export type SnapshotInput = Snapshot | ColumnarSnapshot;
