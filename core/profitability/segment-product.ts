import type { TransactionColumns } from '../records.ts';
import { CentsSum } from './cents.ts';
import type { SegmentProductProfitRow } from './rows.ts';

interface Cell {
  revenue: CentsSum;
  /** Direct cost plus returns. */
  cost: CentsSum;
  /** Distinct customers: one byte per customer number (a Set of a million numbers per cell was slow). */
  seen: Uint8Array;
  customers: number;
}

/**
 * Profit by customer segment x product category, accumulated transaction by transaction. Cost is the
 * direct product cost plus returns: costs to serve belong to customers, not to product lines.
 */
export class SegmentProductAccumulator {
  /** By segment number (see segmentNumber), then by category code of the columns. */
  private readonly cells: (Cell | undefined)[][] = [];
  private readonly segments: (string | null)[] = [];
  private readonly numbers = new Map<string | null, number>();

  constructor(private readonly columns: TransactionColumns) {}

  /** The number `add` takes for a segment: looked up once a customer, not once a line. */
  segmentNumber(segment: string | null): number {
    let number = this.numbers.get(segment);
    if (number === undefined) {
      number = this.segments.push(segment) - 1;
      this.numbers.set(segment, number);
      this.cells.push([]);
    }
    return number;
  }

  /** Adds line `line` of the columns, of a customer in the segment numbered `segment`. */
  add(line: number, segment: number, customerNumber: number): void {
    const bySegment = this.cells[segment] as (Cell | undefined)[];
    const columns = this.columns;
    const category = columns.category[line] as number;
    let cell = bySegment[category];
    if (!cell) {
      cell = { revenue: new CentsSum(), cost: new CentsSum(), seen: new Uint8Array(1024), customers: 0 };
      bySegment[category] = cell;
    }
    cell.revenue.addAt(columns.revenue, line);
    if (columns.cost.cents[line] !== 0) cell.cost.addAt(columns.cost, line);
    if (columns.returned.cents[line] !== 0) cell.cost.addAt(columns.returned, line);
    if (customerNumber >= cell.seen.length) {
      const grown = new Uint8Array(Math.max(cell.seen.length * 2, customerNumber + 1));
      grown.set(cell.seen);
      cell.seen = grown;
    }
    if (cell.seen[customerNumber] === 0) {
      cell.seen[customerNumber] = 1;
      cell.customers += 1;
    }
  }

  /** Exact rows, segments then categories in order (unknown last). */
  rows(): SegmentProductProfitRow[] {
    const rows: SegmentProductProfitRow[] = [];
    for (const [number, bySegment] of this.cells.entries()) {
      const segment = this.segments[number] as string | null;
      for (const [category, cell] of bySegment.entries()) {
        if (cell === undefined) continue;
        const revenue = cell.revenue.total();
        const cost = cell.cost.total();
        rows.push({
          segment,
          product_category: this.columns.categories[category] as string | null,
          revenue,
          cost,
          profit: revenue.minus(cost),
          customers: cell.customers,
        });
      }
    }
    return rows.sort(compareSegmentProduct);
  }
}

/** The table's row order: segments, then categories, by text (unknown last). */
export function compareSegmentProduct(a: SegmentProductProfitRow, b: SegmentProductProfitRow): number {
  return compareNullable(a.segment, b.segment) || compareNullable(a.product_category, b.product_category);
}

function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
