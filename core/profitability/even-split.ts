import type { Decimal } from 'decimal.js';
import { MONEY_SCALE, Money } from '../money.ts';

/**
 * Equal shares of a pool in whole cents, exactly as `allocate(total, [1, 1, ...])` of core/money.ts
 * gives them: every part gets the floor, and the leftover cents go one each to the first parts.
 * Retention spend is split over up to millions of customers per period, and allocate's per-part
 * Decimal work there would dominate the run; a test holds this to allocate's result.
 */
export class EvenSplit {
  private readonly sign: number;
  private readonly base: number;
  private readonly extra: number;

  constructor(
    total: Decimal.Value,
    readonly parts: number,
  ) {
    if (!Number.isSafeInteger(parts) || parts < 1)
      throw new RangeError('an even split needs at least one part');
    const units = BigInt(new Money(total).times(new Money(10).pow(MONEY_SCALE)).toFixed(0));
    const magnitude = units < 0n ? -units : units;
    this.sign = units < 0n ? -1 : 1;
    this.base = Number(magnitude / BigInt(parts));
    this.extra = Number(magnitude % BigInt(parts));
  }

  /** Share of the part at `position` (0-based), in cents. */
  centsAt(position: number): number {
    return this.sign * (this.base + (position < this.extra ? 1 : 0));
  }
}

/** Per-customer running totals in cents: exact in doubles up to 2^53 cents, converted once at the end. */
export function centsToMoney(cents: number): Money {
  return new Money(cents).dividedBy(new Money(10).pow(MONEY_SCALE));
}
