import { money } from '../../core/money.ts';
import { moneyFromCents } from '../../core/profitability/cents.ts';
import type { ServiceCostSets } from '../../core/profitability/service-cost.ts';
import type { CostPool, UnallocatedCost } from '../../core/profitability/types.ts';
import type { IsoDate } from '../../core/records.ts';
import { setQuery } from '../../sql/index.ts';
import type { SetEngine } from './set-engine.ts';

/**
 * The service costs as of a date by the set queries (sql/service-cost-pools.ts,
 * service-cost-shares.ts, customer-service-costs.ts, touchpoint-unit-costs.ts,
 * unallocated-service-costs.ts, ignored-interactions.ts): per customer cents, the pools, what no
 * customer could take.
 */
export async function serviceCostsFromSql(engine: SetEngine, asOf: IsoDate): Promise<ServiceCostSets> {
  const parameters = { as_of: asOf };
  const customerCents = new Map<string, number>();
  for (const row of await engine.query(setQuery('customer_service_costs'), parameters)) {
    customerCents.set(String(row.customer_id), centsOf(row.cents));
  }
  const pools = (await engine.query(setQuery('touchpoint_unit_costs'), parameters)).map((row) => ({
    period: String(row.period),
    touchpoint: String(row.touchpoint),
    total_cost: money(String(row.total_cost)),
    interactions: Number(row.interactions),
  }));
  const unallocated: UnallocatedCost[] = (
    await engine.query(setQuery('unallocated_service_costs'), parameters)
  ).map((row) => ({
    pool: String(row.pool) as CostPool,
    period: String(row.period),
    key: row.label === null ? null : String(row.label),
    amount: moneyFromCents(centsOf(row.cents)),
    reason: String(row.reason),
  }));
  const [ignored] = await engine.query(setQuery('ignored_interactions'), parameters);
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
