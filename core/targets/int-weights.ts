/**
 * Split weights as integers. A period's children are split by decimal weights (working days, AM/PM
 * shares, seasonality, scope shares); scaling every weight of a set by the same power of ten makes
 * them whole without changing any ratio, so the largest-remainder split below gives exactly the parts
 * `allocateCount` gives, with bigint arithmetic instead of a Decimal per operation: planning 20,000
 * scopes x ~950 periods did hundreds of millions of those.
 */
import type { Money } from '../money.ts';

export interface IntWeights {
  /** The weights scaled to whole numbers (all ones when the given weights sum to zero). */
  weights: readonly bigint[];
  sum: bigint;
}

export function integerWeights(weights: readonly Money[]): IntWeights {
  if (weights.some((w) => w.isNegative())) throw new RangeError('allocation weights must not be negative');
  let places = 0;
  for (const w of weights) places = Math.max(places, w.decimalPlaces());
  // toFixed prints exactly `places` decimals, so without its point it is the weight x 10^places.
  const scaled = weights.map((w) => BigInt(w.toFixed(places).replace('.', '')));
  let sum = scaled.reduce((a, b) => a + b, 0n);
  // Zero weights split evenly, as allocateCount does.
  if (sum === 0n) {
    sum = BigInt(scaled.length);
    return { weights: scaled.map(() => 1n), sum };
  }
  return { weights: scaled, sum };
}

const perPeriodCache = new WeakMap<readonly Money[][], IntWeights[]>();

/** `integerWeights` of every period's child weights, computed once per weights table. */
export function integerChildWeights(childWeights: readonly Money[][]): IntWeights[] {
  let cached = perPeriodCache.get(childWeights);
  if (!cached) {
    cached = childWeights.map((w) => integerWeights(w));
    perPeriodCache.set(childWeights, cached);
  }
  return cached;
}

/**
 * Splits `total` into parts proportional to the weights that add up exactly to it: each part gets the
 * floor of its exact share, and what is left goes one unit each to the largest remainders (ties to
 * the earlier part). A negative total is split as its magnitude, negated.
 */
export function allocateInt(total: bigint, split: IntWeights): bigint[] {
  const { weights, sum } = split;
  const count = weights.length;
  if (total === 0n) return new Array<bigint>(count).fill(0n);
  const negative = total < 0n;
  const magnitude = negative ? -total : total;
  const parts = new Array<bigint>(count);
  const remainders = new Array<bigint>(count);
  let left = magnitude;
  for (let i = 0; i < count; i++) {
    const product = (weights[i] as bigint) * magnitude;
    const floor = product / sum;
    parts[i] = floor;
    remainders[i] = product - floor * sum;
    left -= floor;
  }
  if (left > 0n) {
    if (count === 2) {
      // Two parts (AM/PM) leave at most one unit: the larger remainder, the first on a tie.
      const i = (remainders[1] as bigint) > (remainders[0] as bigint) ? 1 : 0;
      parts[i] = (parts[i] as bigint) + 1n;
    } else {
      addByLargestRemainder(parts, remainders, left);
    }
  }
  if (negative) for (let i = 0; i < count; i++) parts[i] = -(parts[i] as bigint);
  return parts;
}

/**
 * Adds `left` units to `parts`, one each to the parts with the largest remainders (the first on a
 * tie): the last step of a largest-remainder split.
 */
export function addByLargestRemainder(parts: bigint[], remainders: readonly bigint[], left: bigint): void {
  const order = parts.map((_, i) => i);
  order.sort((x, y) => {
    const a = remainders[x] as bigint;
    const b = remainders[y] as bigint;
    return a > b ? -1 : a < b ? 1 : x - y;
  });
  for (let k = 0; left > 0n; k++, left--) {
    const i = order[k] as number;
    parts[i] = (parts[i] as bigint) + 1n;
  }
}
