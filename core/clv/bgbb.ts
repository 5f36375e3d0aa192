import { type FitOutcome, fitPositiveModel, numericGradient, type PositiveModel } from './fit-log-scale.ts';
import { logBeta } from './special-functions.ts';

/**
 * BG/BB (Fader, Hardie & Shang 2010, "Customer-Base Analysis in a Discrete-Time Noncontractual
 * Setting", Marketing Science 29(6)): at each of n transaction opportunities after the first
 * purchase an alive customer buys with probability p, p ~ Beta(α, β), and becomes inactive after
 * an opportunity with probability θ, θ ~ Beta(γ, δ). A customer is summarised by x repeat
 * purchases (opportunities with a purchase), the last at opportunity t_x (0 when x = 0), out of n.
 */
export interface BgbbParameters {
  alpha: number;
  beta: number;
  gamma: number;
  delta: number;
}

export const BGBB_PARAMETER_NAMES = ['alpha', 'beta', 'gamma', 'delta'] as const;

/** Weighted (x, t_x, n) rows: `weight[i]` customers share row i. */
export interface BgbbRows {
  frequency: Float64Array;
  recency: Float64Array;
  opportunities: Float64Array;
  weight: Float64Array;
}

export const toBgbbParameters = (v: ArrayLike<number>): BgbbParameters => ({
  alpha: v[0]!,
  beta: v[1]!,
  gamma: v[2]!,
  delta: v[3]!,
});

/**
 * ln L(α, β, γ, δ | x, t_x, n) (FHS 2010, eq. 5):
 *   L = B(α+x, β+n-x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
 *     + Σ_{i=0}^{n-t_x-1} B(α+x, β+t_x-x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)
 * the first term alive through n, the others inactive from opportunity t_x + i + 1 on; summed as
 * a log-sum-exp.
 */
export function bgbbLogLikelihoodOne(p: BgbbParameters, x: number, tx: number, n: number): number {
  const { alpha, beta, gamma, delta } = p;
  const base = -logBeta(alpha, beta) - logBeta(gamma, delta);
  const terms: number[] = [logBeta(alpha + x, beta + n - x) + logBeta(gamma, delta + n)];
  for (let i = 0; i < n - tx; i++)
    terms.push(logBeta(alpha + x, beta + tx - x + i) + logBeta(gamma + 1, delta + tx + i));
  return base + logSumExp(terms);
}

export function bgbbLogLikelihood(rows: BgbbRows, p: BgbbParameters): number {
  let ll = 0;
  for (let i = 0; i < rows.weight.length; i++)
    ll +=
      rows.weight[i]! * bgbbLogLikelihoodOne(p, rows.frequency[i]!, rows.recency[i]!, rows.opportunities[i]!);
  return ll;
}

function logSumExp(values: readonly number[]): number {
  let largest = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > largest) largest = v;
  if (largest === Number.NEGATIVE_INFINITY) return largest;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - largest);
  return largest + Math.log(sum);
}

/**
 * Merges customers with the same (x, t_x, n): with n opportunities there are at most
 * (n+1)(n+2)/2 distinct rows per n, so even millions of customers make a few thousand rows and a
 * numeric gradient is cheap.
 */
export function collapseBgbb(
  frequency: ArrayLike<number>,
  recency: ArrayLike<number>,
  opportunities: ArrayLike<number>,
): BgbbRows {
  const index = new Map<string, number>();
  const xs: number[] = [];
  const txs: number[] = [];
  const ns: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < frequency.length; i++) {
    const key = `${frequency[i]}|${recency[i]}|${opportunities[i]}`;
    const at = index.get(key);
    if (at !== undefined) {
      weight[at]! += 1;
      continue;
    }
    index.set(key, weight.length);
    xs.push(frequency[i]!);
    txs.push(recency[i]!);
    ns.push(opportunities[i]!);
    weight.push(1);
  }
  return {
    frequency: Float64Array.from(xs),
    recency: Float64Array.from(txs),
    opportunities: Float64Array.from(ns),
    weight: Float64Array.from(weight),
  };
}

export function bgbbModel(rows: BgbbRows): PositiveModel {
  let totalWeight = 0;
  for (const w of rows.weight) totalWeight += w;
  const f = (params: Float64Array): number => bgbbLogLikelihood(rows, toBgbbParameters(params));
  return {
    names: BGBB_PARAMETER_NAMES,
    totalWeight: Math.max(totalWeight, 1),
    logLikelihood: (params, gradient) => numericGradient(f, params, gradient),
    logLikelihoodValue: f,
  };
}

