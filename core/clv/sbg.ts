import { type FitOutcome, fitPositiveModel, type PositiveModel } from './fit-log-scale.ts';

/**
 * Shifted-beta-geometric retention model (Fader & Hardie 2007, "How to Project Customer
 * Retention", Journal of Interactive Marketing 21(1)): at the end of each period an active
 * subscriber cancels with probability θ, θ ~ Beta(α, β) across subscribers. With T the period in
 * which a subscriber cancels (T >= 1):
 *   P(T = t) = B(α + 1, β + t - 1) / B(α, β),   S(t) = P(T > t) = B(α, β + t) / B(α, β).
 * Both follow from ratios of consecutive terms, so no Beta function is ever evaluated:
 *   P(1) = α/(α+β),  P(t) = P(t-1) (β+t-2)/(α+β+t-1),  S(t) = S(t-1) (β+t-1)/(α+β+t-1).
 */
export interface SbgParameters {
  alpha: number;
  beta: number;
}

export const SBG_PARAMETER_NAMES = ['alpha', 'beta'] as const;

/**
 * Right-censored lifetimes, as counts: `churned[t]` subscribers cancelled in period t (T = t,
 * t >= 1; index 0 unused) and `censored[k]` subscribers were still active after k periods when
 * observation stopped (T > k; k = 0 adds nothing to the likelihood).
 */
export interface SbgData {
  churned: Float64Array;
  censored: Float64Array;
}

/**
 * Cohort survivor counts (n_0 subscribers at the start, n_t still active after t periods, all
 * observed for the same number of periods) as SbgData: n_{t-1} - n_t cancelled in period t and
 * the last n_T censored at T. The paper's Table 1 has this shape.
 */
export function sbgDataFromSurvivors(survivors: readonly number[]): SbgData {
  const last = survivors.length - 1;
  const churned = new Float64Array(last + 1);
  const censored = new Float64Array(last + 1);
  for (let t = 1; t <= last; t++) {
    const lost = survivors[t - 1]! - survivors[t]!;
    if (lost < 0) throw new RangeError(`survivors must not grow: ${survivors[t - 1]} then ${survivors[t]}`);
    churned[t] = lost;
  }
  censored[last] = survivors[last]!;
  return { churned, censored };
}

/** Σ churned[t] ln P(T = t) + Σ censored[k] ln S(k), with its gradient in (α, β). */
export function sbgLogLikelihood(data: SbgData, p: SbgParameters, gradient?: Float64Array): number {
  const { alpha, beta } = p;
  const length = Math.max(data.churned.length, data.censored.length);
  let ll = 0;
  let dAlpha = 0;
  let dBeta = 0;
  // ln S(t) and its derivatives, t = 0 first.
  let logS = 0;
  let dLogSAlpha = 0;
  let dLogSBeta = 0;
  for (let t = 0; t < length; t++) {
    if (t >= 1) {
      // P(t) = S(t-1) - S(t) = S(t-1) · α/(α+β+t-1): the survivors to t-1 who cancel in period t.
      const total = alpha + beta + t - 1;
      const lost = data.churned[t] ?? 0;
      if (lost > 0) {
        ll += lost * (logS + Math.log(alpha) - Math.log(total));
        dAlpha += lost * (dLogSAlpha + 1 / alpha - 1 / total);
        dBeta += lost * (dLogSBeta - 1 / total);
      }
      // S(t) = S(t-1) (β+t-1)/(α+β+t-1)
      logS += Math.log(beta + t - 1) - Math.log(total);
      dLogSAlpha -= 1 / total;
      dLogSBeta += 1 / (beta + t - 1) - 1 / total;
    }
    const kept = data.censored[t] ?? 0;
    if (kept > 0) {
      ll += kept * logS;
      dAlpha += kept * dLogSAlpha;
      dBeta += kept * dLogSBeta;
    }
  }
  if (gradient) {
    gradient[0] = dAlpha;
    gradient[1] = dBeta;
  }
  return ll;
}

/** S(t) for t = 0..periods. */
export function sbgSurvival(p: SbgParameters, periods: number): Float64Array {
  const out = new Float64Array(periods + 1);
  out[0] = 1;
  for (let t = 1; t <= periods; t++) out[t] = out[t - 1]! * ((p.beta + t - 1) / (p.alpha + p.beta + t - 1));
  return out;
}

