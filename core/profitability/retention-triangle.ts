import { Money, ZERO } from '../money.ts';
import type { IsoDate, TransactionColumns } from '../records.ts';
import { type PeriodGrain, periodLabel, periodOrdinal } from './calendar.ts';
import { CentsSum } from './cents.ts';
import type { CohortRetentionRow } from './rows.ts';
import type { CustomerFacts, Warnings } from './types.ts';

interface Cell {
  /** Distinct customers so far: counted directly when lines come in date order, else from `active`. */
  customers: number;
  active: Set<number> | null;
  revenue: CentsSum;
  /** Direct cost plus returns; gross profit is revenue minus this, taken once per cell at the end. */
  cost: CentsSum;
}

/**
 * The cohort retention triangle: for each acquisition cohort (plain period, no attributes) and each
 * period since acquisition, the customers who ordered, their revenue and gross profit.
 *
 * When each customer's lines come in date order (`customerDatesAscending`), a customer's periods never go back, so a
 * customer is new to a cell exactly when the period differs from their previous line's: one number
 * per customer replaces a set of customers per cell.
 */
export class RetentionTriangleAccumulator {
  private readonly byCohort = new Map<number, Map<number, Cell>>();
  private ordersBeforeAcquisition = 0;
  private readonly lastPeriod: Float64Array | null;
  /** Each customer's cohort ordinal, parsed from the acquisition date once (NaN until needed). */
  private readonly cohortOf: Float64Array;
  /**
   * The cell the previous line went to: a customer's lines come together and mostly fall in one
   * period, so most lines find their cell here instead of through two maps (20M lines at 1M).
   */
  private lastCell: Cell | null = null;
  private lastCellCohort = Number.NaN;
  private lastCellIndex = Number.NaN;

  constructor(
    private readonly grain: PeriodGrain,
    customerCount = 0,
    customerDatesAscending = false,
  ) {
    this.lastPeriod = customerDatesAscending ? new Float64Array(customerCount).fill(Number.NaN) : null;
    this.cohortOf = new Float64Array(customerCount).fill(Number.NaN);
  }

  /**
   * Adds line `line` of the columns, dated in period `period` (an ordinal of the grain);
   * `customerNumber` identifies the customer (0 <= number < customerCount).
   */
  add(
    columns: TransactionColumns,
    line: number,
    period: number,
    acquiredOn: IsoDate,
    customerNumber: number,
  ): void {
    let cohort =
      customerNumber < this.cohortOf.length ? (this.cohortOf[customerNumber] as number) : Number.NaN;
    if (Number.isNaN(cohort)) {
      cohort = periodOrdinal(acquiredOn, this.grain);
      if (customerNumber < this.cohortOf.length) this.cohortOf[customerNumber] = cohort;
    }
    const index = period - cohort;
    if (index < 0) {
      this.ordersBeforeAcquisition += 1;
      return;
    }
    let cell = this.lastCell;
    if (cell === null || cohort !== this.lastCellCohort || index !== this.lastCellIndex) {
      cell = this.cellAt(cohort, index);
      this.lastCell = cell;
      this.lastCellCohort = cohort;
      this.lastCellIndex = index;
    }
    const lastPeriod = this.lastPeriod;
    if (lastPeriod) {
      if (lastPeriod[customerNumber] !== period) {
        lastPeriod[customerNumber] = period;
        cell.customers += 1;
      }
    } else {
      (cell.active as Set<number>).add(customerNumber);
      cell.customers = (cell.active as Set<number>).size;
    }
    cell.revenue.addAt(columns.revenue, line);
    if (columns.cost.cents[line] !== 0) cell.cost.addAt(columns.cost, line);
    if (columns.returned.cents[line] !== 0) cell.cost.addAt(columns.returned, line);
  }

  private cellAt(cohort: number, index: number): Cell {
    let byIndex = this.byCohort.get(cohort);
    if (!byIndex) {
      byIndex = new Map();
      this.byCohort.set(cohort, byIndex);
    }
    let cell = byIndex.get(index);
    if (!cell) {
      cell = {
        customers: 0,
        active: this.lastPeriod ? null : new Set(),
        revenue: new CentsSum(),
        cost: new CentsSum(),
      };
      byIndex.set(index, cell);
    }
    return cell;
  }

  /** The cells so far, exact; lines before their customer's cohort are counted, not placed. */
  cells(): { cells: RetentionCell[]; linesBeforeAcquisition: number } {
    const cells: RetentionCell[] = [];
    for (const [cohort, byIndex] of this.byCohort) {
      for (const [index, cell] of byIndex)
        cells.push({
          cohort,
          index,
          customers: cell.customers,
          revenue: cell.revenue.total(),
          cost: cell.cost.total(),
        });
    }
    return { cells, linesBeforeAcquisition: this.ordersBeforeAcquisition };
  }
}

/**
 * One (cohort, period since acquisition) cell of the triangle: the customers who ordered in it,
 * their revenue and their direct cost plus returns. Cells of disjoint customer groups add up.
 */
export interface RetentionCell {
  /** Period ordinal of the grain (see periodOrdinal). */
  cohort: number;
  index: number;
  customers: number;
  revenue: Money;
  cost: Money;
}

/**
 * The triangle's rows: every cohort gets every period from acquisition to as_of, zeros included,
 * so the triangle is whole. `customers` are everyone as of the date (the cohorts' sizes).
 */
export function retentionRows(
  cells: readonly RetentionCell[],
  linesBeforeAcquisition: number,
  grain: PeriodGrain,
  customers: readonly CustomerFacts[],
  asOf: IsoDate,
  warnings: Warnings,
): CohortRetentionRow[] {
  if (linesBeforeAcquisition > 0) {
    warnings.add(
      'transaction lines before the customer acquisition period left out of the retention triangle',
      linesBeforeAcquisition,
    );
  }
  const byCell = new Map<number, Map<number, RetentionCell>>();
  for (const cell of cells) {
    let byIndex = byCell.get(cell.cohort);
    if (!byIndex) {
      byIndex = new Map();
      byCell.set(cell.cohort, byIndex);
    }
    byIndex.set(cell.index, cell);
  }
  const sizes = new Map<number, number>();
  for (const customer of customers) {
    const cohort = periodOrdinal(customer.acquiredOn, grain);
    sizes.set(cohort, (sizes.get(cohort) ?? 0) + 1);
  }
  const last = periodOrdinal(asOf, grain);
  const rows: CohortRetentionRow[] = [];
  for (const cohort of [...sizes.keys()].sort((a, b) => a - b)) {
    const size = sizes.get(cohort) as number;
    const byIndex = byCell.get(cohort);
    for (let index = 0; cohort + index <= last; index++) {
      const cell = byIndex?.get(index);
      const active = cell?.customers ?? 0;
      const revenue = cell ? cell.revenue : ZERO;
      rows.push({
        cohort: periodLabel(cohort, grain),
        period_index: index,
        period: periodLabel(cohort + index, grain),
        active_customers: active,
        retention_pct: new Money(active).times(100).dividedBy(size),
        revenue,
        profit: cell ? revenue.minus(cell.cost) : ZERO,
      });
    }
  }
  return rows;
}
