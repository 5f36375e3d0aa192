import { logDenominator, type ParetoNbdParameters } from './pareto-nbd-likelihood.ts';
import { oneMinusExpOver } from './special-functions.ts';

/**
 * P(alive | x, t_x, T) = (α+T)^{-(r+x)} (β+T)^{-s} / [(r+x) J(T) + s J(t_x)] (see the
 * likelihood): a ratio of positive terms computed in logs, so always within [0, 1].
 */
export function paretoNbdProbabilityAlive(p: ParetoNbdParameters, x: number, tx: number, T: number): number {
  const logAlive = -(p.r + x) * Math.log(p.alpha + T) - p.s * Math.log(p.beta + T);
  return Math.min(1, Math.exp(logAlive - logDenominator(p, x, tx, T)));
}

/**
 * E[Y(t) | x, t_x, T] = P(alive) · (r+x)/(α+T) · (β+T)/(s-1) · [1 - ((β+T)/(β+T+t))^{s-1}]
 * (Schmittlein et al. 1987; Fader & Hardie's note), with the s = 1 limit handled by
 * oneMinusExpOver instead of dividing by s - 1.
 */
export function paretoNbdConditionalExpectedPurchases(
  p: ParetoNbdParameters,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  if (t <= 0) return 0;
  const horizon = (p.beta + T) * oneMinusExpOver(p.s - 1, -Math.log1p(t / (p.beta + T)));
  return paretoNbdProbabilityAlive(p, x, tx, T) * ((p.r + x) / (p.alpha + T)) * horizon;
}

/** E[X(t)] for a new customer: rβ/(α(s-1)) [1 - (β/(β+t))^{s-1}]. */
export function paretoNbdExpectedPurchasesNewCustomer(p: ParetoNbdParameters, t: number): number {
  return paretoNbdConditionalExpectedPurchases(p, t, 0, 0, 0);
}
