import { Money } from '../money.ts';
import { compareCodePoints } from '../text/code-points.ts';
import { CentsSum } from './cents.ts';
import { addField, fieldCents, PROFIT } from './customer-store.ts';
import type { WhaleCurveRow } from './rows.ts';
import type { CustomerFacts } from './types.ts';

/** Ids in code point order, as SQL sorts text (sql/whale-curve.ts ranks the same way). */
const byId = (a: CustomerFacts, b: CustomerFacts) => compareCodePoints(a.customerId, b.customerId);

/**
 * Customers from most to least profitable; equal profits in customer id order (by code point) so ranks are
 * reproducible. Sorting compares doubles first (cheap) and falls back to exact Decimals on ties.
 */
export function rankByProfit(customers: readonly CustomerFacts[]): CustomerFacts[] {
  return rankByCents(customers) ?? rankByComparison(customers);
}

/**
 * The same order when every profit is whole cents and (largest - cents) x count + position stays a
 * safe integer: those keys sort as plain numbers (no comparator call per comparison, no object per
 * customer; a million customers took seconds), the position is the key's remainder (exact for
 * doubles), and only runs of equal profit are then put in id order.
 */
function rankByCents(customers: readonly CustomerFacts[]): CustomerFacts[] | null {
  const count = customers.length;
  const cents = new Float64Array(count);
  let largest = Number.NEGATIVE_INFINITY;
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const c = fieldCents(customers[i] as CustomerFacts, PROFIT);
    if (Number.isNaN(c)) return null;
    cents[i] = c;
    if (c > largest) largest = c;
    if (c < smallest) smallest = c;
  }
  if (count === 0) return [];
  if ((largest - smallest + 1) * count > Number.MAX_SAFE_INTEGER) return null;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = (largest - (cents[i] as number)) * count + i;
  keys.sort();
  const ranked = new Array<CustomerFacts>(count);
  for (let k = 0; k < count; k++) ranked[k] = customers[(keys[k] as number) % count] as CustomerFacts;
  for (let start = 0; start < count; ) {
    const profit = cents[(keys[start] as number) % count] as number;
    let end = start + 1;
    while (end < count && cents[(keys[end] as number) % count] === profit) end++;
    if (end - start > 1) {
      const run = ranked.slice(start, end).sort(byId);
      for (let k = 0; k < run.length; k++) ranked[start + k] = run[k] as CustomerFacts;
    }
    start = end;
  }
  return ranked;
}

function rankByComparison(customers: readonly CustomerFacts[]): CustomerFacts[] {
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
      byId(a.customer, b.customer),
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
      // A share of total profit only when there is a profit to share: of a loss it would flip
      // sign ("the top 20 % make -300 %"), of nothing it is undefined.
      cumulative_profit_pct: total.gt(0) ? cumulative.times(100).dividedBy(total) : null,
    });
  }
  return rows;
}
