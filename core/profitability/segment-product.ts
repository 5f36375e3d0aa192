import type { TransactionColumns } from '../records.ts';
import { CentsSum } from './cents.ts';
import type { SegmentProductProfitRow } from './rows.ts';

interface Cell {
  revenue: CentsSum;
  /** Direct cost plus returns. */
  cost: CentsSum;
  customers: Set<number>;
  /** The customer added last, so runs of one customer's lines skip the set. */
  lastCustomer: number;
}

/**
 * Profit by customer segment x product category, accumulated transaction by transaction. Cost is the
 * direct product cost plus returns: costs to serve belong to customers, not to product lines.
 */
export class SegmentProductAccumulator {
  /** By segment, then by category code of the columns. */
  private readonly cells = new Map<string | null, Map<number, Cell>>();

  constructor(private readonly columns: TransactionColumns) {}

  /** Adds line `line` of the columns. */
  add(line: number, segment: string | null, customerNumber: number): void {
    let bySegment = this.cells.get(segment);
    if (!bySegment) {
      bySegment = new Map();
      this.cells.set(segment, bySegment);
    }
    const columns = this.columns;
    const category = columns.category[line] as number;
    let cell = bySegment.get(category);
    if (!cell) {
      cell = { revenue: new CentsSum(), cost: new CentsSum(), customers: new Set(), lastCustomer: -1 };
      bySegment.set(category, cell);
    }
    cell.revenue.addAt(columns.revenue, line);
    if (columns.cost.cents[line] !== 0) cell.cost.addAt(columns.cost, line);
    if (columns.returned.cents[line] !== 0) cell.cost.addAt(columns.returned, line);
    if (cell.lastCustomer !== customerNumber) {
      cell.lastCustomer = customerNumber;
      cell.customers.add(customerNumber);
    }
  }

  /** Exact rows, segments then categories in order (unknown last). */
  rows(): SegmentProductProfitRow[] {
    const rows: SegmentProductProfitRow[] = [];
    for (const [segment, bySegment] of this.cells) {
      for (const [category, cell] of bySegment) {
        const revenue = cell.revenue.total();
        const cost = cell.cost.total();
        rows.push({
          segment,
          product_category: this.columns.categories[category] as string | null,
          revenue,
          cost,
          profit: revenue.minus(cost),
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
