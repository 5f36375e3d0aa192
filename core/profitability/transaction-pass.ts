import { Money } from '../money.ts';
import type { CentsColumn, IsoDate, TransactionColumns } from '../records.ts';
import type { PeriodGrain } from './calendar.ts';
import { type CustomerLineTotals, customerLineTotals, type LineTotals } from './customer-line-totals.ts';
import { type KpiCell, PeriodKpiAccumulator } from './period-kpis.ts';
import { type RetentionCell, RetentionTriangleAccumulator } from './retention-triangle.ts';
import type { SegmentProductProfitRow } from './rows.ts';
import { compareSegmentProduct, SegmentProductAccumulator } from './segment-product.ts';
import { canonicalMerge, DayLabels } from './transaction-columns.ts';

/**
 * Everything profitability takes from the transaction lines, as of a date: each customer's totals
 * and the set cells (segment x product, the retention triangle, the periods' revenue and active
 * customers). A pass over a group of whole customers (every line of each of them) is complete for
 * them, so groups can pass on their own, in parallel functions, and their passes be merged
 * (mergeTransactionPasses): the merge is what one pass over all the lines gives.
 */
export interface TransactionPass {
  asOf: IsoDate;
  cohortGrain: PeriodGrain;
  kpiGrain: PeriodGrain;
  /** In canonical customer order (see canonicalOrder). */
  customers: CustomerLineTotals;
  /** Exact, unrounded, sorted by segment then category (unknown last). */
  segmentProduct: SegmentProductProfitRow[];
  retention: RetentionCell[];
  linesBeforeAcquisition: number;
  kpis: KpiCell[];
}

/** What the pass needs of a customer in the customers export (the last row when listed twice). */
export interface ExportedCustomer {
  acquiredOn: IsoDate;
  segment: string | null;
}

/**
 * The pass over `columns` (grouped by customer, as loaded: canonical order). `exported` gives the
 * customers export's row of a customer: a customer's segment and acquisition date (the export's,
 * or the first order when earlier or unlisted) place their lines in the cells.
 */
export function passTransactions(
  columns: TransactionColumns,
  exported: (customerId: string) => ExportedCustomer | undefined,
  asOf: IsoDate,
  grains: { cohortGrain: PeriodGrain; kpiGrain: PeriodGrain },
  labels: DayLabels = new DayLabels(),
): TransactionPass {
  const lines = customerLineTotals(columns, asOf);
  const ids = lines.totals.customerIds;
  return passLines(columns, lines, (entry) => exported(ids[entry] as string), asOf, grains, labels);
}

/**
 * The same pass from the columns' line totals already made (customerLineTotals), each customer's
 * export row given by their entry in the totals: the compute job has its customers by entry from
 * adding the totals to the facts, and need not look a million ids up again.
 */
export function passLines(
  columns: TransactionColumns,
  lines: LineTotals,
  exportedAt: (entry: number) => ExportedCustomer | undefined,
  asOf: IsoDate,
  grains: { cohortGrain: PeriodGrain; kpiGrain: PeriodGrain },
  labels: DayLabels = new DayLabels(),
): TransactionPass {
  const { totals, entryOfLine, datesAscending } = lines;
  const count = totals.customerIds.length;
  const segmentProduct = new SegmentProductAccumulator(columns);
  const segmentOf = new Int32Array(count);
  const acquiredOf = new Array<IsoDate>(count);
  for (let entry = 0; entry < count; entry++) {
    const firstOrder = labels.label(totals.firstDay[entry] as number);
    const row = exportedAt(entry);
    segmentOf[entry] = segmentProduct.segmentNumber(row?.segment ?? null);
    // As the customer facts decide it: ordered before the recorded date = acquired at the first order.
    acquiredOf[entry] = row !== undefined && row.acquiredOn <= firstOrder ? row.acquiredOn : firstOrder;
  }
  const triangle = new RetentionTriangleAccumulator(grains.cohortGrain, count, datesAscending);
  const kpis = new PeriodKpiAccumulator(count, datesAscending);
  const day = columns.day;
  const cohortPeriod = labels.periods(day, grains.cohortGrain);
  const kpiPeriod = labels.periods(day, grains.kpiGrain);
  for (let i = 0; i < columns.length; i++) {
    const entry = entryOfLine[i] as number;
    if (entry < 0) continue;
    const d = day[i] as number;
    segmentProduct.add(i, segmentOf[entry] as number, entry);
    triangle.add(columns, i, cohortPeriod(d), acquiredOf[entry] as IsoDate, entry);
    kpis.add(columns.revenue, i, kpiPeriod(d), entry);
  }
  const { cells, linesBeforeAcquisition } = triangle.cells();
  return {
    asOf,
    ...grains,
    customers: totals,
    segmentProduct: segmentProduct.rows(),
    retention: cells,
    linesBeforeAcquisition,
    kpis: kpis.cells(),
  };
}

