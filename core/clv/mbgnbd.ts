import { bgnbdStartingPoints } from './bgnbd-fit.ts';
import type { BgnbdParameters } from './bgnbd-likelihood.ts';
import { bgnbdConditionalExpectedPurchases } from './bgnbd-predict.ts';
import { type FitOutcome, fitPositiveModel, type PositiveModel } from './fit-log-scale.ts';
import type { WeightedRfm } from './rfm-types.ts';

/**
 * MBG/NBD (Batislam, Denizel & Filiztekin 2007; Hoppe & Wagner 2007 as "central BG/NBD"): as
 * BG/NBD, purchase rate λ ~ Gamma(r, α) and dropout probability p ~ Beta(a, b), but a customer may
 * also drop out right after the first purchase, so customers without repeat purchases are not
 * certainly alive (BG/NBD's P(alive | x = 0) = 1 overstates them). Same parameters (r, α, a, b).
 */
export type MbgnbdParameters = BgnbdParameters;

export const MBGNBD_PARAMETER_NAMES = ['r', 'alpha', 'a', 'b'] as const;

/**
 * Weighted total log-likelihood and its gradient in (r, α, a, b). Per customer:
 *   ln L = ln Γ(r+x) - ln Γ(r) + r ln α + ln B(a, b+x+1) - ln B(a, b)
 *          + ln[ (α+T)^{-(r+x)} + a/(b+x) (α+t_x)^{-(r+x)} ]
 * (BTYDplus' mbgcnbd.LL with k = 1). The Γ and B ratios are finite products over k < x (and
 * k <= x), summed over customers through the weight of customers with at least k purchases.
 */
export function mbgnbdLogLikelihood(rows: WeightedRfm, p: MbgnbdParameters, gradient?: Float64Array): number {
  const { r, alpha, a, b } = p;
  let maxFrequency = 0;
  let totalWeight = 0;
  for (let i = 0; i < rows.frequency.length; i++) {
    if (rows.frequency[i]! > maxFrequency) maxFrequency = rows.frequency[i]!;
    totalWeight += rows.weight[i]!;
  }
  const atLeast = new Float64Array(maxFrequency + 2);
  for (let i = 0; i < rows.frequency.length; i++) atLeast[rows.frequency[i]!]! += rows.weight[i]!;
  for (let k = maxFrequency - 1; k >= 0; k--) atLeast[k]! += atLeast[k + 1]!;

  const logAlpha = Math.log(alpha);
  let ll = totalWeight * r * logAlpha;
  let dR = totalWeight * logAlpha;
  let dAlpha = (totalWeight * r) / alpha;
  let dA = 0;
  let dB = 0;
  for (let k = 0; k <= maxFrequency; k++) {
    const w = atLeast[k]!;
    const inverseAb = 1 / (a + b + k);
    ll += w * (Math.log(b + k) - Math.log(a + b + k));
    dA -= w * inverseAb;
    dB += w * (1 / (b + k) - inverseAb);
    const repeat = atLeast[k + 1]!;
    if (repeat > 0) {
      ll += repeat * Math.log(r + k);
      dR += repeat / (r + k);
    }
  }
  const logA = Math.log(a);
  let droppedWeight = 0;
  for (let i = 0; i < rows.frequency.length; i++) {
    const x = rows.frequency[i]!;
    const w = rows.weight[i]!;
    const rx = r + x;
    const logAge = Math.log(alpha + rows.age[i]!);
    const logRecency = Math.log(alpha + rows.recency[i]!);
    const alive = -rx * logAge;
    const d = logA - Math.log(b + x) - rx * logRecency - alive;
    let softplus: number;
    let shareDropped: number;
    if (d > 0) {
      const e = Math.exp(-d);
      softplus = d + Math.log1p(e);
      shareDropped = 1 / (1 + e);
    } else {
      const e = Math.exp(d);
      softplus = Math.log1p(e);
      shareDropped = e / (1 + e);
    }
    const shareAlive = 1 - shareDropped;
    ll += w * (alive + softplus);
    dR -= w * (shareAlive * logAge + shareDropped * logRecency);
    dAlpha -= w * rx * (shareAlive / (alpha + rows.age[i]!) + shareDropped / (alpha + rows.recency[i]!));
    droppedWeight += w * shareDropped;
    dB -= (w * shareDropped) / (b + x);
  }
  dA += droppedWeight / a;
  if (gradient) {
    gradient[0] = dR;
    gradient[1] = dAlpha;
    gradient[2] = dA;
    gradient[3] = dB;
  }
  return ll;
}

export function mbgnbdModel(rows: WeightedRfm): PositiveModel {
  let totalWeight = 0;
  for (const w of rows.weight) totalWeight += w;
  return {
    names: MBGNBD_PARAMETER_NAMES,
    totalWeight,
    logLikelihood: (params, gradient) =>
      mbgnbdLogLikelihood(rows, { r: params[0]!, alpha: params[1]!, a: params[2]!, b: params[3]! }, gradient),
  };
}

export interface MbgnbdFit extends FitOutcome {
  parameters: MbgnbdParameters;
}

export function fitMbgnbd(rows: WeightedRfm, options: { penalizer: number; starts: number }): MbgnbdFit {
  const outcome = fitPositiveModel(mbgnbdModel(rows), {
    // BG/NBD's starting points serve: the two models' parameters mean the same.
    starts: bgnbdStartingPoints(rows, options.starts),
    penalizer: options.penalizer,
  });
  const [r, alpha, a, b] = outcome.params;
  return { ...outcome, parameters: { r: r!, alpha: alpha!, a: a!, b: b! } };
}

/** P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^{r+x}), for x = 0 too. */
export function mbgnbdProbabilityAlive(p: MbgnbdParameters, x: number, tx: number, T: number): number {
  const logOdds =
    Math.log(p.a) - Math.log(p.b + x) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[Y(t) | x, t_x, T] = (a+b+x)/(a-1) · [1 - ((α+T)/(α+T+t))^{r+x} 2F1(r+x, b+x+1; a+b+x; z)]
 * · P(alive), z = t/(α+T+t) (BTYDplus' mbgcnbd.ConditionalExpectedTransactions, k = 1). That is
 * BG/NBD's expression with b + 1 in place of b, whose P(alive) factor for x >= 1 is the MBG/NBD
 * one (a/(b+1+x-1) = a/(b+x)); for x = 0 BG/NBD takes the customer as alive, so the MBG/NBD
 * P(alive) is applied here. BG/NBD's pole-free evaluation is thereby reused.
 */
export function mbgnbdConditionalExpectedPurchases(
  p: MbgnbdParameters,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  const shifted = { ...p, b: p.b + 1 };
  const expected = bgnbdConditionalExpectedPurchases(shifted, t, x, tx, T);
  return x === 0 ? expected * mbgnbdProbabilityAlive(p, 0, tx, T) : expected;
}

/** E[X(t)] for a customer just acquired: the conditional form at x = t_x = T = 0. */
export function mbgnbdExpectedPurchasesNewCustomer(p: MbgnbdParameters, t: number): number {
  return mbgnbdConditionalExpectedPurchases(p, t, 0, 0, 0);
}
