/**
 * The set work of the compute job as SQL (Athena's Trino dialect, which DuckDB runs unchanged):
 * one query per file, each read as a relation named after it. Queries read the curated tables by
 * their Athena names (transactions, customers, ...) and earlier relations of this list by theirs;
 * `?` parameters are bound in the order listed. Kept as TypeScript string modules so the Lambda
 * bundle carries them without a loader.
 */
import bucketedCustomers from './bucketed-customers.ts';
import bucketedTransactions from './bucketed-transactions.ts';
import cohortRetention from './cohort-retention.ts';
import customerFacts from './customer-facts.ts';
import customerProfiles from './customer-profiles.ts';
import customerServiceCosts from './customer-service-costs.ts';
import firstOrders from './first-orders.ts';
import ignoredInteractions from './ignored-interactions.ts';
import latestSatisfaction from './latest-satisfaction.ts';
import periodKpis from './period-kpis.ts';
import purchaseHistogram from './purchase-histogram.ts';
import segmentProduct from './segment-product.ts';
import serviceCostPools from './service-cost-pools.ts';
import serviceCostShares from './service-cost-shares.ts';
import touchpointUnitCosts from './touchpoint-unit-costs.ts';
import unallocatedServiceCosts from './unallocated-service-costs.ts';
import whaleCurve from './whale-curve.ts';

export type SqlParameter = 'as_of' | 'grain' | 'calibration_end' | 'points' | 'buckets';

export interface SetQuery {
  name: string;
  sql: string;
  /** The values bound to the `?` placeholders, in order. */
  parameters: readonly SqlParameter[];
  /** Relations of this list the query reads (created before it). */
  reads: readonly string[];
}

/** In dependency order. */
export const SET_QUERIES: readonly SetQuery[] = [
  { name: 'customer_facts', sql: customerFacts, parameters: ['as_of'], reads: [] },
  { name: 'first_orders', sql: firstOrders, parameters: ['as_of'], reads: [] },
  { name: 'customer_profiles', sql: customerProfiles, parameters: [], reads: ['first_orders'] },
  { name: 'segment_product', sql: segmentProduct, parameters: ['as_of'], reads: ['customer_profiles'] },
  {
    name: 'cohort_retention',
    sql: cohortRetention,
    parameters: ['grain', 'as_of'],
    reads: ['customer_profiles'],
  },
  { name: 'period_kpis', sql: periodKpis, parameters: ['grain', 'as_of'], reads: [] },
  { name: 'purchase_histogram', sql: purchaseHistogram, parameters: ['calibration_end'], reads: [] },
  { name: 'latest_satisfaction', sql: latestSatisfaction, parameters: ['as_of'], reads: [] },
  {
    name: 'service_cost_pools',
    sql: serviceCostPools,
    parameters: ['as_of'],
    reads: ['customer_profiles'],
  },
  { name: 'service_cost_shares', sql: serviceCostShares, parameters: [], reads: ['service_cost_pools'] },
  {
    name: 'customer_service_costs',
    sql: customerServiceCosts,
    parameters: ['as_of'],
    reads: ['customer_profiles', 'service_cost_shares'],
  },
  {
    name: 'unallocated_service_costs',
    sql: unallocatedServiceCosts,
    parameters: ['as_of'],
    reads: ['customer_profiles', 'service_cost_pools', 'service_cost_shares'],
  },
  {
    name: 'touchpoint_unit_costs',
    sql: touchpointUnitCosts,
    parameters: [],
    reads: ['service_cost_pools'],
  },
  {
    name: 'ignored_interactions',
    sql: ignoredInteractions,
    parameters: ['as_of'],
    reads: ['service_cost_pools'],
  },
  // The scale-out run's partition of the transactions (functions/scale-out/partition-query.ts).
  { name: 'bucketed_transactions', sql: bucketedTransactions, parameters: ['buckets'], reads: [] },
  // Its customers' rows of the customers exports, bucket by bucket.
  { name: 'bucketed_customers', sql: bucketedCustomers, parameters: ['buckets'], reads: [] },
  // Over the customer_metrics result table, not the exports.
  { name: 'whale_curve', sql: whaleCurve, parameters: ['as_of', 'points'], reads: [] },
];

export function setQuery(name: string): SetQuery {
  const query = SET_QUERIES.find((q) => q.name === name);
  if (!query) throw new Error(`no set query named ${name}`);
  return query;
}
