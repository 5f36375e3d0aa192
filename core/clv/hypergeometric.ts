/**
 * The Gaussian hypergeometric pieces the Pareto/NBD model needs.
 *
 * Pareto/NBD needs integrals J = ∫_τ^∞ (A+u)^{-P} (B+u)^{-Q} du. Written with the larger of A, B
 * as the base, J = (A+τ)^{-(P+Q-1)} / (P+Q-1) · ((B+τ)/(A+τ))^{1-Q} · 2F1(1, P; P+Q; z),
 * z = (A-B)/(A+τ) in [0, 1) (Euler's transformation of the textbook form). 2F1(1, P; P+Q; z) has
 * only positive terms, lies between 1 and (P+Q-1)/(Q-1) and is evaluated in logs, so nothing
 * overflows for large frequencies or long ages. Small z uses the power series; larger z uses
 * Gauss's continued fraction, which converges quickly where the series crawls (z -> 1).
 */

const SERIES_LIMIT = 0.5;
const EPSILON = 1e-15;
const MAX_TERMS = 100_000;

/** 2F1(1, b; c; z) for c > b > 0 and 0 <= z < 1. */
export function hyp2f1UnitA(b: number, c: number, z: number): number {
  if (z === 0) return 1;
  return z < SERIES_LIMIT ? seriesUnitA(b, c, z) : continuedFractionUnitA(b, c, z);
}

function seriesUnitA(b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_TERMS; n++) {
    term *= ((b + n) / (c + n)) * z;
    sum += term;
    if (term < EPSILON * sum) break;
  }
  return sum;
}

/**
 * Gauss's continued fraction for F(a+1, b; c+1; z) / F(a, b; c; z) with a = 0, i.e.
 * F(1, b; c'; z) with c = c' - 1, evaluated by the modified Lentz method.
 */
function continuedFractionUnitA(b: number, cPrime: number, z: number): number {
  const c = cPrime - 1;
  const q = cPrime - b; // c - b + 1
  const tiny = 1e-300;
  let f = 1;
  let lentzC = 1;
  let lentzD = 0;
  for (let j = 1; j < MAX_TERMS; j++) {
    const m = (j - 1) >> 1;
    const d =
      j % 2 === 1
        ? (-(c + m) * (b + m)) / ((c + 2 * m) * (c + 2 * m + 1))
        : (-(q + m) * (m + 1)) / ((c + 2 * m + 1) * (c + 2 * m + 2));
    const coefficient = d * z;
    lentzD = 1 + coefficient * lentzD;
    if (Math.abs(lentzD) < tiny) lentzD = tiny;
    lentzC = 1 + coefficient / lentzC;
    if (Math.abs(lentzC) < tiny) lentzC = tiny;
    lentzD = 1 / lentzD;
    const delta = lentzC * lentzD;
    f *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return 1 / f;
}

/**
 * ln ∫_τ^∞ (A+u)^{-P} (B+u)^{-Q} du for A, B, P, Q > 0, τ >= 0. The integral is symmetric in
 * (A, P) <-> (B, Q), so the larger base is chosen to keep z in [0, 1).
 */
export function logTailIntegral(A: number, P: number, B: number, Q: number, tau: number): number {
  if (A < B) return logTailIntegral(B, Q, A, P, tau);
  const order = P + Q - 1;
  const logBase = Math.log(A + tau);
  const logOther = Math.log(B + tau);
  const z = (A - B) / (A + tau);
  return (
    -order * logBase - Math.log(order) + (1 - Q) * (logOther - logBase) + Math.log(hyp2f1UnitA(P, P + Q, z))
  );
}
