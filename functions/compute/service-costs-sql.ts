import { money } from '../../core/money.ts';
import { moneyFromCents } from '../../core/profitability/cents.ts';
import type { ServiceCostSets } from '../../core/profitability/service-cost.ts';
import type { CostPool, UnallocatedCost } from '../../core/profitability/types.ts';
import type { IsoDate } from '../../core/records.ts';
import { setQuery } from '../../sql/index.ts';
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
  return serviceCostSets(asOf, (name) => engine.query(setQuery(name), { as_of: asOf }));
}

/**
 * The service costs from the rows of the set queries, wherever they ran (DuckDB here, Athena for a
 * scaled-out run, read back from its Parquet): per customer cents, the pools, what no customer
 * could take. Values may come as text or numbers; amounts are read exactly.
 */
export async function serviceCostSets(
  asOf: IsoDate,
  rowsOf: (name: ServiceCostResult) => Promise<Record<string, unknown>[]>,
): Promise<ServiceCostSets> {
  const customerCents = new Map<string, number>();
  for (const row of await rowsOf('customer_service_costs')) {
    customerCents.set(String(row.customer_id), centsOf(row.cents));
  }
  const pools = (await rowsOf('touchpoint_unit_costs')).map((row) => ({
    period: String(row.period),
    touchpoint: String(row.touchpoint),
    total_cost: money(String(row.total_cost)),
    interactions: Number(row.interactions),
  }));
  const unallocated: UnallocatedCost[] = (await rowsOf('unallocated_service_costs')).map((row) => ({
    pool: String(row.pool) as CostPool,
    period: String(row.period),
    key: row.label === null ? null : String(row.label),
    amount: moneyFromCents(centsOf(row.cents)),
    reason: String(row.reason),
  }));
  const [ignored] = await rowsOf('ignored_interactions');
  return {
    asOf,
    customerCents,
    pools,
    unallocated,
    ignoredInteractions: Number(ignored?.interactions ?? 0),
  };
}

/** A BIGINT of cents from DuckDB's JSON rows (a string when past 2^53: refused, never rounded). */
function centsOf(value: unknown): number {
  const cents = Number(value);
  if (!Number.isSafeInteger(cents))
    throw new RangeError(`service cost of ${String(value)} cents is past 2^53`);
  return cents;
}
