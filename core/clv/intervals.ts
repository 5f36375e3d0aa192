import {
  type CellPairs,
  type Cells,
  cellPairs,
  cumulativeExpectations,
  membersByGroup,
  numberCells,
} from './cell-expectations.ts';
import { spendFrequency } from './gamma-gamma.ts';
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
 * ln D(θ_b) ≈ ln D(θ̂) + ∇ln D · (θ_b - θ̂), the gradient by forward differences on a coarser grid
 * of months (gradientGrid), so each distinct (x, t_x, T) costs 4(1 + k) evaluations of the expected
 * purchases instead of 12 per draw. Within the fit's standard
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
  /**
   * The point prediction's cells (numberCells over every customer, no one left out), each
   * customer's cell and each cell's D at the estimates, when the caller has them: the customers
   * are grouped from them (no second numbering of a million tuples) and each group centred on its
   * cell's D (so the intervals are centred on clv_predicted exactly).
   */
  estimates?: { cells: Cells; cellOf: Int32Array; discounted: Float64Array };
  /** D(x, t_x, T) under a predictor: the discounted expected purchases over the horizon. */
  discountedPurchases(model: PurchasePredictor, x: number, tx: number, T: number): number;
  /** The horizon D is taken over, for the gradient's coarser grid (see gradientGrid). */
  horizon: { months: number; unitsPerMonth: number; annualDiscountRate: number };
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

  // Customers grouped by distinct (x, t_x, T): D and ∇ln D once per group, and the group's
  // purchase factor per draw, exp(∇ln D · δ_b), once per group too.
  const groups = groupCustomers(input);
  const centre = input.purchase.at(input.purchase.params);
  const shifted: PurchasePredictor[] = [];
  for (let j = 0; j < k; j++) {
    const params = Array.from(input.purchase.params);
    params[j] = (params[j] as number) * Math.exp(STEP);
    shifted.push(input.purchase.at(params));
  }
  // Gamma-Gamma E[spend | x, m] = (γ + m x) · p / (p x + q - 1): the second factor per draw and x.
  const spendFactorByX = new Map<number, Float64Array>();
  const spendFactorOf = (x: number): Float64Array => {
    let factors = spendFactorByX.get(x);
    if (!factors) {
      factors = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        const p = spendP[b] as number;
        factors[b] = p / (p * x + (spendQ[b] as number) - 1);
      }
      spendFactorByX.set(x, factors);
    }
    return factors;
  };

  const grid = gradientGrid(input.horizon);
  // The groups by (x, T) once for the five predictors (when they factor: see cumulativeExpectations).
  const pairs = centre.expectedPurchasesIfAlive ? cellPairs(groups) : undefined;
  const proxies = grid.discounted(centre, groups, pairs);
  const ups = shifted.map((predictor) => grid.discounted(predictor, groups, pairs));
  const gradient = new Float64Array(k);
  const purchase = new Float64Array(B);
  const values = new Float64Array(B);
  const low = 0.1 * (B - 1);
  const high = 0.9 * (B - 1);
  for (let g = 0; g < groups.count; g++) {
    const x = groups.x[g] as number;
    const tx = groups.tx[g] as number;
    const T = groups.T[g] as number;
    const value = input.estimates
      ? (input.estimates.discounted[groups.cell[g] as number] as number)
      : input.discountedPurchases(centre, x, tx, T);
    const proxy = proxies[g] as number;
    for (let j = 0; j < k; j++) {
      const up = (ups[j] as Float64Array)[g] as number;
      gradient[j] = proxy > 0 && up > 0 ? (Math.log(up) - Math.log(proxy)) / STEP : 0;
    }
    for (let b = 0; b < B; b++) {
      let exponent = 0;
      for (let j = 0; j < k; j++) exponent += (gradient[j] as number) * (shifts[b * k + j] as number);
      purchase[b] = value * Math.exp(exponent);
    }
    // A customer's draws are margin x (γ_b + m x) x purchase_b: the quantiles of (γ_b + m x) x
    // purchase_b, scaled by the margin (and swapped when it is negative). Members with the same
    // m x (every customer without repeat purchases has m x = 0) share them.
    let sharedMx = Number.NaN;
    let low10 = 0;
    let high90 = 0;
    for (let at = groups.start[g] as number; at < (groups.start[g + 1] as number); at++) {
      const i = groups.members[at] as number;
      // As gammaGammaExpectedSpend: without positive repeat spend, the population's (x = 0).
      const monetary = input.monetary[i] as number;
      const spendX = spendFrequency(x, monetary);
      const mx = spendX === 0 ? 0 : monetary * spendX;
      if (mx !== sharedMx) {
        const factors = spendFactorOf(spendX);
        for (let b = 0; b < B; b++)
          values[b] = ((spendGamma[b] as number) + mx) * ((purchase[b] as number) * (factors[b] as number));
        low10 = quantile(values, low);
        // Selection left everything from floor(low) + 1 on at or above p10: p90 is among those.
        high90 = quantile(values, high, Math.floor(low) + 1);
        sharedMx = mx;
      }
      const margin = input.margin[i] as number;
      p10[i] = margin >= 0 ? margin * low10 : margin * high90;
      p90[i] = margin >= 0 ? margin * high90 : margin * low10;
    }
  }
  return { p10, p90, note: null };
}

