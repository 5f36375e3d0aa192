import { SeededRandom } from './random.ts';
import type { PurchasePredictor } from './transaction-model.ts';

/**
 * Per-customer 80% intervals for the predicted CLV (issue 17, section 3) by parametric bootstrap:
 * parameter sets are drawn from the fits' asymptotic normal distribution (the observed information
 * at the optimum, standard-errors.ts), on the log scale where the fits live, the purchase model's
 * and Gamma-Gamma's independently (they are separate likelihoods); each draw gives every customer a
 * CLV, and the 10th and 90th percentiles of a customer's draws are the interval.
 *
 * Cost: a customer's CLV = margin x E[spend | x, m] x D(x, t_x, T), D the discounted expected
 * purchases over the horizon (12+ evaluations of a hypergeometric series). Gamma-Gamma's spend is
 * exact per draw (a closed form), but D is taken to first order in the drawn log-parameters:
 * ln D(θ_b) ≈ ln D(θ̂) + ∇ln D · (θ_b - θ̂), the gradient by forward differences, so each distinct
 * (x, t_x, T) costs 1 + k evaluations of D instead of one per draw. Within the fit's standard
 * errors (a few percent at a thousand customers, far less at a million) ln D is close to linear;
 * the test compares it with exact draws.
 */

export interface DrawnFit {
  /** Estimates, natural scale (clv_models order). */
  params: ArrayLike<number>;
  /** Their covariance, natural scale, row-major k x k (FitOutcome.covariance). */
  covariance: ArrayLike<number>;
}

export interface ClvIntervalInput {
  /** Per customer. */
  frequency: ArrayLike<number>;
  recency: ArrayLike<number>;
  age: ArrayLike<number>;
  /** Average repeat spend (Gamma-Gamma's m). */
  monetary: ArrayLike<number>;
  /** The margin applied to the customer's expected spend. */
  margin: ArrayLike<number>;
  /** 1 where the customer has a predicted CLV (others get NaN intervals). */
  valued: ArrayLike<number>;
  purchase: DrawnFit & { at(params: ArrayLike<number>): PurchasePredictor };
  spend: DrawnFit;
  /** D(x, t_x, T) under a predictor: the discounted expected purchases over the horizon. */
  discountedPurchases(model: PurchasePredictor, x: number, tx: number, T: number): number;
  draws: number;
  seed?: number;
}

export interface ClvIntervals {
  p10: Float64Array;
  p90: Float64Array;
  /** Why there are no intervals (every entry NaN), or null. */
  note: string | null;
}

/** Forward-difference step on the log scale for ∇ln D. */
const STEP = 1e-5;
/** Redraws allowed for a Gamma-Gamma draw with q <= 1 (infinite expected spend) before giving up. */
const MAX_REDRAWS = 100;

