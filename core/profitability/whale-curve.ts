import { Money } from '../money.ts';
import { CentsSum } from './cents.ts';
import { addField, fieldCents, PROFIT } from './customer-store.ts';
import type { WhaleCurveRow } from './rows.ts';
import type { CustomerFacts } from './types.ts';

/**
 * Customers from most to least profitable; equal profits in customer id order so ranks are
 * reproducible. Sorting compares doubles first (cheap) and falls back to exact Decimals on ties.
 */
export function rankByProfit(customers: readonly CustomerFacts[]): CustomerFacts[] {
  // Whole cents c give the same double as the Decimal's toNumber (c / 100 is correctly rounded)
  // and compare exactly as integers; anything else goes through the Decimal.
  const keyed = customers.map((customer) => {
    const cents = fieldCents(customer, PROFIT);
    return { customer, cents, approx: Number.isNaN(cents) ? customer.profit.toNumber() : cents / 100 };
  });
  keyed.sort(
    (a, b) =>
      b.approx - a.approx ||
      (Number.isNaN(a.cents) || Number.isNaN(b.cents)
        ? b.customer.profit.comparedTo(a.customer.profit)
        : b.cents - a.cents) ||
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
  const sum = new CentsSum();
  for (const customer of ranked) addField(sum, customer, PROFIT);
  const total = sum.total();
  const rows: WhaleCurveRow[] = [];
  const running = new CentsSum();
  let taken = 0;
  for (let point = 1; point <= points; point++) {
    const upTo = Math.floor((point * count + points - 1) / points);
    while (taken < upTo) {
      addField(running, ranked[taken] as CustomerFacts, PROFIT);
      taken += 1;
    }
    const cumulative = running.total();
    rows.push({
      customer_rank_pct: new Money(point).times(100).dividedBy(points),
      customers: taken,
      cumulative_profit: cumulative,
      cumulative_profit_pct: total.isZero() ? null : cumulative.times(100).dividedBy(total),
    });
  }
  return rows;
}
