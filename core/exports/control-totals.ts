import { type Money, ZERO } from '../money.ts';
import { parseAmount } from '../values.ts';

export interface AmountTotals {
  in: Money;
  curated: Money;
  quarantined: Money;
  /** Cells of quarantined rows that held no readable amount, so could not be summed. */
  unreadable_cells: number;
}

/**
 * Control totals of one export: rows and the sum of every amount column, split into what was
 * curated and what was quarantined, so that `in = curated + quarantined` proves nothing was lost.
 */
export class ControlTotals {
  rowsIn = 0;
  rowsCurated = 0;
  rowsQuarantined = 0;
  readonly amounts = new Map<string, AmountTotals>();

  constructor(amountColumns: readonly string[]) {
    for (const column of amountColumns) {
      this.amounts.set(column, { in: ZERO, curated: ZERO, quarantined: ZERO, unreadable_cells: 0 });
    }
  }

  addCurated(amounts: ReadonlyMap<string, Money | null>): void {
    this.rowsIn += 1;
    this.rowsCurated += 1;
    for (const [column, totals] of this.amounts) {
      const value = amounts.get(column);
      if (value) {
        totals.in = totals.in.plus(value);
        totals.curated = totals.curated.plus(value);
      }
    }
  }

  /** Quarantined rows still count what can be read of their amounts, from the raw cells. */
  addQuarantined(rawAmounts: ReadonlyMap<string, string | undefined>): void {
    this.rowsIn += 1;
    this.rowsQuarantined += 1;
    for (const [column, totals] of this.amounts) {
      const raw = rawAmounts.get(column);
      if (raw === undefined || raw.trim() === '') continue;
      const parsed = parseAmount(raw);
      if (parsed.ok) {
        totals.in = totals.in.plus(parsed.value);
        totals.quarantined = totals.quarantined.plus(parsed.value);
      } else {
        totals.unreadable_cells += 1;
      }
    }
  }

  balances(): boolean {
    if (this.rowsIn !== this.rowsCurated + this.rowsQuarantined) return false;
    for (const totals of this.amounts.values()) {
      if (!totals.in.equals(totals.curated.plus(totals.quarantined))) return false;
    }
    return true;
  }

  toJSON(): ControlTotalsReport {
    const amounts: ControlTotalsReport['amounts'] = {};
    for (const [column, t] of this.amounts) {
      amounts[column] = {
        in: t.in.toFixed(2),
        curated: t.curated.toFixed(2),
        quarantined: t.quarantined.toFixed(2),
        unreadable_cells: t.unreadable_cells,
      };
    }
    return {
      rows_in: this.rowsIn,
      rows_curated: this.rowsCurated,
      rows_quarantined: this.rowsQuarantined,
      amounts,
      balanced: this.balances(),
    };
  }
}

export interface ControlTotalsReport {
  rows_in: number;
  rows_curated: number;
  rows_quarantined: number;
  amounts: Record<string, { in: string; curated: string; quarantined: string; unreadable_cells: number }>;
  balanced: boolean;
}
