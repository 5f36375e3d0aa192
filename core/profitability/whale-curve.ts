import { Money, ZERO } from '../money.ts';
import type { WhaleCurveRow } from './rows.ts';
import type { CustomerFacts } from './types.ts';

/**
 * Customers from most to least profitable; equal profits in customer id order so ranks are
 * reproducible. Sorting compares doubles first (cheap) and falls back to exact Decimals on ties.
 */
export function rankByProfit(customers: readonly CustomerFacts[]): CustomerFacts[] {
  const keyed = customers.map((customer) => ({ customer, approx: customer.profit.toNumber() }));
  keyed.sort(
    (a, b) =>
      b.approx - a.approx ||
      b.customer.profit.comparedTo(a.customer.profit) ||
      (a.customer.customerId < b.customer.customerId
        ? -1
        : a.customer.customerId > b.customer.customerId
          ? 1
          : 0),
  );
  return keyed.map((k) => k.customer);
}

/**
 * Cumulative profit at `points` evenly spaced shares of the ranked customers (100 = each percentile).
 * The last point holds every customer, so it ends at total profit exactly.
 */
export function whaleCurve(ranked: readonly CustomerFacts[], points = 100): WhaleCurveRow[] {
  const count = ranked.length;
  if (count === 0 || points < 1) return [];
  let total = ZERO;
  for (const customer of ranked) total = total.plus(customer.profit);
  const rows: WhaleCurveRow[] = [];
  let cumulative = ZERO;
  let taken = 0;
  for (let point = 1; point <= points; point++) {
    const upTo = Math.floor((point * count + points - 1) / points);
    while (taken < upTo) {
      cumulative = cumulative.plus((ranked[taken] as CustomerFacts).profit);
      taken += 1;
    }
    rows.push({
      customer_rank_pct: new Money(point).times(100).dividedBy(points),
      customers: taken,
      cumulative_profit: cumulative,
      cumulative_profit_pct: total.isZero() ? null : cumulative.times(100).dividedBy(total),
    });
  }
  return rows;
}