/** Starting points: purchase probability matched to the observed repeat rate, a few dropout mixes. */
export function bgbbStartingPoints(rows: BgbbRows, count: number): Float64Array[] {
  let purchases = 0;
  let opportunities = 0;
  for (let i = 0; i < rows.weight.length; i++) {
    purchases += rows.weight[i]! * rows.frequency[i]!;
    opportunities += rows.weight[i]! * rows.opportunities[i]!;
  }
  const rate = Math.min(0.9, Math.max(0.05, opportunities > 0 ? purchases / opportunities : 0.5));
  const candidates = [
    [rate, 1 - rate, 1, 1],
    [2 * rate, 2 * (1 - rate), 0.5, 3],
    [0.5 * rate, 0.5 * (1 - rate), 2, 0.5],
  ];
  return candidates.slice(0, Math.max(1, count)).map((c) => Float64Array.from(c));
}

export interface BgbbFit extends FitOutcome {
  parameters: BgbbParameters;
}

export function fitBgbb(rows: BgbbRows, options: { penalizer: number; starts: number }): BgbbFit {
  const outcome = fitPositiveModel(bgbbModel(rows), {
    starts: bgbbStartingPoints(rows, options.starts),
    penalizer: options.penalizer,
    // Central differences carry ~1e-10 noise (as for Pareto/NBD).
    bfgs: { gradientTolerance: 1e-7 },
  });
  return { ...outcome, parameters: toBgbbParameters(outcome.params) };
}

/** P(alive at opportunity n + 1 | x, t_x, n) (FHS 2010, eq. 11). */
export function bgbbProbabilityAlive(p: BgbbParameters, x: number, tx: number, n: number): number {
  const { alpha, beta, gamma, delta } = p;
  const alive =
    logBeta(alpha + x, beta + n - x) -
    logBeta(alpha, beta) +
    logBeta(gamma, delta + n + 1) -
    logBeta(gamma, delta);
  return Math.min(1, Math.exp(alive - bgbbLogLikelihoodOne(p, x, tx, n)));
}

/**
 * E[X(n, n + n*) | x, t_x, n]: expected purchases over the next n* opportunities (FHS 2010,
 * eq. 13), as the sum over those opportunities of E[p | alive, data] · P(alive there), i.e.
 *   1/L · B(α+x+1, β+n-x)/B(α,β) · Σ_{t=n+1}^{n+n*} B(γ, δ+t)/B(γ,δ)
 * (the paper's closed form for the sum has a removable pole at γ = 1; the sum has none).
 */
export function bgbbConditionalExpectedPurchases(
  p: BgbbParameters,
  future: number,
  x: number,
  tx: number,
  n: number,
): number {
  if (future <= 0) return 0;
  const { alpha, beta, gamma, delta } = p;
  const logPurchase = logBeta(alpha + x + 1, beta + n - x) - logBeta(alpha, beta);
  const logL = bgbbLogLikelihoodOne(p, x, tx, n);
  // B(γ, δ+t)/B(γ,δ) for t = n+1, then each the previous times (δ+t)/(γ+δ+t).
  let survival = Math.exp(logBeta(gamma, delta + n + 1) - logBeta(gamma, delta));
  let sum = 0;
  const whole = Math.floor(future);
  for (let t = n + 1; t <= n + whole; t++) {
    sum += survival;
    survival *= (delta + t) / (gamma + delta + t);
  }
  // A fractional horizon takes the next opportunity's share (used when months are mapped onto years).
  sum += (future - whole) * survival;
  return Math.exp(logPurchase - logL) * sum;
}

/**
 * P(X(n) = x) for a customer just acquired (FHS 2010, eq. 8): the share of customers expected to
 * make x repeat purchases in the first n opportunities.
 */
export function bgbbProbabilityOfPurchases(p: BgbbParameters, n: number, x: number): number {
  const { alpha, beta, gamma, delta } = p;
  const base = -logBeta(alpha, beta) - logBeta(gamma, delta);
  const terms = [logChoose(n, x) + logBeta(alpha + x, beta + n - x) + logBeta(gamma, delta + n)];
  for (let i = x; i < n; i++)
    terms.push(logChoose(i, x) + logBeta(alpha + x, beta + i - x) + logBeta(gamma + 1, delta + i));
  return Math.exp(base + logSumExp(terms));
}

function logChoose(n: number, k: number): number {
  let total = 0;
  for (let i = 1; i <= k; i++) total += Math.log(n - k + i) - Math.log(i);
  return total;
}
