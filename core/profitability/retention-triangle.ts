import { Money, ZERO } from '../money.ts';
import type { IsoDate, TransactionRecord } from '../records.ts';
import { type PeriodGrain, periodLabel, periodOrdinal } from './calendar.ts';
import type { CohortRetentionRow } from './rows.ts';
import type { CustomerFacts, Warnings } from './types.ts';

interface Cell {
  active: Set<CustomerFacts>;
  revenue: Money;
  /** Direct cost plus returns; gross profit is revenue minus this, taken once per cell at the end. */
  cost: Money;
}

/**
 * The cohort retention triangle: for each acquisition cohort (plain period, no attributes) and each
 * period since acquisition, the customers who ordered, their revenue and gross profit.
 */
export class RetentionTriangleAccumulator {
  private readonly cells = new Map<number, Map<number, Cell>>();
  private ordersBeforeAcquisition = 0;

  constructor(private readonly grain: PeriodGrain) {}

  add(tx: TransactionRecord, customer: CustomerFacts): void {
    const cohort = periodOrdinal(customer.acquiredOn, this.grain);
    const index = periodOrdinal(tx.order_date, this.grain) - cohort;
    if (index < 0) {
      this.ordersBeforeAcquisition += 1;
      return;
    }
    let byIndex = this.cells.get(cohort);
    if (!byIndex) {
      byIndex = new Map();
      this.cells.set(cohort, byIndex);
    }
    let cell = byIndex.get(index);
    if (!cell) {
      cell = { active: new Set(), revenue: ZERO, cost: ZERO };
      byIndex.set(index, cell);
    }
    cell.active.add(customer);
    cell.revenue = cell.revenue.plus(tx.revenue);
    if (!tx.cost.isZero()) cell.cost = cell.cost.plus(tx.cost);
    if (!tx.returned_amount.isZero()) cell.cost = cell.cost.plus(tx.returned_amount);
  }

  /** Every cohort gets every period from acquisition to as_of, zeros included, so the triangle is whole. */
  rows(customers: readonly CustomerFacts[], asOf: IsoDate, warnings: Warnings): CohortRetentionRow[] {
    if (this.ordersBeforeAcquisition > 0) {
      warnings.add(
        'transaction lines before the customer acquisition period left out of the retention triangle',
        this.ordersBeforeAcquisition,
      );
    }
    const sizes = new Map<number, number>();
    for (const customer of customers) {
      const cohort = periodOrdinal(customer.acquiredOn, this.grain);
      sizes.set(cohort, (sizes.get(cohort) ?? 0) + 1);
    }
    const last = periodOrdinal(asOf, this.grain);
    const rows: CohortRetentionRow[] = [];
    for (const cohort of [...sizes.keys()].sort((a, b) => a - b)) {
      const size = sizes.get(cohort) as number;
      const byIndex = this.cells.get(cohort);
      for (let index = 0; cohort + index <= last; index++) {
        const cell = byIndex?.get(index);
        const active = cell?.active.size ?? 0;
        rows.push({
          cohort: periodLabel(cohort, this.grain),
          period_index: index,
          period: periodLabel(cohort + index, this.grain),
          active_customers: active,
          retention_pct: new Money(active).times(100).dividedBy(size),
          revenue: cell?.revenue ?? ZERO,
          profit: cell ? cell.revenue.minus(cell.cost) : ZERO,
        });
      }
    }
    return rows;
  }
}
