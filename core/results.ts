import type { Config } from './config.ts';
import { type Money, ZERO } from './money.ts';
import type { IsoDate, Snapshot } from './records.ts';
import { resultTable, type TableDefinition } from './tables.ts';

export interface ComputedResults {
  tables: Map<TableDefinition, Record<string, unknown>[]>;
  warnings: string[];
}

/** Everything the compute job derives from a snapshot as of a date. */
export function computeResults(snapshot: Snapshot, asOf: IsoDate, _config: Config): ComputedResults {
  const byCustomer = new Map<string, { revenue: Money; orders: Set<string>; first: IsoDate; last: IsoDate }>();
  for (const t of snapshot.transactions) {
    if (t.order_date > asOf) continue;
    const facts = byCustomer.get(t.customer_id) ?? { revenue: ZERO, orders: new Set(), first: t.order_date, last: t.order_date };
    facts.revenue = facts.revenue.plus(t.revenue);
    facts.orders.add(t.order_id);
    if (t.order_date < facts.first) facts.first = t.order_date;
    if (t.order_date > facts.last) facts.last = t.order_date;
    byCustomer.set(t.customer_id, facts);
  }
  const customerMetrics = [...byCustomer.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([customer_id, f]) => ({
      customer_id,
      revenue: f.revenue,
      orders: f.orders.size,
      first_order: f.first,
      last_order: f.last,
    }));
  return { tables: new Map([[resultTable('customer_metrics'), customerMetrics]]), warnings: [] };
}
