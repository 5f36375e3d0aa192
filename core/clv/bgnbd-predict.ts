import type { BgnbdParameters } from './bgnbd-likelihood.ts';
import { oneMinusExpOver } from './special-functions.ts';

/**
 * BG/NBD predictions (Fader, Hardie & Lee 2005) for a customer with x repeat purchases, the
 * last at t_x, observed for T time units.
 */

/** P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} a/(b+x-1) ((α+T)/(α+t_x))^{r+x}), evaluated in logs. */
export function bgnbdProbabilityAlive(p: BgnbdParameters, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  return 1 / (1 + Math.exp(logDropoutOdds(p, x, tx, T)));
}

function logDropoutOdds(p: BgnbdParameters, x: number, tx: number, T: number): number {
  return Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
}

const SERIES_EPSILON = 1e-15;
const SERIES_MAX_TERMS = 1_000_000;

/**
 * E[Y(t) | x, t_x, T]: expected repeat purchases in the next t (FHL 2005, eq. 10).
 *
 * The paper's form (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^{r+x} 2F1(r+x, b+x; a+b+x-1; z)] has a
 * removable pole at a = 1 and a 2F1 whose parameters grow with x (slow, overflowing series for
 * frequent customers). Euler's transformation gives 2F1(a+b-1-r, a-1; a+b+x-1; z), whose
 * parameters do not grow with x; writing it as 1 + (a-1)·S splits out the pole:
 *   E = (a+b+x-1) · [ (1 - (1-z)^{a-1}) / (a-1) - (1-z)^{a-1} S ] / (1 + dropout odds)
 * with z = t/(α+T+t) and S = Σ_{n>=1} (a+b-1-r)_n (a)_{n-1} z^n / ((a+b+x-1)_n n!).
 */
export function bgnbdConditionalExpectedPurchases(
  p: BgnbdParameters,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  if (t <= 0) return 0;
  return Math.max(0, bgnbdExpectedPurchasesIfAlive(p, t, x, T) * bgnbdProbabilityAlive(p, x, tx, T));
}

/**
 * The factor of E[Y(t) | x, t_x, T] without t_x: (a+b+x-1) · [...] above, which E multiplies by
 * P(alive | x, t_x, T). It holds the series, and customers sharing x and T share it (see
 * cumulativeExpectations). t > 0.
 */
export function bgnbdExpectedPurchasesIfAlive(p: BgnbdParameters, t: number, x: number, T: number): number {
  const { r, alpha, a, b } = p;
  const c = a + b + x - 1;
  const z = t / (alpha + T + t);
  const logOneMinusZ = -Math.log1p(t / (alpha + T));
  const upper = a + b - 1 - r;
  // Each series' terms climb to about e^(growth) before they fall: Euler's form grows with a, the
  // paper's with x. A fit where hardly anyone seems to drop out sends a and b to 1e14 and more:
  // Euler's terms then overflowed to Infinity, times (1-z)^(a-1) = 0, and every prediction was NaN.
  const growthEuler = (a * z * upper) / c;
  const growthPaper = ((r + x) * z * (b + x)) / c;
  if (growthEuler > EULER_GROWTH_LIMIT && growthPaper < growthEuler && Math.abs(a - 1) > 1e-6)
    return (c / (a - 1)) * -Math.expm1((r + x) * logOneMinusZ + logHypergeometric(r + x, b + x, c, z));
  const first = oneMinusExpOver(a - 1, logOneMinusZ);
  let term = (upper * z) / c;
  let series = term;
  for (let n = 1; n < SERIES_MAX_TERMS; n++) {
    term *= ((upper + n) * (a + n - 1) * z) / ((c + n) * (n + 1));
    series += term;
    if (Math.abs(term) <= SERIES_EPSILON * Math.abs(series)) break;
  }
  const bracket = first - Math.exp((a - 1) * logOneMinusZ) * series;
  return c * bracket;
}

/**
 * ln 2F1(a, b; c; z) for 0 <= z < 1 and positive parameters, by its series, rescaled as it goes so
 * that terms past a double's range (a frequent customer's) still sum.
 */
function logHypergeometric(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  let logScale = 0;
  for (let n = 0; n < SERIES_MAX_TERMS; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (sum > RESCALE_ABOVE) {
      sum /= RESCALE_ABOVE;
      term /= RESCALE_ABOVE;
      logScale += LOG_RESCALE;
    }
    if (term <= SERIES_EPSILON * sum) break;
  }
  return Math.log(sum) + logScale;
}

/**
 * Past this growth Euler's form gives way to the paper's: well inside a double's range (terms near
 * e^50), so every fit of ordinary parameters keeps the form, and the digits, it always had.
 */
const EULER_GROWTH_LIMIT = 50;
const RESCALE_ABOVE = 1e200;
const LOG_RESCALE = Math.log(RESCALE_ABOVE);

/** E[X(t)] for a customer just acquired (FHL 2005, eq. 7): the conditional form at x = t_x = T = 0. */
export function bgnbdExpectedPurchasesNewCustomer(p: BgnbdParameters, t: number): number {
  return bgnbdConditionalExpectedPurchases(p, t, 0, 0, 0);
}
