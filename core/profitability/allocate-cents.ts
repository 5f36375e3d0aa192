import type { Money } from '../money.ts';
import { centsOf } from '../money.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * `allocate(total, weights)` of core/money.ts in whole cents, computed with integers when the total
 * is whole cents and the weights are non-negative safe integers whose products with it stay safe:
 * then part i's exact share is w_i * |total| / W, its floor an integer division and its fraction
 * (w_i * |total| mod W) / W, so ranking the remainders ranks the fractions exactly as allocate's
 * Decimals do (ties to the earlier part). Returns null otherwise: then call allocate. Cost pools
 * are split over up to millions of customers, where allocate's Decimal per part dominated the run.
 */
export function allocateCents(total: Money, weights: readonly number[]): number[] | null {
  const totalCents = centsOf(total);
  const count = weights.length;
  let weightSum = 0;
  let exactInts = !Number.isNaN(totalCents);
  for (let i = 0; i < count && exactInts; i++) {
    const w = weights[i] as number;
    exactInts = Number.isSafeInteger(w) && w >= 0;
    weightSum += w;
  }
  const magnitude = Math.abs(totalCents);
  if (!exactInts || weightSum === 0 || weightSum > MAX_SAFE || magnitude * weightSum > MAX_SAFE) {
    return null;
  }
  const floors = new Array<number>(count);
  const remainders = new Float64Array(count);
  let remaining = magnitude;
  for (let i = 0; i < count; i++) {
    const product = (weights[i] as number) * magnitude;
    // The double quotient may round across an integer; the integer remainder puts it right.
    let floor = Math.floor(product / weightSum);
    let remainder = product - floor * weightSum;
    if (remainder < 0) {
      floor -= 1;
      remainder += weightSum;
    } else if (remainder >= weightSum) {
      floor += 1;
      remainder -= weightSum;
    }
    floors[i] = floor;
    remainders[i] = remainder;
    remaining -= floor;
  }
  if (remaining > 0) {
    const order = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => (remainders[b] as number) - (remainders[a] as number) || a - b,
    );
    for (let k = 0; k < remaining; k++) {
      const i = order[k] as number;
      floors[i] = (floors[i] as number) + 1;
    }
  }
  return totalCents < 0 ? floors.map((f) => 0 - f) : floors; // 0 - f: never -0
}
