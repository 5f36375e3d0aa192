import { type Money, ZERO } from '../money.ts';
import type { TransactionRecord } from '../records.ts';
import type { SegmentProductProfitRow } from './rows.ts';

interface Cell {
  revenue: Money;
  cost: Money;
  customers: Set<number>;
}

/**
 * Profit by customer segment x product category, accumulated transaction by transaction. Cost is the
 * direct product cost plus returns: costs to serve belong to customers, not to product lines.
 */
export class SegmentProductAccumulator {
  private readonly cells = new Map<string | null, Map<string | null, Cell>>();

  add(tx: TransactionRecord, segment: string | null, customerNumber: number): void {
    let bySegment = this.cells.get(segment);
    if (!bySegment) {
      bySegment = new Map();
      this.cells.set(segment, bySegment);
    }
    let cell = bySegment.get(tx.product_category);
    if (!cell) {
      cell = { revenue: ZERO, cost: ZERO, customers: new Set() };
      bySegment.set(tx.product_category, cell);
    }
    cell.revenue = cell.revenue.plus(tx.revenue);
    if (!tx.cost.isZero()) cell.cost = cell.cost.plus(tx.cost);
    if (!tx.returned_amount.isZero()) cell.cost = cell.cost.plus(tx.returned_amount);
    cell.customers.add(customerNumber);
  }

  /** Exact rows, segments then categories in order (unknown last). */
  rows(): SegmentProductProfitRow[] {
    const rows: SegmentProductProfitRow[] = [];
    for (const [segment, bySegment] of this.cells) {
      for (const [category, cell] of bySegment) {
        rows.push({
          segment,
          product_category: category,
          revenue: cell.revenue,
          cost: cell.cost,
          profit: cell.revenue.minus(cell.cost),
          customers: cell.customers.size,
        });
      }
    }
    return rows.sort(
      (a, b) =>
        compareNullable(a.segment, b.segment) || compareNullable(a.product_category, b.product_category),
    );
  }
}

function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
