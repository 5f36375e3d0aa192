import { allocate, type Money, money, ZERO } from '../money.ts';
import type { InteractionRecord, IsoDate, TouchpointCostRecord } from '../records.ts';
import { allocateCents } from './allocate-cents.ts';
import { parsePeriod } from './calendar.ts';
import { moneyFromCents } from './cents.ts';
import { addFieldCents, addFieldMoney, SERVICE_COST } from './customer-store.ts';
import type { CustomerFacts, UnallocatedCost, Warnings } from './types.ts';

/** The activity-based rate of one touchpoint in one month, for audit. */
export interface TouchpointUnitCost {
  period: string;
  touchpoint: string;
  total_cost: Money;
  /** Sum of the quantity of the interactions that carry no direct cost of their own. */
  interactions: number;
  /** total_cost / interactions; null when nobody used the touchpoint that month. */
  unit_cost: Money | null;
}

export interface ServiceCostResult {
  unitCosts: TouchpointUnitCost[];
  unallocated: UnallocatedCost[];
}

interface Pool {
  period: string;
  touchpoint: string;
  total: Money;
  quantityByCustomer: Map<CustomerFacts, number>;
  /** Interactions of ids outside the customer base share the pool too, then go to unallocated. */
  unknownQuantity: number;
}

const keyOf = (period: string, touchpoint: string): string =>
  `${period}\u0000${touchpoint.trim().toLowerCase()}`;

/**
 * Cost to serve by activity-based costing: each touchpoint's monthly cost is spread over that month's
 * interactions by quantity (largest remainder, so a pool's shares add up to it exactly). An interaction
 * with its own direct cost carries that cost instead and does not take a share of the pool.
 */
export function allocateServiceCosts(
  customersById: ReadonlyMap<string, CustomerFacts>,
  interactions: readonly InteractionRecord[],
  touchpointCosts: readonly TouchpointCostRecord[],
  asOf: IsoDate,
  warnings: Warnings,
): ServiceCostResult {
  const unallocated: UnallocatedCost[] = [];
  const pools = new Map<string, Pool>();
  const asOfMonth = asOf.slice(0, 7);
  for (const row of touchpointCosts) {
    const period = parsePeriod(row.period);
    if (period === null || period.grain !== 'month') {
      unallocated.push({
        pool: 'touchpoint_cost',
        period: row.period,
        key: row.touchpoint,
        amount: row.total_cost,
        reason: 'touchpoint cost period is not a month (YYYY-MM)',
      });
      continue;
    }
    if (period.label > asOfMonth) continue;
    const key = keyOf(period.label, row.touchpoint);
    const pool = pools.get(key);
    if (pool) pool.total = pool.total.plus(row.total_cost);
    else
      pools.set(key, {
        period: period.label,
        touchpoint: row.touchpoint.trim(),
        total: row.total_cost,
        quantityByCustomer: new Map(),
        unknownQuantity: 0,
      });
  }

  const unknownDirect = new Map<string, UnallocatedCost>();
  for (const row of interactions) {
    if (row.occurred_on > asOf) continue;
    const customer = customersById.get(row.customer_id);
    const month = row.occurred_on.slice(0, 7);
    if (row.cost !== null) {
      if (customer) addFieldMoney(customer, SERVICE_COST, row.cost);
      else addUnknownDirectCost(unknownDirect, month, row);
      continue;
    }
    const pool = pools.get(keyOf(month, row.touchpoint));
    if (!pool) continue;
    if (!(row.quantity > 0)) {
      warnings.add('interaction with a quantity that is not positive ignored for cost allocation');
      continue;
    }
    if (customer)
      pool.quantityByCustomer.set(customer, (pool.quantityByCustomer.get(customer) ?? 0) + row.quantity);
    else pool.unknownQuantity += row.quantity;
  }
  unallocated.push(...unknownDirect.values());

  const unitCosts: TouchpointUnitCost[] = [];
  for (const pool of pools.values()) {
    const customers = [...pool.quantityByCustomer.keys()];
    const weights = [...pool.quantityByCustomer.values()];
    const quantity = weights.reduce((a, b) => a + b, 0) + pool.unknownQuantity;
    unitCosts.push({
      period: pool.period,
      touchpoint: pool.touchpoint,
      total_cost: pool.total,
      interactions: quantity,
      unit_cost: quantity > 0 ? pool.total.dividedBy(quantity) : null,
    });
    if (quantity === 0) {
      unallocated.push({
        pool: 'touchpoint_cost',
        period: pool.period,
        key: pool.touchpoint,
        amount: pool.total,
        reason: 'no interactions with this touchpoint in the period',
      });
      continue;
    }
    const inCents = allocateCents(pool.total, [...weights, pool.unknownQuantity]);
    let unknownShare: Money;
    if (inCents !== null) {
      customers.forEach((customer, i) => {
        addFieldCents(customer, SERVICE_COST, inCents[i] as number);
      });
      unknownShare = moneyFromCents(inCents[customers.length] as number);
    } else {
      const shares = allocate(pool.total, [...weights, pool.unknownQuantity]);
      customers.forEach((customer, i) => {
        customer.serviceCost = customer.serviceCost.plus(shares[i] as Money);
      });
      unknownShare = shares[customers.length] as Money;
    }
    if (!unknownShare.isZero()) {
      unallocated.push({
        pool: 'touchpoint_cost',
        period: pool.period,
        key: pool.touchpoint,
        amount: unknownShare,
        reason: 'share of interactions by customer ids not in the customer base',
      });
    }
  }
  unitCosts.sort((a, b) => a.period.localeCompare(b.period) || a.touchpoint.localeCompare(b.touchpoint));
  return { unitCosts, unallocated };
}

function addUnknownDirectCost(
  into: Map<string, UnallocatedCost>,
  month: string,
  row: InteractionRecord,
): void {
  const key = keyOf(month, row.touchpoint);
  const existing = into.get(key);
  if (existing) existing.amount = existing.amount.plus(row.cost ?? ZERO);
  else
    into.set(key, {
      pool: 'interaction_cost',
      period: month,
      key: row.touchpoint.trim(),
      amount: money(row.cost ?? ZERO),
      reason: 'direct interaction cost of a customer id not in the customer base',
    });
}
