import { centsOf, Money, ZERO } from '../money.ts';
import type { CentsColumn } from '../records.ts';

/**
 * Exact sums in integer cents. Curated amounts are DECIMAL(18,2), so almost every amount is a whole
 * number of cents; adding those as plain numbers is exact while every partial sum stays a safe
 * integer (|sum| < 2^53, about 9.0e13 in currency). Anything else (more decimals, larger values,
 * a sum that would leave the safe range) is added as a Decimal on the side, so totals stay exact
 * and equal to a Decimal sum of the same amounts.
 */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Adds `value` to a running sum of `cents`; returns the new sum, or NaN when it would not be exact. */
export function addCents(cents: number, value: Money): number {
  const next = cents + centsOf(value);
  return next <= MAX_SAFE && next >= -MAX_SAFE ? next : Number.NaN;
}

export function moneyFromCents(cents: number, rest: Money | null = null): Money {
  const base = cents === 0 ? ZERO : new Money(cents).dividedBy(100);
  return rest === null ? base : base.plus(rest);
}

/** The exact total of the first `length` amounts of a cents column. */
export function columnTotal(column: CentsColumn, length: number): Money {
  const total = new CentsSum();
  for (let i = 0; i < length; i++) total.addAt(column, i);
  return total.total();
}

/** A running exact sum: whole cents as a number, anything else as a Decimal. */
export class CentsSum {
  cents = 0;
  rest: Money | null = null;

  add(value: Money): void {
    const next = addCents(this.cents, value);
    if (!Number.isNaN(next)) this.cents = next;
    else this.rest = (this.rest ?? ZERO).plus(value);
  }

  /** Adds line i of a cents column (see CentsColumn). */
  addAt(column: CentsColumn, i: number): void {
    const cents = column.cents[i] as number;
    if (Number.isNaN(cents)) {
      this.rest = (this.rest ?? ZERO).plus(column.exact.get(i) as Money);
      return;
    }
    const next = this.cents + cents;
    if (next <= MAX_SAFE && next >= -MAX_SAFE) this.cents = next;
    else this.rest = (this.rest ?? ZERO).plus(moneyFromCents(cents));
  }

  /** Adds a whole number of cents (a safe integer). */
  addCents(cents: number): void {
    const next = this.cents + cents;
    if (next <= MAX_SAFE && next >= -MAX_SAFE) this.cents = next;
    else this.rest = (this.rest ?? ZERO).plus(moneyFromCents(cents));
  }

  /** Adds another running sum. */
  addSum(other: CentsSum): void {
    const next = this.cents + other.cents;
    if (next <= MAX_SAFE && next >= -MAX_SAFE) this.cents = next;
    else this.rest = (this.rest ?? ZERO).plus(moneyFromCents(other.cents));
    if (other.rest !== null) this.rest = (this.rest ?? ZERO).plus(other.rest);
  }

  get isZero(): boolean {
    return this.cents === 0 && (this.rest === null || this.rest.isZero());
  }

  total(): Money {
    return moneyFromCents(this.cents, this.rest);
  }
}
