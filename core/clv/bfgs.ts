/**
 * A small dense BFGS minimiser with a strong-Wolfe line search (Nocedal & Wright, algorithms
 * 3.5/3.6 and 6.1). Written by hand on purpose: there is no well-maintained npm optimiser with
 * quasi-Newton methods and user gradients, and the CLV models have only 3-4 parameters, so a
 * dense inverse-Hessian is both the simplest and the most robust choice.
 *
 * The objective returns a number (Infinity or NaN for "outside the domain") and writes its
 * gradient; non-finite values make the line search back off instead of failing.
 */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface BfgsOptions {
  maxIterations: number;
  /** Converged when the largest gradient component is below this. */
  gradientTolerance: number;
  /** Largest step in any coordinate per iteration (parameters live on a log scale). */
  maxStep: number;
}

export const DEFAULT_BFGS_OPTIONS: BfgsOptions = { maxIterations: 1000, gradientTolerance: 1e-9, maxStep: 5 };

export interface BfgsResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

const C1 = 1e-4;
const C2 = 0.9;
/** Below this gradient size a stalled line search still counts as converged (rounding floor). */
const STALL_GRADIENT = 1e-6;
/** Trial steps a zoom makes before it takes the best decrease it has. */
const ZOOM_ATTEMPTS = 60;
/**
 * A step whose first-order decrease, -gᵀd for the first trial step, is below this share of |f|
 * may not be told from rounding by comparing values: a likelihood summed over a million customers
 * is uncertain in about its 12th digit. Near such an optimum the line search's zoom used to bisect
 * 40 to 60 times per iteration, finding noise (at 1M customers 40-46 evaluations an iteration at
 * gradients of 1e-7 to 1e-6, half of the fits' evaluations). Such a search's zoom gets a few
 * evaluations, then takes the best decrease it found, as any zoom that runs out does. Only the zoom:
 * the first-order estimate is wrong along a flat direction the inverse Hessian does not know yet
 * (the first iteration, after a restart), where the search must still expand the step, and an
 * exhausted zoom never ends the fit.
 */
const RESOLVABLE_DECREASE = 1e-11;
const UNRESOLVED_ZOOM_EVALUATIONS = 8;

export function minimizeBfgs(
  objective: Objective,
  start: Float64Array,
  options: Partial<BfgsOptions> = {},
): BfgsResult {
  const { maxIterations, gradientTolerance, maxStep } = { ...DEFAULT_BFGS_OPTIONS, ...options };
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: Float64Array, g: Float64Array): number => {
    evaluations++;
    const value = objective(x, g);
    return Number.isFinite(value) && g.every(Number.isFinite) ? value : Number.POSITIVE_INFINITY;
  };

  let x: Float64Array = Float64Array.from(start);
  let g: Float64Array = new Float64Array(n);
  let f = evaluate(x, g);
  if (!Number.isFinite(f)) {
    return {
      x,
      value: f,
      gradient: g,
      iterations: 0,
      evaluations,
      converged: false,
      message: 'objective is not finite at the start',
    };
  }
  const inverseHessian = identity(n);
  let firstStep = true;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(g) < gradientTolerance) {
      return {
        x,
        value: f,
        gradient: g,
        iterations: iteration,
        evaluations,
        converged: true,
        message: 'gradient below tolerance',
      };
    }
    let direction = multiply(inverseHessian, g, -1);
    if (dot(direction, g) >= 0) {
      // Lost positive definiteness (rounding): restart from steepest descent.
      resetToIdentity(inverseHessian);
      direction = g.map((v) => -v);
    }
    const longest = maxAbs(direction);
    const initialStep = longest > maxStep ? maxStep / longest : 1;
    const unresolved = -dot(direction, g) * initialStep < RESOLVABLE_DECREASE * Math.max(1, Math.abs(f));
    const search = wolfeLineSearch(
      evaluate,
      x,
      f,
      g,
      direction,
      initialStep,
      unresolved ? UNRESOLVED_ZOOM_EVALUATIONS : ZOOM_ATTEMPTS,
    );
    if (!search) {
      const flat = maxAbs(g) < STALL_GRADIENT;
      return {
        x,
        value: f,
        gradient: g,
        iterations: iteration,
        evaluations,
        converged: flat,
        message: flat ? 'no further decrease possible at rounding precision' : 'line search failed',
      };
    }
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = search.x[i]! - x[i]!;
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = search.gradient[i]! - g[i]!;
    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (firstStep) {
        // Scale the initial Hessian guess to the observed curvature (N&W eq. 6.20).
        const scale = sy / dot(y, y);
        resetToIdentity(inverseHessian, scale);
        firstStep = false;
      }
      updateInverseHessian(inverseHessian, s, y, sy);
    }
    x = search.x;
    g = search.gradient;
    f = search.value;
  }
  return {
    x,
    value: f,
    gradient: g,
    iterations: maxIterations,
    evaluations,
    converged: maxAbs(g) < gradientTolerance,
    message: 'iteration limit reached',
  };
}

