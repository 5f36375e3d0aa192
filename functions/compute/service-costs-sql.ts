import { money } from '../../core/money.ts';
import { moneyFromCents } from '../../core/profitability/cents.ts';
import type { ServiceCostSets } from '../../core/profitability/service-cost.ts';
import type { CostPool, UnallocatedCost } from '../../core/profitability/types.ts';
import type { IsoDate } from '../../core/records.ts';
import { type SetQuery, setQuery } from '../../sql/index.ts';
import type { SetEngine } from './set-engine.ts';

/** The set queries the service costs are read from, each with the columns read. */
export const SERVICE_COST_RESULTS = {
  customer_service_costs: ['customer_id', 'cents'],
  touchpoint_unit_costs: ['period', 'touchpoint', 'total_cost', 'interactions'],
  unallocated_service_costs: ['pool', 'period', 'label', 'cents', 'reason'],
  ignored_interactions: ['interactions'],
} as const;

export type ServiceCostResult = keyof typeof SERVICE_COST_RESULTS;

/**
 * The service costs as of a date by the set queries (sql/service-cost-pools.ts,
 * service-cost-shares.ts, customer-service-costs.ts, touchpoint-unit-costs.ts,
 * unallocated-service-costs.ts, ignored-interactions.ts) on the embedded engine.
 */
export async function serviceCostsFromSql(engine: SetEngine, asOf: IsoDate): Promise<ServiceCostSets> {
  return serviceCostSets(asOf, (name) => engine.queryColumns(byCustomerId(setQuery(name)), { as_of: asOf }));
}

/**
 * customer_service_costs sorted by customer id: the job then finds each customer as the fact after
 * the one before (see customersById in core/profitability/compute.ts) instead of hashing a million
 * ids. Any order gives the same tables; this one only saves the lookups.
 */
function byCustomerId(query: SetQuery): SetQuery {
  if (query.name !== 'customer_service_costs') return query;
  return { ...query, sql: `SELECT * FROM (${query.sql}) AS costs ORDER BY customer_id` };
}

/** A set query's result as columns by name (a column may be absent when there are no rows). */
export type ServiceCostColumns = Record<string, readonly unknown[]>;

/** Rows as columns by name, the names of `result`. */
export function columnsOfRows(
  result: ServiceCostResult,
  rows: readonly Record<string, unknown>[],
): ServiceCostColumns {
  return Object.fromEntries(SERVICE_COST_RESULTS[result].map((name) => [name, rows.map((row) => row[name])]));
}

/**
 * The service costs from the results of the set queries, wherever they ran (DuckDB here, Athena for
 * a scaled-out run, read back from its Parquet): per customer cents, the pools, what no customer
 * could take. Values may come as text or numbers; amounts are read exactly.
 */
export async function serviceCostSets(
  asOf: IsoDate,
  columnsOf: (name: ServiceCostResult) => Promise<ServiceCostColumns>,
): Promise<ServiceCostSets> {
  const customers = await columnsOf('customer_service_costs');
  const ids = (customers.customer_id ?? []).map(String);
  const cents = Float64Array.from(customers.cents ?? [], centsOf);
  const customerCents = { ids, cents };
  const pools = rowsOf(await columnsOf('touchpoint_unit_costs')).map((row) => ({
    period: String(row.period),
    touchpoint: String(row.touchpoint),
    total_cost: money(String(row.total_cost)),
    interactions: Number(row.interactions),
  }));
  const unallocated: UnallocatedCost[] = rowsOf(await columnsOf('unallocated_service_costs')).map((row) => ({
    pool: String(row.pool) as CostPool,
    period: String(row.period),
    key: row.label === null ? null : String(row.label),
    amount: moneyFromCents(centsOf(row.cents)),
    reason: String(row.reason),
  }));
  const [ignored] = rowsOf(await columnsOf('ignored_interactions'));
  return {
    asOf,
    customerCents,
    pools,
    unallocated,
    ignoredInteractions: Number(ignored?.interactions ?? 0),
  };
}

/** The rows of a small result (the pools, the unallocated costs). */
function rowsOf(columns: ServiceCostColumns): Record<string, unknown>[] {
  const names = Object.keys(columns);
  const count = names.length === 0 ? 0 : (columns[names[0] as string] as readonly unknown[]).length;
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(names.map((name) => [name, (columns[name] as readonly unknown[])[i]])),
  );
}

/** A BIGINT of cents from DuckDB's JSON rows (a string when past 2^53: refused, never rounded). */
function centsOf(value: unknown): number {
  const cents = Number(value);
  if (!Number.isSafeInteger(cents))
    throw new RangeError(`service cost of ${String(value)} cents is past 2^53`);
  return cents;
}
