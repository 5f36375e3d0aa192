import { type Money, ZERO } from '../money.ts';
import { CentsSum } from './cents.ts';
import type { ProfitTierDefinition } from './config.ts';
import { addField, PROFIT } from './customer-store.ts';
import type { CustomerFacts, Warnings } from './types.ts';

/** Decile of a 0-based rank among `count` customers: 1 = most profitable tenth. */
export function decileOf(rank: number, count: number): number {
  return Math.floor((rank * 10) / count) + 1;
}

export function tierOf(decile: number, tiers: readonly ProfitTierDefinition[]): ProfitTierDefinition | null {
  return tiers.find((tier) => decile >= tier.fromDecile && decile <= tier.toDecile) ?? null;
}

/** A tier with its customers and profit, for the strategy table of the report. */
export interface ProfitTierSummary {
  profit_tier: string;
  from_decile: number;
  to_decile: number;
  strategy: string;
  customers: number;
  profit: Money;
}

/** Sets decile and tier on customers ranked most profitable first, and sums each tier. */
export function assignProfitTiers(
  ranked: readonly CustomerFacts[],
  tiers: readonly ProfitTierDefinition[],
  warnings: Warnings,
): ProfitTierSummary[] {
  const summaries = new Map<ProfitTierDefinition, ProfitTierSummary>(
    tiers.map((tier) => [
      tier,
      {
        profit_tier: tier.tier,
        from_decile: tier.fromDecile,
        to_decile: tier.toDecile,
        strategy: tier.strategy,
        customers: 0,
        profit: ZERO,
      },
    ]),
  );
  // Exact sums, in cents while they are whole cents.
  const profits = new Map(tiers.map((tier) => [tier, new CentsSum()]));
  // A decile's tier, summary and sum, looked up once per decile rather than once per customer.
  const byDecile = new Map<
    number,
    { tier: ProfitTierDefinition; summary: ProfitTierSummary; profit: CentsSum } | null
  >();
  const count = ranked.length;
  for (let rank = 0; rank < count; rank++) {
    const customer = ranked[rank] as CustomerFacts;
    const decile = decileOf(rank, count);
    customer.profitDecile = decile;
    let entry = byDecile.get(decile);
    if (entry === undefined) {
      const tier = tierOf(decile, tiers);
      entry = tier
        ? {
            tier,
            summary: summaries.get(tier) as ProfitTierSummary,
            profit: profits.get(tier) as CentsSum,
          }
        : null;
      byDecile.set(decile, entry);
    }
    customer.profitTier = entry?.tier.tier ?? null;
    if (!entry) {
      warnings.add(`no profit tier covers decile ${decile}`);
      continue;
    }
    entry.summary.customers += 1;
    addField(entry.profit, customer, PROFIT);
  }
  for (const [tier, summary] of summaries) summary.profit = (profits.get(tier) as CentsSum).total();
  return [...summaries.values()];
}
