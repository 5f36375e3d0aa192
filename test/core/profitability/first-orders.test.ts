import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../core/profitability/calendar.ts';
import { firstOrders } from '../../../core/profitability/first-orders.ts';
import { toTransactionColumns } from '../../../core/profitability/transaction-columns.ts';
import { fromEpochDay } from '../../../core/values.ts';
import { tx } from './fixtures.ts';

describe("firstOrders (the set queries' first_orders, from lines held as columns)", () => {
  it('property: each customer with a line on or before as_of, at their earliest such line; no one else', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            customer: fc.constantFrom('a', 'b', 'C', '\uFEFFd', '😀'),
            day: fc.integer({ min: 0, max: 60 }),
          }),
          {
            maxLength: 40,
          },
        ),
        fc.integer({ min: 0, max: 60 }),
        (lines, asOfDay) => {
          const asOf = addDays('2025-01-01', asOfDay);
          const records = lines.map((line, i) => ({
            ...tx(line.customer, addDays('2025-01-01', line.day), 10),
            order_id: `O${i}`,
          }));
          const first = firstOrders(toTransactionColumns(records), asOf);
          const expected = new Map<string, string>();
          for (const record of records) {
            if (record.order_date > asOf) continue;
            const earliest = expected.get(record.customer_id);
            if (earliest === undefined || record.order_date < earliest)
              expected.set(record.customer_id, record.order_date);
          }
          const got = new Map(first.customerIds.map((id, k) => [id, fromEpochDay(first.days[k] as number)]));
          expect(got).toEqual(expected);
          expect(first.customerIds.length).toBe(expected.size);
        },
      ),
      { numRuns: 300 },
    );
  });
});
