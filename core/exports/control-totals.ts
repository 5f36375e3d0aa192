import { Money } from '../money.ts';
import { parseAmount, parseAmountCents } from '../values.ts';

/**
 * Sums of what was read are exact however large the cells: Money rounds to 40 digits, enough for
 * any amount that can be curated, but a quarantined cell may hold far more digits than that. The
 * precision is decimal.js's largest; a sum only costs the digits it has.
 */
const Exact = Money.clone({ precision: 1e9 });
type Exact = Money;
const ZERO: Exact = new Exact(0);
const fromUnscaled = (cents: bigint): Exact => new Exact(cents.toString()).dividedBy(100);

/**
 * Control totals of one export: rows, and per amount column the sum of what was read, what was
 * curated and what was quarantined, so `in = curated + quarantined` shows nothing was lost. The
 * curated sums are what the Parquet files hold (tests read them back), and the sender's own figures
 * can be checked against "in" with a manifest.
 */
interface AmountTotals {
  inCents: bigint;
  /** Curated cents summed as a double while that stays exact; folded into `curatedCents` before it could not. */
  pendingCents: number;
  /** Amounts with fractions of a cent (quarantined for that reason) are summed exactly here. */
  inFractional: Exact;
  curatedCents: bigint;
  quarantined: Exact;
  /** Cells that held no readable amount, so could not be summed (only quarantined rows have them). */
  unreadableCells: number;
}

export class ControlTotals {
  rowsIn = 0;
  rowsCurated = 0;
  rowsQuarantined = 0;
  private readonly amounts = new Map<string, AmountTotals>();
  private readonly ordered: AmountTotals[];

  /** `positions`: for each amount column, its position in the file's fields (absent columns left out). */
  constructor(private readonly positions: ReadonlyMap<string, number>) {
    for (const column of positions.keys()) {
      this.amounts.set(column, {
        inCents: 0n,
        pendingCents: 0,
        inFractional: ZERO,
        curatedCents: 0n,
        quarantined: ZERO,
        unreadableCells: 0,
      });
    }
    this.ordered = [...this.amounts.values()];
  }

  private readIn(fields: readonly string[], totals: AmountTotals, column: string): Exact | bigint | null {
    const raw = fields[this.positions.get(column) as number];
    if (raw === undefined || raw.trim() === '') return null;
    const cents = parseAmountCents(raw);
    if (cents.ok) {
      totals.inCents += cents.value;
      return cents.value;
    }
    const exact = parseAmount(raw);
    if (!exact.ok) {
      totals.unreadableCells += 1;
      return null;
    }
    const value = new Exact(exact.value);
    totals.inFractional = totals.inFractional.plus(value);
    return value;
  }

  private inTotal(totals: AmountTotals): Exact {
    return fromUnscaled(totals.inCents).plus(totals.inFractional);
  }

  /** One curated row; its amounts follow through `addCuratedCents`. */
  addCuratedRow(): void {
    this.rowsIn += 1;
    this.rowsCurated += 1;
  }

  /**
   * A curated amount (of the `amountIndex`-th amount column) is exactly the cents its cell was read
   * as, so it counts once for both "in" and "curated".
   */
  addCuratedCents(amountIndex: number, cents: bigint | number): void {
    const totals = this.ordered[amountIndex] as AmountTotals;
    if (typeof cents === 'bigint') {
      totals.inCents += cents;
      totals.curatedCents += cents;
    } else if (Math.abs(totals.pendingCents) + Math.abs(cents) < Number.MAX_SAFE_INTEGER) {
      totals.pendingCents += cents;
    } else {
      this.settle(totals);
      totals.inCents += BigInt(cents);
      totals.curatedCents += BigInt(cents);
    }
  }

  /**
   * Takes a curated row back out (it turned out to be a duplicate, found after it was counted): its
   * amounts follow through `withdrawCuratedCents`, and the row is then counted again as quarantined.
   */
  withdrawCuratedRow(): void {
    this.rowsIn -= 1;
    this.rowsCurated -= 1;
  }

  withdrawCuratedCents(amountIndex: number, cents: bigint | number): void {
    this.addCuratedCents(amountIndex, -cents);
  }

  /** Amount columns in the order `addCuratedCents` numbers them. */
  amountColumns(): string[] {
    return [...this.amounts.keys()];
  }

  private settle(totals: AmountTotals): void {
    if (totals.pendingCents === 0) return;
    totals.inCents += BigInt(totals.pendingCents);
    totals.curatedCents += BigInt(totals.pendingCents);
    totals.pendingCents = 0;
  }

  addQuarantined(fields: readonly string[]): void {
    this.rowsIn += 1;
    this.rowsQuarantined += 1;
    for (const [column, totals] of this.amounts) {
      const value = this.readIn(fields, totals, column);
      if (typeof value === 'bigint') totals.quarantined = totals.quarantined.plus(fromUnscaled(value));
      else if (value) totals.quarantined = totals.quarantined.plus(value);
    }
  }

  balances(): boolean {
    for (const totals of this.amounts.values()) this.settle(totals);
    if (this.rowsIn !== this.rowsCurated + this.rowsQuarantined) return false;
    for (const totals of this.amounts.values()) {
      if (!this.inTotal(totals).equals(fromUnscaled(totals.curatedCents).plus(totals.quarantined)))
        return false;
    }
    return true;
  }

  toJSON(): ControlTotalsReport {
    const amounts: ControlTotalsReport['amounts'] = {};
    const balanced = this.balances();
    for (const [column, t] of this.amounts) {
      amounts[column] = {
        in: this.inTotal(t).toFixed(2),
        curated: fromUnscaled(t.curatedCents).toFixed(2),
        quarantined: t.quarantined.toFixed(2),
        unreadable_cells: t.unreadableCells,
      };
    }
    return {
      rows_in: this.rowsIn,
      rows_curated: this.rowsCurated,
      rows_quarantined: this.rowsQuarantined,
      amounts,
      balanced,
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
