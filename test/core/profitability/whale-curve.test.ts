import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import { DEFAULT_PROFITABILITY_CONFIG } from '../../../core/profitability/config.ts';
import { CustomerStore, StoredFacts } from '../../../core/profitability/customer-store.ts';
import { computeProfitability } from '../../../core/profitability/index.ts';
import { assignProfitTiers, decileOf, tierOf } from '../../../core/profitability/profit-tiers.ts';
import { type CustomerFacts, Warnings } from '../../../core/profitability/types.ts';
import { rankByProfit } from '../../../core/profitability/whale-curve.ts';
import { customer, snapshot, tx } from './fixtures.ts';

// Profits 1,000 .. 100 for c01..c10, minus 600 of acquisition cost for c10: 100 - 600 = -500.
const data = snapshot({
  customers: Array.from({ length: 10 }, (_, i) =>
    customer(`c${String(i + 1).padStart(2, '0')}`, '2025-01-01', { acquisition_cost: i === 9 ? 600 : 0 }),
  ),
  transactions: Array.from({ length: 10 }, (_, i) =>
    tx(`c${String(i + 1).padStart(2, '0')}`, '2025-01-02', (10 - i) * 100),
  ),
});

describe('whale curve and profit tiers', () => {
  it('accumulates profit from the most profitable customer and ends at total profit', () => {
    const result = computeProfitability(data, '2025-06-30', {
      ...DEFAULT_PROFITABILITY_CONFIG,
      whalePoints: 10,
    });
    const curve = result.whaleCurve.map((r) => [
      r.customer_rank_pct.toFixed(0),
      r.customers,
      r.cumulative_profit.toFixed(0),
      r.cumulative_profit_pct?.toFixed(2),
    ]);
    // Total = 5,400 - 600 = 4,900; the curve rises above 100% before the loss-maker brings it back.
    expect(curve[0]).toEqual(['10', 1, '1000', '20.41']);
    expect(curve[8]).toEqual(['90', 9, '5400', '110.20']);
    expect(curve[9]).toEqual(['100', 10, '4900', '100.00']);
  });

  it('gives no share of total profit when the customers lost money overall', () => {
    // Profits 300, 100, -50, -200, -250: total -100. "The top 20% make -300% of profit" would be
    // read as a loss; the curve of cumulative profit itself still tells the story.
    const losing = snapshot({
      customers: ['a', 'b', 'c', 'd', 'e'].map((id) => customer(id, '2025-01-01')),
      transactions: [300, 100, -50, -200, -250].map((profit, i) =>
        tx(['a', 'b', 'c', 'd', 'e'][i] as string, '2025-01-02', profit),
      ),
    });
    const result = computeProfitability(losing, '2025-06-30', {
      ...DEFAULT_PROFITABILITY_CONFIG,
      whalePoints: 5,
    });
    expect(
      result.whaleCurve.map((r) => [r.customers, r.cumulative_profit.toFixed(0), r.cumulative_profit_pct]),
    ).toEqual([
      [1, '300', null],
      [2, '400', null],
      [3, '350', null],
      [4, '150', null],
      [5, '-100', null],
    ]);
  });

  it('has a point per percentile by default, even with fewer customers than points', () => {
    const result = computeProfitability(data, '2025-06-30');
    expect(result.whaleCurve).toHaveLength(100);
    expect(result.whaleCurve[0]?.customers).toBe(1);
    expect(result.whaleCurve[10]?.customers).toBe(2);
    expect(result.whaleCurve[99]?.cumulative_profit.toFixed(2)).toBe('4900.00');
  });

  it('rolls deciles into invest, grow, maintain and reprice_exit', () => {
    const result = computeProfitability(data, '2025-06-30');
    const byId = Object.fromEntries(
      result.customerMetrics.map((r) => [r.customer_id, [r.profit_decile, r.profit_tier]]),
    );
    expect(byId.c01).toEqual([1, 'invest']);
    expect(byId.c02).toEqual([2, 'invest']);
    expect(byId.c05).toEqual([5, 'grow']);
    expect(byId.c08).toEqual([8, 'maintain']);
    expect(byId.c10).toEqual([10, 'reprice_exit']);
    expect(result.profitTiers.map((t) => [t.profit_tier, t.customers, t.profit.toFixed(0)])).toEqual([
      ['invest', 2, '1900'],
      ['grow', 3, '2100'],
      ['maintain', 3, '1200'],
      ['reprice_exit', 2, '-300'],
    ]);
    expect(result.profitTiers[0]?.strategy).toMatch(/Invest/);
  });

  it('splits any number of customers into ten nearly equal deciles', () => {
    const sizes = Array.from({ length: 10 }, () => 0);
    for (let rank = 0; rank < 95; rank++)
      sizes[decileOf(rank, 95) - 1] = (sizes[decileOf(rank, 95) - 1] ?? 0) + 1;
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});

describe('rankByProfit', () => {
  // Stored facts in whole cents are ranked by numeric keys; plain facts by comparing Decimals.
  it('ranks stored facts as it ranks the same profits as plain facts', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 60 }),
        fc.array(
          fc.oneof(
            fc.integer({ min: -3, max: 3 }),
            fc.integer({ min: -10_000_000, max: 10_000_000 }),
            fc.constantFrom(-0, 900_719_925_474_099, -900_719_925_474_099),
          ),
          { minLength: 60, maxLength: 60 },
        ),
        (ids, cents) => {
          const store = new CustomerStore();
          const stored: CustomerFacts[] = [];
          const plain: CustomerFacts[] = [];
          ids.forEach((id, i) => {
            const profit = money(cents[i] as number).dividedBy(100);
            const facts = new StoredFacts(store, store.add(), id, '2024-01-01');
            facts.profit = profit;
            stored.push(facts);
            plain.push({ customerId: id, profit } as unknown as CustomerFacts);
          });
          const ranked = rankByProfit(stored).map((c) => c.customerId);
          expect(ranked).toEqual(rankByProfit(plain).map((c) => c.customerId));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('assignProfitTiers', () => {
  // Each decile's tier is looked up once; every customer must still get tierOf(its decile).
  it('gives every customer the tier of its decile, and each tier its customers and profit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -100_000, max: 100_000 }), { maxLength: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 4 })), {
          maxLength: 4,
        }),
        (cents, spans) => {
          const tiers = spans.map(([from, width], i) => ({
            tier: `t${i}`,
            fromDecile: from,
            toDecile: Math.min(10, from + width),
            strategy: '',
          }));
          const store = new CustomerStore();
          const ranked = cents.map((c, i) => {
            const facts = new StoredFacts(store, store.add(), `c${i}`, '2024-01-01');
            facts.profit = money(c).dividedBy(100);
            return facts as CustomerFacts;
          });
          const warnings = new Warnings();
          const summaries = assignProfitTiers(ranked, tiers, warnings);
          const expectedWarnings = new Warnings();
          ranked.forEach((customer, rank) => {
            const decile = decileOf(rank, ranked.length);
            const tier = tierOf(decile, tiers);
            expect([customer.profitDecile, customer.profitTier]).toEqual([decile, tier?.tier ?? null]);
            if (!tier) expectedWarnings.add(`no profit tier covers decile ${decile}`);
          });
          expect(warnings.list()).toEqual(expectedWarnings.list());
          for (const summary of summaries) {
            const members = ranked.filter((c) => c.profitTier === summary.profit_tier);
            expect(summary.customers).toBe(members.length);
            expect(summary.profit.toFixed()).toBe(
              members.reduce((sum, c) => sum.plus(c.profit), money(0)).toFixed(),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('rankByProfit ties', () => {
  it('puts equal profits in code point order of the ids, as SQL sorts text, on both ways of ranking', () => {
    // U+FF21 comes before U+20000 by code point (and in UTF-8), after it in UTF-16 code units.
    const ids = ['\u{20000}', '\uFF21', 'B', 'A'];
    const store = new CustomerStore();
    const stored = ids.map((id) => {
      const facts = new StoredFacts(store, store.add(), id, '2024-01-01');
      facts.profit = money(5);
      return facts as CustomerFacts;
    });
    const plain = ids.map((id) => ({ customerId: id, profit: money(5) }) as unknown as CustomerFacts);
    for (const customers of [stored, plain])
      expect(rankByProfit(customers).map((c) => c.customerId)).toEqual(['A', 'B', '\uFF21', '\u{20000}']);
  });
});
