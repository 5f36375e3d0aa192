import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money, ZERO } from '../../../core/money.ts';
import { CustomerStore, StoredFacts } from '../../../core/profitability/customer-store.ts';
import { computeProfitability } from '../../../core/profitability/index.ts';
import { allocateServiceCosts, applyServiceCostSets } from '../../../core/profitability/service-cost.ts';
import { type CustomerFacts, Warnings } from '../../../core/profitability/types.ts';
import { customer, interaction, snapshot, touchpointCost, tx } from './fixtures.ts';

const base = {
  customers: [customer('A', '2025-01-01'), customer('B', '2025-01-01'), customer('C', '2025-01-01')],
  transactions: [tx('A', '2025-01-02', 100), tx('B', '2025-01-02', 100), tx('C', '2025-01-02', 100)],
};

describe('activity-based cost to serve', () => {
  it('unit cost = touchpoint cost / interactions of the month, charged by quantity', () => {
    const result = computeProfitability(
      snapshot({
        ...base,
        touchpoint_costs: [touchpointCost('2025-03', 'support_call', 300)],
        interactions: [
          interaction('A', '2025-03-02', 'support_call', 3),
          interaction('B', '2025-03-05', 'support_call', 1),
          interaction('B', '2025-03-09', 'Support_Call', 2),
          // Another month, and a direct-cost interaction, take no share of the March pool.
          interaction('C', '2025-04-01', 'support_call', 5),
          interaction('C', '2025-03-10', 'support_call', 1, 7.5),
        ],
      }),
      '2025-04-30',
    );
    const cost = Object.fromEntries(
      result.customerMetrics.map((r) => [r.customer_id, r.service_cost.toFixed(2)]),
    );
    expect(cost).toEqual({ A: '150.00', B: '150.00', C: '7.50' });
    expect(result.touchpointUnitCosts).toHaveLength(1);
    expect(result.touchpointUnitCosts[0]?.interactions).toBe(6);
    expect(result.touchpointUnitCosts[0]?.unit_cost?.toFixed(2)).toBe('50.00');
  });

  it('splits a pool that does not divide evenly so the cents add up exactly', () => {
    const result = computeProfitability(
      snapshot({
        ...base,
        touchpoint_costs: [touchpointCost('2025-02', 'chat', 100)],
        interactions: ['A', 'B', 'C'].map((id) => interaction(id, '2025-02-10', 'chat')),
      }),
      '2025-02-28',
    );
    const shares = result.customerMetrics.map((r) => r.service_cost.toFixed(2));
    expect(shares).toEqual(['33.34', '33.33', '33.33']);
  });

  it('reports a pool nobody used, and the share of unknown customers, as unallocated', () => {
    const result = computeProfitability(
      snapshot({
        ...base,
        touchpoint_costs: [touchpointCost('2025-02', 'visit', 80), touchpointCost('2025-02', 'email', 10)],
        interactions: [interaction('A', '2025-02-10', 'email'), interaction('ghost', '2025-02-11', 'email')],
      }),
      '2025-02-28',
    );
    expect(result.customerMetrics.find((r) => r.customer_id === 'A')?.service_cost.toFixed(2)).toBe('5.00');
    const unallocated = result.unallocated.map((u) => [u.pool, u.key, u.amount.toFixed(2)]);
    expect(unallocated).toContainEqual(['touchpoint_cost', 'visit', '80.00']);
    expect(unallocated).toContainEqual(['touchpoint_cost', 'email', '5.00']);
  });

  it("orders unit costs and unallocated rows by code point, whatever the machine's locale", () => {
    // localeCompare put 'chat' before 'Email' (and its order follows the process's locale);
    // code points put capitals first, as the set queries' ORDER BY does on every machine.
    const result = computeProfitability(
      snapshot({
        ...base,
        touchpoint_costs: ['chat', 'Email', 'visit', 'Zoom'].map((t) => touchpointCost('2025-02', t, 10)),
        interactions: [
          interaction('A', '2025-02-10', 'chat'),
          interaction('A', '2025-02-10', 'Email'),
          interaction('ghost', '2025-02-11', 'visit'),
          interaction('ghost', '2025-02-11', 'Zoom'),
        ],
      }),
      '2025-02-28',
    );
    expect(result.touchpointUnitCosts.map((u) => u.touchpoint)).toEqual(['Email', 'Zoom', 'chat', 'visit']);
    expect(result.unallocated.map((u) => u.key)).toEqual(['Zoom', 'visit']);
  });

  it('ignores interactions and pools after as_of', () => {
    const result = computeProfitability(
      snapshot({
        ...base,
        touchpoint_costs: [touchpointCost('2025-05', 'chat', 100)],
        interactions: [interaction('A', '2025-05-10', 'chat')],
      }),
      '2025-04-30',
    );
    expect(result.customerMetrics.every((r) => r.service_cost.isZero())).toBe(true);
    expect(result.unallocated).toEqual([]);
  });
});