interface LinePoint {
  step: number;
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  slope: number;
}

function wolfeLineSearch(
  evaluate: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  f0: number,
  g0: Float64Array,
  direction: Float64Array,
  initialStep: number,
  /** Evaluations the zoom may make. */
  zoomAttempts: number,
): LinePoint | null {
  const slope0 = dot(g0, direction);
  const at = (step: number): LinePoint => {
    const x = new Float64Array(x0.length);
    for (let i = 0; i < x.length; i++) x[i] = x0[i]! + step * direction[i]!;
    const gradient = new Float64Array(x0.length);
    const value = evaluate(x, gradient);
    return {
      step,
      x,
      value,
      gradient,
      slope: Number.isFinite(value) ? dot(gradient, direction) : Number.NaN,
    };
  };
  let previous: LinePoint = { step: 0, x: x0, value: f0, gradient: g0, slope: slope0 };
  let step = initialStep;
  for (let attempt = 0; attempt < 60; attempt++) {
    const current = at(step);
    if (!Number.isFinite(current.value)) {
      // Outside the domain (overflow): shrink towards the last good point.
      step = previous.step + (step - previous.step) * 0.25;
      continue;
    }
    if (current.value > f0 + C1 * step * slope0 || (attempt > 0 && current.value >= previous.value)) {
      return zoom(at, zoomAttempts, previous, current, f0, slope0);
    }
    if (Math.abs(current.slope) <= -C2 * slope0) return current;
    if (current.slope >= 0) return zoom(at, zoomAttempts, current, previous, f0, slope0);
    previous = current;
    step *= 2;
  }
  return null;
}

function zoom(
  at: (step: number) => LinePoint,
  attempts: number,
  lowIn: LinePoint,
  highIn: LinePoint,
  f0: number,
  slope0: number,
): LinePoint | null {
  let low = lowIn;
  let high = highIn;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const step = interpolate(low, high);
    const current = at(step);
    if (
      !Number.isFinite(current.value) ||
      current.value > f0 + C1 * step * slope0 ||
      current.value >= low.value
    ) {
      high = current;
    } else {
      if (Math.abs(current.slope) <= -C2 * slope0) return current;
      if (current.slope * (high.step - low.step) >= 0) high = low;
      low = current;
    }
    if (Math.abs(high.step - low.step) < 1e-16 * Math.max(1, Math.abs(low.step))) break;
  }
  // Accept any decrease rather than give up: BFGS skips the update when curvature is missing.
  return low.step > 0 && low.value < f0 ? low : null;
}

/** Cubic interpolation between two bracketing points, safeguarded into the middle of the bracket. */
function interpolate(low: LinePoint, high: LinePoint): number {
  const lo = Math.min(low.step, high.step);
  const hi = Math.max(low.step, high.step);
  const width = hi - lo;
  if (Number.isFinite(high.value) && Number.isFinite(high.slope)) {
    const d1 = low.slope + high.slope - (3 * (low.value - high.value)) / (low.step - high.step);
    const radicand = d1 * d1 - low.slope * high.slope;
    if (radicand >= 0) {
      const d2 = Math.sign(high.step - low.step) * Math.sqrt(radicand);
      const step =
        high.step - (high.step - low.step) * ((high.slope + d2 - d1) / (high.slope - low.slope + 2 * d2));
      if (Number.isFinite(step) && step > lo + 0.1 * width && step < hi - 0.1 * width) return step;
    }
  }
  return 0.5 * (lo + hi);
}

function updateInverseHessian(h: Float64Array[], s: Float64Array, y: Float64Array, sy: number): void {
  // H+ = (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ, expanded.
  const rho = 1 / sy;
  const hy = multiply(h, y, 1);
  const yhy = dot(y, hy);
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const row = h[i]!;
    for (let j = 0; j < n; j++) {
      row[j] = row[j]! - rho * (hy[i]! * s[j]! + s[i]! * hy[j]!) + (rho * rho * yhy + rho) * s[i]! * s[j]!;
    }
  }
}

function identity(n: number): Float64Array[] {
  const rows = Array.from({ length: n }, () => new Float64Array(n));
  resetToIdentity(rows);
  return rows;
}

function resetToIdentity(rows: Float64Array[], scale = 1): void {
  rows.forEach((row, i) => {
    row.fill(0);
    row[i] = scale;
  });
}

function multiply(matrix: Float64Array[], vector: Float64Array, factor: number): Float64Array {
  const out = new Float64Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = factor * dot(matrix[i]!, vector);
  return out;
}

function dot(u: Float64Array, v: Float64Array): number {
  let total = 0;
  for (let i = 0; i < u.length; i++) total += u[i]! * v[i]!;
  return total;
}

function maxAbs(v: Float64Array): number {
  let largest = 0;
  for (const value of v) largest = Math.max(largest, Math.abs(value));
  return largest;
}
