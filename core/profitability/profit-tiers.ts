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
  ranked.forEach((customer, rank) => {
    customer.profitDecile = decileOf(rank, ranked.length);
    const tier = tierOf(customer.profitDecile, tiers);
    customer.profitTier = tier?.tier ?? null;
    if (!tier) {
      warnings.add(`no profit tier covers decile ${customer.profitDecile}`);
      return;
    }
    const summary = summaries.get(tier) as ProfitTierSummary;
    summary.customers += 1;
    addField(profits.get(tier) as CentsSum, customer, PROFIT);
  });
  for (const [tier, summary] of summaries) summary.profit = (profits.get(tier) as CentsSum).total();
  return [...summaries.values()];
}