/**
 * ∇ln D is taken on a coarser grid than D itself: the same discounted sum of expected purchase
 * increments, over at most GRADIENT_POINTS month ends spread evenly over the horizon, each
 * increment discounted at its month end. Its relative sensitivity to the parameters is that of
 * D to well within the bootstrap's Monte Carlo error (the test compares with exact draws), at a
 * third of the evaluations: the gradient is most of the intervals' cost.
 */
const GRADIENT_POINTS = 4;

function gradientGrid(horizon: ClvIntervalInput['horizon']) {
  const points = Math.min(GRADIENT_POINTS, horizon.months);
  const ts = new Float64Array(points);
  const factors = new Float64Array(points);
  const monthly = 1 / (1 + horizon.annualDiscountRate) ** (1 / 12);
  for (let k = 1; k <= points; k++) {
    const month = Math.round((k * horizon.months) / points);
    ts[k - 1] = month * horizon.unitsPerMonth;
    factors[k - 1] = monthly ** month;
  }
  return {
    /** Each cell's discounted sum on the grid (see cumulativeExpectations). */
    discounted(model: PurchasePredictor, cells: Cells, pairs?: CellPairs): Float64Array {
      const cumulative = cumulativeExpectations(model, cells, ts, pairs);
      const out = new Float64Array(cells.count);
      for (let c = 0; c < cells.count; c++) {
        let total = 0;
        let previous = 0;
        for (let k = 0; k < points; k++) {
          const value = cumulative[c * points + k] as number;
          total += (value - previous) * (factors[k] as number);
          previous = value;
        }
        out[c] = total;
      }
      return out;
    },
  };
}

/**
 * The valued customers by distinct (x, t_x, T): group g's members are members[start[g]..start[g+1]);
 * cell[g] is its cell among the estimates' (when given).
 */
interface CustomerGroups {
  count: number;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  start: Int32Array;
  members: Int32Array;
  cell: Int32Array;
}

/**
 * Groups numbered in order of first sight among the valued customers, as numberCells numbers them
 * with the unvalued left out: from the estimates' cells (one array read a customer) when given.
 */
function groupCustomers(input: ClvIntervalInput): CustomerGroups {
  const valued = (i: number) => input.valued[i] === 1;
  const estimates = input.estimates;
  if (!estimates) {
    const { cells, cellOf } = numberCells(input.frequency, input.recency, input.age, valued);
    const { start, members } = membersByGroup(cellOf, cells.count);
    return {
      count: cells.count,
      x: Float64Array.from(cells.x),
      tx: Float64Array.from(cells.tx),
      T: Float64Array.from(cells.T),
      start,
      members,
      cell: new Int32Array(0),
    };
  }
  const { cells, cellOf } = estimates;
  const flags = input.valued;
  const groupOfCell = new Int32Array(cells.count).fill(-1);
  const groupOf = new Int32Array(input.frequency.length).fill(-1);
  if (cellOf.length !== groupOf.length)
    throw new RangeError(`the estimates' cells are of ${cellOf.length} customers, not ${groupOf.length}`);
  const cellOfGroup: number[] = [];
  for (let i = 0; i < groupOf.length; i++) {
    if (flags[i] !== 1) continue;
    const cell = cellOf[i] as number;
    // Every valued customer has a cell of the point prediction's; anything else would be a bug.
    if (!(cell >= 0 && cell < cells.count))
      throw new RangeError(`customer ${i} has no cell among the estimates`);
    let group = groupOfCell[cell] as number;
    if (group < 0) {
      group = cellOfGroup.push(cell) - 1;
      groupOfCell[cell] = group;
    }
    groupOf[i] = group;
  }
  const { start, members } = membersByGroup(groupOf, cellOfGroup.length);
  const cell = Int32Array.from(cellOfGroup);
  return {
    count: cell.length,
    x: Float64Array.from(cell, (c) => cells.x[c] as number),
    tx: Float64Array.from(cell, (c) => cells.tx[c] as number),
    T: Float64Array.from(cell, (c) => cells.T[c] as number),
    start,
    members,
    cell,
  };
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
 * values, reordering them in place by selection (no full sort). With `from`, the values before
 * that position must all be at or below the rest (a previous selection left them so).
 */
export function quantile(values: Float64Array, rank: number, from = 0): number {
  const below = Math.floor(rank);
  const lower = select(values, below, from);
  if (rank === below || below + 1 >= values.length) return lower;
  // The next order statistic is the smallest value above position `below` after selection.
  let upper = Number.POSITIVE_INFINITY;
  for (let i = below + 1; i < values.length; i++)
    if ((values[i] as number) < upper) upper = values[i] as number;
  return lower + (rank - below) * (upper - lower);
}

/** Hoare's quickselect: values[k] becomes the k-th smallest, smaller ones before it, larger after. */
function select(values: Float64Array, k: number, from = 0): number {
  let left = from;
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
