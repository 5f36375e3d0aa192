import { allocate, type Money, money, ZERO } from '../money.ts';
import type { InteractionRecord, IsoDate, TouchpointCostRecord } from '../records.ts';
import { compareCodePoints } from '../text/code-points.ts';
import { allocateCents } from './allocate-cents.ts';
import { parsePeriod } from './calendar.ts';
import { moneyFromCents } from './cents.ts';
import { addFieldCents, addFieldMoney, SERVICE_COST, storedOf } from './customer-store.ts';
import { touchpointKey } from './touchpoint-key.ts';
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
  /** The pool's interactions by customers of the base, in interaction order (see poolParts). */
  customers: CustomerFacts[];
  quantities: number[];
  /** Interactions of ids outside the customer base share the pool too, then go to unallocated. */
  unknownQuantity: number;
}

const keyOf = (period: string, touchpoint: string): string => `${period}\u0000${touchpointKey(touchpoint)}`;

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
    if (pool) {
      pool.total = pool.total.plus(row.total_cost);
      // Named by its smallest spelling, whatever the order of the rows (as sql/service-cost-pools.ts).
      if (compareCodePoints(row.touchpoint, pool.touchpoint) < 0) pool.touchpoint = row.touchpoint;
    } else
      pools.set(key, {
        period: period.label,
        touchpoint: row.touchpoint,
        total: row.total_cost,
        customers: [],
        quantities: [],
        unknownQuantity: 0,
      });
  }

  const unknownDirect = new Map<string, UnallocatedCost>();
  // The pool of an interaction by its (date, touchpoint) texts as they come: loaded texts are
  // shared, so this is two lookups of strings whose hash is known, where keyOf built and hashed
  // two new strings per interaction (a million interactions took seconds).
  const poolByDay = new Map<string, Map<string, Pool | null>>();
  for (const row of interactions) {
    if (row.occurred_on > asOf) continue;
    const customer = customersById.get(row.customer_id);
    if (row.cost !== null) {
      if (customer) addFieldMoney(customer, SERVICE_COST, row.cost);
      else addUnknownDirectCost(unknownDirect, row.occurred_on.slice(0, 7), row);
      continue;
    }
    let byTouchpoint = poolByDay.get(row.occurred_on);
    if (byTouchpoint === undefined) {
      byTouchpoint = new Map();
      poolByDay.set(row.occurred_on, byTouchpoint);
    }
    let pool = byTouchpoint.get(row.touchpoint);
    if (pool === undefined) {
      pool = pools.get(keyOf(row.occurred_on.slice(0, 7), row.touchpoint)) ?? null;
      byTouchpoint.set(row.touchpoint, pool);
    }
    if (pool === null) continue;
    if (!(row.quantity > 0)) {
      warnings.add('interaction with a quantity that is not positive ignored for cost allocation');
      continue;
    }
    if (customer) {
      pool.customers.push(customer);
      pool.quantities.push(row.quantity);
    } else pool.unknownQuantity += row.quantity;
  }
  unallocated.push(...unknownDirect.values());

  const unitCosts: TouchpointUnitCost[] = [];
  for (const pool of pools.values()) {
    // Parts in customer id order (ties of the remainders go to the smaller id; ids outside the
    // customer base last), so the cents never depend on the order of the interactions.
    const { customers, weights } = poolParts(pool);
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
  return canonicalServiceCosts({ unitCosts, unallocated });
}

/**
 * A pool's customers in id order with their summed quantities, each customer's added in interaction
 * order (the order a running sum per customer took). Stored facts are ordered by their number,
 * which is checked to follow the ids (so it usually does the work of a string sort); otherwise by id.
 */
function poolParts(pool: Pool): { customers: CustomerFacts[]; weights: number[] } {
  const entries = pool.customers;
  const count = entries.length;
  let order: ArrayLike<number> | null = null;
  const first = count > 0 ? storedOf(entries[0] as CustomerFacts) : null;
  if (first !== null && count * (first.store.size + 1) < Number.MAX_SAFE_INTEGER) {
    // number x count + position: one numeric sort, ties (one customer's entries) in interaction order.
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const stored = storedOf(entries[i] as CustomerFacts);
      if (stored === null || stored.store !== first.store) {
        order = null;
        break;
      }
      keys[i] = stored.index * count + i;
      order = keys;
    }
    if (order !== null) {
      keys.sort();
      for (let k = 0; k < count; k++) keys[k] = (keys[k] as number) % count;
      for (let k = 1; k < count && order !== null; k++)
        if (
          compareCodePoints(
            (entries[keys[k - 1] as number] as CustomerFacts).customerId,
            (entries[keys[k] as number] as CustomerFacts).customerId,
          ) > 0
        )
          order = null;
    }
  }
  if (order === null) {
    // Array.prototype.sort is stable: one customer's entries stay in interaction order.
    // By code point, as the set queries order ids (sql/service-cost-shares.ts): a tie in the
    // largest remainder goes to the same customer on both paths.
    order = Array.from({ length: count }, (_, i) => i).sort((a, b) =>
      compareCodePoints((entries[a] as CustomerFacts).customerId, (entries[b] as CustomerFacts).customerId),
    );
  }
  const customers: CustomerFacts[] = [];
  const weights: number[] = [];
  let current: CustomerFacts | null = null;
  for (let k = 0; k < count; k++) {
    const i = order[k] as number;
    const customer = entries[i] as CustomerFacts;
    const quantity = pool.quantities[i] as number;
    if (customer === current)
      weights[weights.length - 1] = (weights[weights.length - 1] as number) + quantity;
    else {
      current = customer;
      customers.push(customer);
      weights.push(0 + quantity);
    }
  }
  return { customers, weights };
}