export function bootstrapClvIntervals(input: ClvIntervalInput): ClvIntervals {
  const n = input.frequency.length;
  const p10 = new Float64Array(n).fill(Number.NaN);
  const p90 = new Float64Array(n).fill(Number.NaN);
  const none = (note: string): ClvIntervals => ({ p10, p90, note });
  if (input.draws < 2) return none('clv intervals not computed: clv.intervalDraws is below 2');
  const purchaseFactor = logScaleCholesky(input.purchase);
  if (!purchaseFactor)
    return none(
      'clv intervals not computed: the purchase model has no standard errors (see its clv_models note)',
    );
  const spendFactor = logScaleCholesky(input.spend);
  if (!spendFactor)
    return none('clv intervals not computed: Gamma-Gamma has no standard errors (see its clv_models note)');

  const random = new SeededRandom(input.seed ?? 20250317);
  const B = input.draws;
  const k = purchaseFactor.size;
  // Purchase draws: δ_b = L z (log-scale shifts).
  const shifts = new Float64Array(B * k);
  for (let b = 0; b < B; b++) drawInto(purchaseFactor, random, shifts, b * k);
  // Spend draws: natural-scale (p, q, γ) per draw, q > 1 required.
  const spendP = new Float64Array(B);
  const spendQ = new Float64Array(B);
  const spendGamma = new Float64Array(B);
  const spendShift = new Float64Array(spendFactor.size);
  const s = input.spend.params;
  for (let b = 0; b < B; b++) {
    let tries = 0;
    do {
      drawInto(spendFactor, random, spendShift, 0);
      spendP[b] = (s[0] as number) * Math.exp(spendShift[0] as number);
      spendQ[b] = (s[1] as number) * Math.exp(spendShift[1] as number);
      spendGamma[b] = (s[2] as number) * Math.exp(spendShift[2] as number);
    } while ((spendQ[b] as number) <= 1 && ++tries < MAX_REDRAWS);
    if ((spendQ[b] as number) <= 1)
      return none('clv intervals not computed: Gamma-Gamma q is too uncertain to stay above 1');
  }

  // D and ∇ln D per distinct (x, t_x, T).
  const centre = input.purchase.at(input.purchase.params);
  const shifted: PurchasePredictor[] = [];
  for (let j = 0; j < k; j++) {
    const params = Array.from(input.purchase.params);
    params[j] = (params[j] as number) * Math.exp(STEP);
    shifted.push(input.purchase.at(params));
  }
  type Linear = { value: number; gradient: Float64Array };
  const cache = new Map<number, Map<number, Map<number, Linear>>>();
  const linearAt = (x: number, tx: number, T: number): Linear => {
    let byRecency = cache.get(x);
    if (!byRecency) {
      byRecency = new Map();
      cache.set(x, byRecency);
    }
    let byAge = byRecency.get(tx);
    if (!byAge) {
      byAge = new Map();
      byRecency.set(tx, byAge);
    }
    let linear = byAge.get(T);
    if (!linear) {
      const value = input.discountedPurchases(centre, x, tx, T);
      const gradient = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        const up = input.discountedPurchases(shifted[j] as PurchasePredictor, x, tx, T);
        gradient[j] = value > 0 && up > 0 ? (Math.log(up) - Math.log(value)) / STEP : 0;
      }
      linear = { value, gradient };
      byAge.set(T, linear);
    }
    return linear;
  };

  const values = new Float64Array(B);
  const low = 0.1 * (B - 1);
  const high = 0.9 * (B - 1);
  for (let i = 0; i < n; i++) {
    if (input.valued[i] !== 1) continue;
    const x = input.frequency[i] as number;
    const m = input.monetary[i] as number;
    const margin = input.margin[i] as number;
    const { value, gradient } = linearAt(x, input.recency[i] as number, input.age[i] as number);
    const base = margin * value;
    for (let b = 0; b < B; b++) {
      let exponent = 0;
      for (let j = 0; j < k; j++) exponent += (gradient[j] as number) * (shifts[b * k + j] as number);
      const p = spendP[b] as number;
      // Gamma-Gamma E[spend | x, m] = (γ + m x) p / (p x + q - 1); x = 0 gives the population mean.
      const spend = (((spendGamma[b] as number) + m * x) * p) / (p * x + (spendQ[b] as number) - 1);
      values[b] = base * spend * Math.exp(exponent);
    }
    p10[i] = quantile(values, low);
    p90[i] = quantile(values, high);
  }
  return { p10, p90, note: null };
}

interface Factor {
  size: number;
  /** Lower Cholesky factor of the log-scale covariance. */
  lower: Float64Array;
}

/** Cholesky factor of Cov(ln θ) = Cov(θ)_ij / (θ_i θ_j); null when undefined or not positive definite. */
function logScaleCholesky(fit: DrawnFit): Factor | null {
  const size = fit.params.length;
  const lower = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      const scale = (fit.params[i] as number) * (fit.params[j] as number);
      let sum = (fit.covariance[i * size + j] as number) / scale;
      if (!Number.isFinite(sum)) return null;
      for (let c = 0; c < j; c++) sum -= (lower[i * size + c] as number) * (lower[j * size + c] as number);
      if (i === j) {
        if (!(sum > 0)) return null;
        lower[i * size + i] = Math.sqrt(sum);
      } else lower[i * size + j] = sum / (lower[j * size + j] as number);
    }
  }
  return { size, lower };
}

function drawInto(factor: Factor, random: SeededRandom, target: Float64Array, offset: number): void {
  const { size, lower } = factor;
  const z = new Float64Array(size);
  for (let j = 0; j < size; j++) z[j] = random.normal();
  for (let i = 0; i < size; i++) {
    let sum = 0;
    for (let j = 0; j <= i; j++) sum += (lower[i * size + j] as number) * (z[j] as number);
    target[offset + i] = sum;
  }
}

/**
 * The quantile at fractional rank `rank` (0-based, linear between neighbours: R's type 7) of the
 * values, reordering them in place by selection (no full sort).
 */
export function quantile(values: Float64Array, rank: number): number {
  const below = Math.floor(rank);
  const lower = select(values, below);
  if (rank === below || below + 1 >= values.length) return lower;
  // The next order statistic is the smallest value above position `below` after selection.
  let upper = Number.POSITIVE_INFINITY;
  for (let i = below + 1; i < values.length; i++)
    if ((values[i] as number) < upper) upper = values[i] as number;
  return lower + (rank - below) * (upper - lower);
}

/** Hoare's quickselect: values[k] becomes the k-th smallest, smaller ones before it, larger after. */
function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const pivot = values[(left + right) >> 1] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k] as number;
}
