/**
 * Special functions the CLV likelihoods need, in plain float64.
 * Math has no log-gamma or digamma, and an npm dependency for two short, well-known
 * approximations is not worth it.
 */

// Lanczos approximation, g = 7, n = 9 (Numerical Recipes / Godfrey coefficients): ~1e-15 relative.
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (reflection for x < 0.5 keeps precision near zero). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const shifted = x - 1;
  let series = LANCZOS_COEFFICIENTS[0]!;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) series += LANCZOS_COEFFICIENTS[i]! / (shifted + i);
  const t = shifted + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (shifted + 0.5) * Math.log(t) - t + Math.log(series);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * ψ(x) = d/dx ln Γ(x) for x > 0: recurrence up to x >= 10, then the asymptotic series,
 * which from 10 on is accurate to ~1e-14.
 */
export function digamma(x: number): number {
  let result = 0;
  let value = x;
  while (value < 10) {
    result -= 1 / value;
    value += 1;
  }
  const inv = 1 / value;
  const inv2 = inv * inv;
  result +=
    Math.log(value) -
    0.5 * inv -
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))));
  return result;
}

/** ln(e^u + e^v) without overflow. */
export function logAddExp(u: number, v: number): number {
  if (u === Number.NEGATIVE_INFINITY) return v;
  if (v === Number.NEGATIVE_INFINITY) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/**
 * (1 - e^{y·c}) / c with its limit -y at c = 0: the "(1 - ratio^c) / c" shape that appears
 * in BG/NBD and Pareto/NBD expectations, where c = a - 1 or s - 1 may be (nearly) zero.
 */
export function oneMinusExpOver(c: number, y: number): number {
  const product = c * y;
  if (Math.abs(product) < 1e-6) return -y * (1 + product / 2 + (product * product) / 6);
  return -Math.expm1(product) / c;
}
