import { money } from '../../core/money.ts';

/**
 * Curated transaction rows for the Parquet reading tests, one per amount: its revenue, half of it
 * as cost, a return on every other line, text columns partly null.
 */
export function transactionRowsOf(amounts: readonly string[]) {
  return amounts.map((amount, i) => ({
    order_id: `O${i}`,
    customer_id: `C${i % 3}`,
    order_date: `2024-0${(i % 9) + 1}-15`,
    revenue: money(amount),
    cost: money(amount).dividedBy(2).toDecimalPlaces(2) as ReturnType<typeof money> | null,
    returned_amount: money(i % 2 === 0 ? '0' : '1.5'),
    quantity: 1,
    product_id: null,
    product_category: i % 2 === 0 ? 'a' : null,
    channel: null,
    rep_id: null,
    team: null,
    source_line: i + 2,
  }));
}