/**
 * Passes over disjoint groups of customers as one pass over all of them: the customers in
 * canonical order, the cells summed (their customer counts add up since no customer is in two
 * groups). Throws when the passes are not of the same date and grains.
 */
export function mergeTransactionPasses(passes: readonly TransactionPass[]): TransactionPass {
  const first = passes[0];
  if (first === undefined) throw new RangeError('no transaction passes to merge');
  for (const pass of passes) {
    if (
      pass.asOf !== first.asOf ||
      pass.cohortGrain !== first.cohortGrain ||
      pass.kpiGrain !== first.kpiGrain
    )
      throw new RangeError(
        `transaction passes of different runs: as of ${pass.asOf} by ${pass.cohortGrain}/${pass.kpiGrain} against ${first.asOf} by ${first.cohortGrain}/${first.kpiGrain}`,
      );
  }
  if (passes.length === 1) return first;
  return {
    asOf: first.asOf,
    cohortGrain: first.cohortGrain,
    kpiGrain: first.kpiGrain,
    customers: mergeTotals(passes.map((pass) => pass.customers)),
    segmentProduct: mergeSegmentProduct(passes.flatMap((pass) => pass.segmentProduct)),
    retention: sumCells(
      passes.flatMap((pass) => pass.retention),
      (cell) => `${cell.cohort}/${cell.index}`,
    ),
    linesBeforeAcquisition: passes.reduce((sum, pass) => sum + pass.linesBeforeAcquisition, 0),
    kpis: sumCells(
      passes.flatMap((pass) => pass.kpis),
      (cell) => String(cell.ordinal),
    ),
  };
}

/** Cells with the same key summed: customers and every Money field. */
function sumCells<T extends { customers: number }>(cells: readonly T[], keyOf: (cell: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const cell of cells) {
    const key = keyOf(cell);
    const sum = byKey.get(key);
    if (sum === undefined) {
      byKey.set(key, { ...cell });
      continue;
    }
    const target = sum as Record<string, unknown>;
    for (const [field, value] of Object.entries(cell) as [string, unknown][]) {
      if (field === 'customers') sum.customers += cell.customers;
      else if (value instanceof Money) target[field] = (target[field] as Money).plus(value);
    }
  }
  return [...byKey.values()];
}

function mergeSegmentProduct(rows: readonly SegmentProductProfitRow[]): SegmentProductProfitRow[] {
  return sumCells(rows, (row) => JSON.stringify([row.segment, row.product_category])).sort(
    compareSegmentProduct,
  );
}

/** The groups' customers side by side in canonical order (see canonicalMerge). */
function mergeTotals(parts: readonly CustomerLineTotals[]): CustomerLineTotals {
  const { customerIds, part, index } = canonicalMerge(parts);
  const n = customerIds.length;
  const source = (k: number) => parts[part[k] as number] as CustomerLineTotals;
  const column = (pick: (totals: CustomerLineTotals) => CentsColumn): CentsColumn => {
    const cents = new Float64Array(n);
    const exact = new Map<number, Money>();
    for (let k = 0; k < n; k++) {
      const from = pick(source(k));
      const entry = index[k] as number;
      cents[k] = from.cents[entry] as number;
      const amount = from.exact.get(entry);
      if (amount !== undefined) exact.set(k, amount);
    }
    return { cents, exact };
  };
  const numbers = <A extends Float64Array | Int32Array>(
    out: A,
    pick: (totals: CustomerLineTotals) => A,
  ): A => {
    for (let k = 0; k < n; k++) out[k] = pick(source(k))[index[k] as number] as number;
    return out;
  };
  return {
    customerIds,
    revenue: column((t) => t.revenue),
    cost: column((t) => t.cost),
    returned: column((t) => t.returned),
    orders: numbers(new Float64Array(n), (t) => t.orders),
    firstDay: numbers(new Int32Array(n), (t) => t.firstDay),
    lastDay: numbers(new Int32Array(n), (t) => t.lastDay),
  };
}