/** Retention rate r_t = S(t)/S(t-1) = (β + t - 1)/(α + β + t - 1), rising with t (sorting effect). */
export function sbgRetentionRate(p: SbgParameters, t: number): number {
  return (p.beta + t - 1) / (p.alpha + p.beta + t - 1);
}

export interface SbgFit extends FitOutcome {
  parameters: SbgParameters;
  /** Subscribers behind the data (churned + censored). */
  subscribers: number;
}

export function sbgModel(data: SbgData): PositiveModel {
  let totalWeight = 0;
  for (const w of data.churned) totalWeight += w;
  for (const w of data.censored) totalWeight += w;
  return {
    names: SBG_PARAMETER_NAMES,
    totalWeight: Math.max(totalWeight, 1),
    logLikelihood: (params, gradient) =>
      sbgLogLikelihood(data, { alpha: params[0]!, beta: params[1]! }, gradient),
  };
}

/**
 * Starting points: θ's mean matched to the observed first-period churn with a few spreads (a
 * Beta(α, β) with the same mean and α + β of 2, 0.5 and 20).
 */
export function sbgStartingPoints(data: SbgData, count: number): Float64Array[] {
  let atRisk = 0;
  for (let t = 1; t < data.churned.length; t++) atRisk += data.churned[t]!;
  for (let k = 1; k < data.censored.length; k++) atRisk += data.censored[k]!;
  const first = data.churned[1] ?? 0;
  const churn = Math.min(0.9, Math.max(0.02, atRisk > 0 ? first / atRisk : 0.2));
  const candidates = [2, 0.5, 20].map((size) => [churn * size, (1 - churn) * size]);
  return candidates.slice(0, Math.max(1, count)).map((c) => Float64Array.from(c));
}

export function fitSbg(data: SbgData, options: { penalizer: number; starts: number }): SbgFit {
  const model = sbgModel(data);
  const outcome = fitPositiveModel(model, {
    starts: sbgStartingPoints(data, options.starts),
    penalizer: options.penalizer,
  });
  return {
    ...outcome,
    parameters: { alpha: outcome.params[0]!, beta: outcome.params[1]! },
    subscribers: model.totalWeight,
  };
}

const DERL_EPSILON = 1e-13;
const DERL_MAX_TERMS = 10_000_000;

/**
 * Discounted expected residual lifetime (Fader & Hardie 2010, "Customer-Base Valuation in a
 * Contractual Setting: The Perils of Ignoring Heterogeneity", Marketing Science 29(1)) of a
 * subscriber who has made `renewals` renewals (is in period renewals + 1), evaluated just before
 * the next renewal decision, with discount rate d per period:
 *   DERL = Σ_{t >= n} S(t) / S(n-1) / (1+d)^{t-n},  n = renewals + 1,
 *        = (β+n-1)/(α+β+n-1) · 2F1(1, β+n; α+β+n; 1/(1+d)).
 * Times the margin per period it is the expected residual lifetime value. Summed as the series of
 * conditional survival terms (each the previous times (β+t-1)/(α+β+t-1)/(1+d)); Infinity when
 * d = 0 and the mean lifetime is infinite (α <= 1).
 */
export function sbgDerl(p: SbgParameters, renewals: number, discountRate: number): number {
  const { alpha, beta } = p;
  const n = renewals + 1;
  if (discountRate === 0 && alpha <= 1) return Number.POSITIVE_INFINITY;
  if (discountRate === 0) {
    // Σ_{t>=n} S(t)/S(n-1) = (β+n-1)/(α-1) in closed form (mean residual lifetime).
    return (beta + n - 1) / (alpha - 1);
  }
  const z = 1 / (1 + discountRate);
  let term = (beta + n - 1) / (alpha + beta + n - 1);
  let total = term;
  for (let t = n + 1; t < n + DERL_MAX_TERMS; t++) {
    term *= ((beta + t - 1) / (alpha + beta + t - 1)) * z;
    total += term;
    if (term <= DERL_EPSILON * total) break;
  }
  return total;
}