/**
 * Unit costs by month and touchpoint; unallocated costs by pool, month, touchpoint and reason, in
 * code point order: localeCompare's order follows the locale of the machine that runs (a rerun
 * elsewhere wrote rows in another order), and ties of texts that collate alike (é and e + U+0301)
 * kept the input's order, which is a map's on one engine and the result files' on the other.
 */
function canonicalServiceCosts(result: ServiceCostResult): ServiceCostResult {
  const byText = compareCodePoints;
  result.unitCosts.sort((a, b) => byText(a.period, b.period) || byText(a.touchpoint, b.touchpoint));
  const text = (value: string | null) => value ?? '';
  result.unallocated.sort(
    (a, b) =>
      byText(a.pool, b.pool) ||
      byText(a.period, b.period) ||
      byText(text(a.key), text(b.key)) ||
      byText(a.reason, b.reason) ||
      a.amount.comparedTo(b.amount),
  );
  return result;
}

/**
 * What the set queries give for the service costs (sql/service-cost-pools.ts and the queries
 * after it), computed by SQL over the exports: the job applies it instead of allocating from the
 * interaction records.
 */
export interface ServiceCostSets {
  asOf: IsoDate;
  /**
   * Each customer's cost to serve in cents (direct costs plus pool shares): customer ids[k]'s is
   * cents[k], each id once. Parallel arrays, not a map: the job only walks them.
   */
  customerCents: { ids: readonly string[]; cents: Float64Array };
  /** Each pool with the quantity of all the interactions that share it (ids outside the base too). */
  pools: { period: string; touchpoint: string; total_cost: Money; interactions: number }[];
  unallocated: UnallocatedCost[];
  /** Interactions ignored for a quantity that is not positive. */
  ignoredInteractions: number;
}

/** Applies service costs computed by the set queries: the same result as allocateServiceCosts. */
export function applyServiceCostSets(
  customersById: ReadonlyMap<string, CustomerFacts>,
  sets: ServiceCostSets,
  warnings: Warnings,
): ServiceCostResult {
  const { ids, cents } = sets.customerCents;
  const once = new OnceEach();
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k] as string;
    const customer = customersById.get(id);
    if (!customer)
      throw new Error(`the service cost query gave customer ${id}, who is not in the customer base`);
    // A second row for a customer would be a query's fault: refused, never added twice.
    if (!once.first(customer)) throw new Error(`the service cost query gave customer ${id} twice`);
    addFieldCents(customer, SERVICE_COST, cents[k] as number);
  }
  if (sets.ignoredInteractions > 0) {
    warnings.add(
      'interaction with a quantity that is not positive ignored for cost allocation',
      sets.ignoredInteractions,
    );
  }
  const unitCosts = sets.pools.map((pool) => ({
    period: pool.period,
    touchpoint: pool.touchpoint,
    total_cost: pool.total_cost,
    interactions: pool.interactions,
    unit_cost: pool.interactions > 0 ? pool.total_cost.dividedBy(pool.interactions) : null,
  }));
  return canonicalServiceCosts({ unitCosts, unallocated: [...sets.unallocated] });
}

/** Whether a customer is met for the first time: a flag by store index (a set for plain facts). */
class OnceEach {
  private stored = new Uint8Array(1024);
  private readonly plain = new Set<CustomerFacts>();

  first(customer: CustomerFacts): boolean {
    const facts = storedOf(customer);
    if (facts === null) return this.plain.size < this.plain.add(customer).size;
    if (facts.index >= this.stored.length) {
      const grown = new Uint8Array(Math.max(this.stored.length * 2, facts.index + 1));
      grown.set(this.stored);
      this.stored = grown;
    }
    if (this.stored[facts.index] === 1) return false;
    this.stored[facts.index] = 1;
    return true;
  }
}

function addUnknownDirectCost(
  into: Map<string, UnallocatedCost>,
  month: string,
  row: InteractionRecord,
): void {
  const key = keyOf(month, row.touchpoint);
  const existing = into.get(key);
  if (existing) {
    existing.amount = existing.amount.plus(row.cost ?? ZERO);
    if (existing.key !== null && compareCodePoints(row.touchpoint, existing.key) < 0)
      existing.key = row.touchpoint;
  } else
    into.set(key, {
      pool: 'interaction_cost',
      period: month,
      key: row.touchpoint,
      amount: money(row.cost ?? ZERO),
      reason: 'direct interaction cost of a customer id not in the customer base',
    });
}
