import { money } from '../../../core/money.ts';
import type {
  AcquisitionSpendRecord,
  CustomerRecord,
  InteractionRecord,
  IsoDate,
  RetentionSpendRecord,
  SatisfactionRecord,
  ServiceCostRecord,
  Snapshot,
  TouchpointCostRecord,
  TransactionRecord,
} from '../../../core/records.ts';

/** Record builders with neutral defaults, so each test states only what it is about. */
type Amount = string | number;

let orderSequence = 0;

export function tx(
  customer_id: string,
  order_date: string,
  revenue: Amount,
  extra: Partial<Omit<TransactionRecord, 'revenue' | 'cost' | 'returned_amount'>> & {
    cost?: Amount;
    returned?: Amount;
  } = {},
): TransactionRecord {
  orderSequence += 1;
  return {
    order_id: extra.order_id ?? `O${orderSequence}`,
    customer_id,
    order_date,
    revenue: money(revenue),
    cost: money(extra.cost ?? 0),
    returned_amount: money(extra.returned ?? 0),
    quantity: extra.quantity ?? 1,
    product_id: extra.product_id ?? null,
    product_category: extra.product_category ?? null,
    channel: extra.channel ?? null,
    rep_id: extra.rep_id ?? null,
    team: extra.team ?? null,
  };
}

export function customer(
  customer_id: string,
  acquired_on: string,
  extra: Partial<Omit<CustomerRecord, 'acquisition_cost'>> & { acquisition_cost?: Amount | null } = {},
): CustomerRecord {
  return {
    customer_id,
    acquired_on,
    acquisition_cost: extra.acquisition_cost == null ? null : money(extra.acquisition_cost),
    acquisition_channel: extra.acquisition_channel ?? null,
    segment: extra.segment ?? null,
    region: extra.region ?? null,
    product_bundle: extra.product_bundle ?? null,
    referred_by: extra.referred_by ?? null,
    churned_on: extra.churned_on ?? null,
  };
}

export function interaction(
  customer_id: string,
  occurred_on: string,
  touchpoint: string,
  quantity = 1,
  cost: Amount | null = null,
): InteractionRecord {
  return { customer_id, occurred_on, touchpoint, quantity, cost: cost === null ? null : money(cost) };
}

export const touchpointCost = (period: string, touchpoint: string, total: Amount): TouchpointCostRecord => ({
  period,
  touchpoint,
  total_cost: money(total),
});

export const retentionSpend = (
  period: string,
  amount: Amount,
  segment: string | null = null,
): RetentionSpendRecord => ({
  period,
  amount: money(amount),
  segment,
});

export const acquisitionSpend = (
  period: string,
  amount: Amount,
  channel: string | null = null,
): AcquisitionSpendRecord => ({ period, amount: money(amount), channel });

export const survey = (customer_id: string, surveyed_on: string, score: Amount): SatisfactionRecord => ({
  customer_id,
  surveyed_on,
  score: money(score),
});

export const serviceCost = (period: string, net_cost: Amount): ServiceCostRecord => ({
  period,
  net_cost: money(net_cost),
});

export function snapshot(parts: Partial<Snapshot> = {}): Snapshot {
  return {
    transactions: [],
    customers: [],
    interactions: [],
    touchpoint_costs: [],
    retention_spend: [],
    acquisition_spend: [],
    satisfaction: [],
    service_costs: [],
    targets: [],
    ...parts,
  };
}

/** Decimal values as strings, so expectations read like the figures in the seeds. */
export const str = (value: { toString(): string } | null): string | null =>
  value === null ? null : value.toString();

/**
 * Latest satisfaction score of each customer surveyed on or before the date (the later given of
 * one date), by id: the rule as written, which tests hold the job's way (latestSurveys, by
 * customer number) and the latest_satisfaction query to.
 */
export function latestSatisfaction(
  records: readonly SatisfactionRecord[],
  asOf: IsoDate,
): Map<string, SatisfactionRecord> {
  const latest = new Map<string, SatisfactionRecord>();
  for (const record of records) {
    if (record.surveyed_on > asOf) continue;
    const current = latest.get(record.customer_id);
    if (!current || record.surveyed_on >= current.surveyed_on) latest.set(record.customer_id, record);
  }
  return latest;
}