describe('allocateServiceCosts on stored facts', () => {
  // Stored facts are put in id order by their numbers (checked against the ids); plain objects by
  // the ids themselves. Both must give the very same cents, in any order of ids and interactions.
  it('gives the same costs as on plain facts, whether or not the numbers follow the ids', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const touchpoints = ['chat', 'Chat ', 'email'];
    const days = ['2025-01-03', '2025-01-20', '2025-02-07', '2025-03-01'];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(ids, { minLength: 1 }),
        fc.array(
          fc.record({
            id: fc.constantFrom(...ids, 'ghost'),
            day: fc.constantFrom(...days),
            touchpoint: fc.constantFrom(...touchpoints),
            quantity: fc.oneof(
              { weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }) },
              { weight: 1, arbitrary: fc.constantFrom(-1, 0, 0.5, 1.25) },
            ),
            cost: fc.oneof(
              { weight: 8, arbitrary: fc.constant(null) },
              { weight: 1, arbitrary: fc.constantFrom('1.10', '0.05') },
            ),
          }),
          { maxLength: 60 },
        ),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 4, maxLength: 4 }),
        (order, rows, totals) => {
          const records = rows.map((r) => interaction(r.id, r.day, r.touchpoint, r.quantity, r.cost));
          const costs = [
            touchpointCost('2025-01', 'chat', totals[0]! / 100),
            touchpointCost('2025-01', 'email', totals[1]! / 100),
            touchpointCost('2025-02', 'CHAT', totals[2]! / 100),
            touchpointCost('2025-03', 'email', totals[3]! / 100),
          ];
          const store = new CustomerStore();
          const stored = new Map(
            order.map((id) => [id, new StoredFacts(store, store.add(), id, '2024-01-01') as CustomerFacts]),
          );
          const plain = new Map(
            order.map((id) => [id, { customerId: id, serviceCost: ZERO } as unknown as CustomerFacts]),
          );
          const warningsStored = new Warnings();
          const warningsPlain = new Warnings();
          const fromStored = allocateServiceCosts(stored, records, costs, '2025-03-31', warningsStored);
          const fromPlain = allocateServiceCosts(plain, records, costs, '2025-03-31', warningsPlain);
          for (const id of order)
            expect(stored.get(id)?.serviceCost.toFixed()).toBe(plain.get(id)?.serviceCost.toFixed());
          expect(JSON.stringify(fromStored)).toBe(JSON.stringify(fromPlain));
          expect(warningsStored.list()).toEqual(warningsPlain.list());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('applyServiceCostSets', () => {
  const sets = (ids: string[], cents: number[]) => ({
    asOf: '2025-01-31',
    customerCents: { ids, cents: Float64Array.from(cents) },
    pools: [],
    unallocated: [],
    ignoredInteractions: 0,
  });
  const twoCustomers = () => {
    const store = new CustomerStore();
    const facts = ['a', 'b'].map((id) => new StoredFacts(store, store.add(), id, '2024-01-01'));
    return { facts, byId: new Map(facts.map((f) => [f.customerId, f as CustomerFacts])) };
  };

  it("adds each row's cents to its customer's service cost, exactly", () => {
    const { facts, byId } = twoCustomers();
    applyServiceCostSets(byId, sets(['b', 'a'], [2 ** 52, 1]), new Warnings());
    expect(facts.map((f) => f.serviceCost.toFixed(2))).toEqual([
      '0.01',
      money(2 ** 52)
        .dividedBy(100)
        .toFixed(2),
    ]);
  });

  it('refuses a customer outside the base, and a customer given twice (never added twice)', () => {
    const outside = twoCustomers();
    expect(() => applyServiceCostSets(outside.byId, sets(['a', 'z'], [1, 2]), new Warnings())).toThrow(
      /customer z, who is not in the customer base/,
    );
    const twice = twoCustomers();
    expect(() => applyServiceCostSets(twice.byId, sets(['a', 'b', 'a'], [1, 2, 3]), new Warnings())).toThrow(
      /gave customer a twice/,
    );
    const plain = new Map([['p', { customerId: 'p', serviceCost: money(0) } as unknown as CustomerFacts]]);
    expect(() => applyServiceCostSets(plain, sets(['p', 'p'], [1, 1]), new Warnings())).toThrow(/twice/);
  });
});
