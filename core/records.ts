import type { Money } from './money.ts';

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

export type TargetMetric = 'revenue' | 'profit' | 'orders' | 'new_customers';

export interface TargetRecord {
  fiscal_year: number;
  metric: TargetMetric;
  amount: Money;
  /** `company`, `team:<id>` or `rep:<id>`. */
  scope: string;
  share: Money | null;
  /** 1-based line of the export the row came from, for error messages. */
  source_line: number;
  /** The export the row came from, so an error can name the file. */
  export_id?: string;
}

/** Everything the compute job reads: the committed curated exports of every kind. */
export interface Snapshot {
  transactions: TransactionRecord[];
  customers: CustomerRecord[];
  interactions: InteractionRecord[];
  touchpoint_costs: TouchpointCostRecord[];
  retention_spend: RetentionSpendRecord[];
  acquisition_spend: AcquisitionSpendRecord[];
  satisfaction: SatisfactionRecord[];
  service_costs: ServiceCostRecord[];
  targets: TargetRecord[];
}
