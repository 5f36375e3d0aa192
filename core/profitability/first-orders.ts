import type { IsoDate, TransactionColumns } from '../records.ts';
import { epochDay } from '../values.ts';

/** Each customer's first order day on or before a date (days since 1970-01-01), as columns. */
export interface FirstOrders {
  customerIds: string[];
  days: Int32Array;
}

/**
 * The first order of every customer with a line on or before `asOf`: the set queries' first_orders
 * (sql/first-orders.ts), from lines already held as columns. Customers in code order; a customer
 * whose lines all come later is left out, as the query's WHERE leaves them.
 */
export function firstOrders(columns: TransactionColumns, asOf: IsoDate): FirstOrders {
  const asOfDay = epochDay(asOf);
  const none = 2 ** 31 - 1;
  const first = new Int32Array(columns.customerIds.length).fill(none);
  const { customer, day } = columns;
  for (let line = 0; line < columns.length; line++) {
    const d = day[line] as number;
    const code = customer[line] as number;
    if (d <= asOfDay && d < (first[code] as number)) first[code] = d;
  }
  let count = 0;
  for (const d of first) if (d !== none) count += 1;
  const customerIds: string[] = new Array(count);
  const days = new Int32Array(count);
  let at = 0;
  for (let code = 0; code < first.length; code++) {
    if (first[code] === none) continue;
    customerIds[at] = columns.customerIds[code] as string;
    days[at] = first[code] as number;
    at += 1;
  }
  return { customerIds, days };
}
