import { logTailIntegral } from './hypergeometric.ts';
import { type IndexedValues, indexValues } from './indexed-values.ts';
import type { WeightedRfm } from './rfm-types.ts';
import { logGamma } from './special-functions.ts';

/** Pareto/NBD parameters (Schmittlein, Morrison & Colombo 1987): λ ~ Gamma(r, α), μ ~ Gamma(s, β). */
export interface ParetoNbdParameters {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

/**
 * The per-customer likelihood, rewritten so that it is a sum of positive terms:
 *   L = Γ(r+x) α^r β^s / Γ(r) · [ (r+x) J(α, r+x+1; β, s; T) + s J(α, r+x; β, s+1; t_x) ]
 * with J(A, P; B, Q; τ) = ∫_τ^∞ (A+u)^{-P} (B+u)^{-Q} du.
 *
 * Why: the textbook form 1/((α+T)^{r+x}(β+T)^s) + s/(r+s+x) · [A0(t_x) - A0(T)] subtracts two
 * nearly equal 2F1 terms and overflows for frequent, long-lived customers. Since the "alive at T"
 * term equals (r+x) J(..., T) + s J(..., T) (integrate its derivative), the difference disappears
 * and each J is a well-conditioned 2F1(1, P; P+Q; z) with z in [0, 1) (see hypergeometric.ts).
 */
export function paretoNbdLogLikelihoodOne(p: ParetoNbdParameters, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  return (
    logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + s * Math.log(beta) + logDenominator(p, x, tx, T)
  );
}

/** ln[(r+x) J(α, r+x+1; β, s; T) + s J(α, r+x; β, s+1; t_x)]. */
export function logDenominator(p: ParetoNbdParameters, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const aliveTerm = Math.log(r + x) + logTailIntegral(alpha, r + x + 1, beta, s, T);
  const diedTerm = Math.log(s) + logTailIntegral(alpha, r + x, beta, s + 1, tx);
  const larger = Math.max(aliveTerm, diedTerm);
  return larger + Math.log(Math.exp(aliveTerm - larger) + Math.exp(diedTerm - larger));
}

export interface ParetoNbdData {
  rows: WeightedRfm;
  frequencies: IndexedValues;
  totalWeight: number;
}

export function prepareParetoNbdData(rows: WeightedRfm): ParetoNbdData {
  let totalWeight = 0;
  for (const w of rows.weight) totalWeight += w;
  return { rows, frequencies: indexValues(rows.frequency), totalWeight };
}

/** Weighted total log-likelihood. Γ-terms are computed once per distinct x. */
export function paretoNbdLogLikelihood(data: ParetoNbdData, p: ParetoNbdParameters): number {
  const { rows, frequencies, totalWeight } = data;
  const logGammaR = logGamma(p.r);
  const perFrequency = new Float64Array(frequencies.values.length);
  for (let g = 0; g < perFrequency.length; g++)
    perFrequency[g] = logGamma(p.r + frequencies.values[g]!) - logGammaR;
  let ll = totalWeight * (p.r * Math.log(p.alpha) + p.s * Math.log(p.beta));
  for (let i = 0; i < rows.weight.length; i++) {
    const w = rows.weight[i]!;
    ll +=
      w *
      (perFrequency[frequencies.indexOfRow[i]!]! +
        logDenominator(p, rows.frequency[i]!, rows.recency[i]!, rows.age[i]!));
  }
  return ll;
}
