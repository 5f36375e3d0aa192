import { Money } from '../money.ts';
import { parseAmount, parseAmountCents } from '../values.ts';
import { fastCents } from './fast-cells.ts';

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
  /**
   * Cents summed as doubles while that stays exact, folded into the bigints before it could not
   * (summing a bigint or a decimal a row was most of the cost of a file of rejected rows): curated
   * cents (in and curated), quarantined cents (in and quarantined), and cents of curated rows that
   * turned out to be duplicates (curated to quarantined).
   */
  pendingCents: number;
  pendingQuarantined: number;
  pendingMoved: number;
  /** Amounts with fractions of a cent (quarantined for that reason) are summed exactly here. */
  inFractional: Exact;
  curatedCents: bigint;
  quarantinedCents: bigint;
  /** The quarantined amounts with fractions of a cent (`inFractional` again). */
  quarantinedFractional: Exact;
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
        pendingQuarantined: 0,
        pendingMoved: 0,
        inFractional: ZERO,
        curatedCents: 0n,
        quarantinedCents: 0n,
        quarantinedFractional: ZERO,
        unreadableCells: 0,
      });
    }
    this.ordered = [...this.amounts.values()];
  }

  /** A quarantined row's amount cell, counted in "in" and "quarantined". */
  private addQuarantinedCell(raw: string | undefined, totals: AmountTotals): void {
    if (raw === undefined) return;
    // Nearly every cell is plain (`120.50`): its cents as a number, exactly what the full parser reads.
    const fast = fastCents(raw);
    if (!Number.isNaN(fast)) {
      if (Math.abs(totals.pendingQuarantined) + Math.abs(fast) >= Number.MAX_SAFE_INTEGER)
        this.settle(totals);
      totals.pendingQuarantined += fast;
      return;
    }
    if (raw.trim() === '') return;
    const cents = parseAmountCents(raw);
    if (cents.ok) {
      totals.inCents += cents.value;
      totals.quarantinedCents += cents.value;
      return;
    }
    const exact = parseAmount(raw);
    if (!exact.ok) {
      totals.unreadableCells += 1;
      return;
    }
    const value = new Exact(exact.value);
    totals.inFractional = totals.inFractional.plus(value);
    totals.quarantinedFractional = totals.quarantinedFractional.plus(value);
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
    } else {
      if (Math.abs(totals.pendingCents) + Math.abs(cents) >= Number.MAX_SAFE_INTEGER) this.settle(totals);
      totals.pendingCents += cents;
    }
  }

  /**
   * A curated row turned out to be a duplicate (found after it was counted): it is quarantined as
   * it was read. Its amounts follow through `quarantineCuratedCents`, which moves them from curated
   * to quarantined ("in" does not change): the same sums as withdrawing the row and quarantining its
   * fields, as the curated cents are exactly what its cells read.
   */
  quarantineCuratedRow(): void {
    this.rowsCurated -= 1;
    this.rowsQuarantined += 1;
  }

  quarantineCuratedCents(amountIndex: number, cents: bigint | number): void {
    const totals = this.ordered[amountIndex] as AmountTotals;
    if (typeof cents === 'bigint') {
      totals.curatedCents -= cents;
      totals.quarantinedCents += cents;
      return;
    }
    if (Math.abs(totals.pendingMoved) + Math.abs(cents) >= Number.MAX_SAFE_INTEGER) this.settle(totals);
    totals.pendingMoved += cents;
  }

  /** Amount columns in the order `addCuratedCents` numbers them. */
  amountColumns(): string[] {
    return [...this.amounts.keys()];
  }

  private settle(totals: AmountTotals): void {
    if (totals.pendingCents !== 0) {
      totals.inCents += BigInt(totals.pendingCents);
      totals.curatedCents += BigInt(totals.pendingCents);
      totals.pendingCents = 0;
    }
    if (totals.pendingQuarantined !== 0) {
      totals.inCents += BigInt(totals.pendingQuarantined);
      totals.quarantinedCents += BigInt(totals.pendingQuarantined);
      totals.pendingQuarantined = 0;
    }
    if (totals.pendingMoved !== 0) {
      totals.curatedCents -= BigInt(totals.pendingMoved);
      totals.quarantinedCents += BigInt(totals.pendingMoved);
      totals.pendingMoved = 0;
    }
  }

  addQuarantined(fields: readonly string[]): void {
    this.rowsIn += 1;
    this.rowsQuarantined += 1;
    let k = 0;
    for (const position of this.positions.values())
      this.addQuarantinedCell(fields[position], this.ordered[k++] as AmountTotals);
  }

  private quarantinedTotal(totals: AmountTotals): Exact {
    return fromUnscaled(totals.quarantinedCents).plus(totals.quarantinedFractional);
  }

  balances(): boolean {
    for (const totals of this.amounts.values()) this.settle(totals);
    if (this.rowsIn !== this.rowsCurated + this.rowsQuarantined) return false;
    for (const totals of this.amounts.values()) {
      if (!this.inTotal(totals).equals(fromUnscaled(totals.curatedCents).plus(this.quarantinedTotal(totals))))
        return false;
    }
    return true;
  }

  toJSON(): ControlTotalsReport {
    const amounts: ControlTotalsReport['amounts'] = {};
    const balanced = this.balances();
    for (const [column, t] of this.amounts) {
      amounts[column] = {
        in: exactText(this.inTotal(t)),
        curated: exactText(fromUnscaled(t.curatedCents)),
        quarantined: exactText(this.quarantinedTotal(t)),
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

/**
 * A total as reported: to the cent, or with every decimal it has when a quarantined amount has
 * fractions of a cent. Rounded, the three figures would no longer add up (0.025 read = 0.01 curated
 * + 0.015 quarantined reads 0.02 = 0.01 + 0.02 half-even), and a manifest giving the file's true
 * total would be compared with a rounded one.
 */
function exactText(total: Exact): string {
  return total.toFixed(Math.max(2, total.decimalPlaces()));
}

export interface ControlTotalsReport {
  rows_in: number;
  rows_curated: number;
  rows_quarantined: number;
  amounts: Record<string, { in: string; curated: string; quarantined: string; unreadable_cells: number }>;
  balanced: boolean;
}
