import fc from 'fast-check';
import { type Money, money } from '../../../core/money.ts';
import { addDays } from '../../../core/profitability/calendar.ts';
import type { TransactionRecord } from '../../../core/records.ts';

/** Generated transaction lines for the property tests that compare two computation paths. */
export interface LineShape {
  customers: number;
  orders: number;
  days: number;
  maxLength: number;
  amount: fc.Arbitrary<Money>;
}

export function transactionLines(shape: LineShape) {
  return fc.array(
    fc.record({
      customer: fc.integer({ min: 0, max: shape.customers }),
      order: fc.integer({ min: 0, max: shape.orders }),
      day: fc.integer({ min: 0, max: shape.days }),
      revenue: shape.amount,
      cost: fc.oneof(fc.constant(money(0)), shape.amount),
      returned: fc.oneof(fc.constant(money(0)), shape.amount),
      category: fc.constantFrom('a', 'b', null),
    }),
    { maxLength: shape.maxLength },
  );
}

export type Lines = ReturnType<typeof transactionLines> extends fc.Arbitrary<infer T> ? T : never;

export function linesToRecords(generated: Lines, firstDay: string): TransactionRecord[] {
  return generated.map((g) => ({
    order_id: `O${g.order}`,
    customer_id: `c${g.customer}`,
    order_date: addDays(firstDay, g.day),
    revenue: g.revenue,
    cost: g.cost,
    returned_amount: g.returned,
    quantity: 1,
    product_id: null,
    product_category: g.category,
    channel: null,
    rep_id: null,
    team: null,
  }));
}

/** The order the record loader sorts transactions into (stable). */
export const byDateThenOrder = (a: TransactionRecord, b: TransactionRecord) =>
  a.order_date < b.order_date
    ? -1
    : a.order_date > b.order_date
      ? 1
      : a.order_id < b.order_id
        ? -1
        : a.order_id > b.order_id
          ? 1
          : 0;

/** Mostly whole cents, a few amounts that are not (they take the exact side path). */
export const mostlyCents = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: -50_000, max: 5_000_000 }).map((c) => money(c).dividedBy(100)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 99_999 }).map((c) => money(c).dividedBy(1000)) },
);
