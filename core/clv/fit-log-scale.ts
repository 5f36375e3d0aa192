import { type BfgsOptions, minimizeBfgs } from './bfgs.ts';
import { standardErrors, standardErrorsFromGradient } from './standard-errors.ts';

/**
 * Maximum likelihood for models whose parameters are all positive: the optimiser works on
 * θ = ln(parameter), so every step stays inside the domain and parameters of very different
 * scales (alpha in weeks vs r near 0.2) are equally easy to move.
 */
export interface PositiveModel {
  names: readonly string[];
  /** Weighted total log-likelihood; writes d LL / d parameter into `gradient` when given. */
  logLikelihood(params: Float64Array, gradient: Float64Array): number;
  /** Number of customers behind the rows (the sum of weights). */
  totalWeight: number;
  /**
   * The log-likelihood alone, given by (and only by) models whose gradient is numeric: its
   * presence makes the standard errors difference values rather than the gradient, which would be
   * differencing a difference (see standardErrorsFromGradient).
   */
  logLikelihoodValue?(params: Float64Array): number;
}

export interface FitOptions {
  /** Starting points (natural scale); the best optimum over all starts wins. */
  starts: Float64Array[];
  /** L2 penalty on the parameters, as in lifetimes: mean(-LL) + penalizer · Σ parameter². */
  penalizer: number;
  bfgs?: Partial<BfgsOptions>;
}

export interface StartOutcome {
  params: Float64Array;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  message: string;
}

export interface FitOutcome {
  params: Float64Array;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  starts: StartOutcome[];
  notes: string[];
  /**
   * Standard error of each parameter from the observed information at the optimum (NaN when it is
   * not positive definite; see standard-errors.ts). With a penalizer they describe the plain
   * likelihood's curvature at the penalised estimate.
   */
  standardErrors: Float64Array;
  /** Their covariance (row-major n x n, natural scale); NaN entries when undefined. */
  covariance: Float64Array;
}

/** Parameters beyond e^±LOG_LIMIT are treated as outside the domain (they mean "ran off"). */
const LOG_LIMIT = 40;
/** A fitted parameter this far from 1 means the likelihood has no interior maximum. */
const RUNAWAY = 1e7;

export function fitPositiveModel(model: PositiveModel, options: FitOptions): FitOutcome {
  const n = model.names.length;
  const naturalGradient = new Float64Array(n);
  const params = new Float64Array(n);
  const scale = 1 / model.totalWeight;
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    for (let i = 0; i < n; i++) {
      if (Math.abs(theta[i]!) > LOG_LIMIT) return Number.POSITIVE_INFINITY;
      params[i] = Math.exp(theta[i]!);
    }
    const logLikelihood = model.logLikelihood(params, naturalGradient);
    let value = -logLikelihood * scale;
    for (let i = 0; i < n; i++) {
      const p = params[i]!;
      value += options.penalizer * p * p;
      // Chain rule for θ = ln p: dF/dθ = dF/dp · p.
      gradient[i] = (-naturalGradient[i]! * scale + 2 * options.penalizer * p) * p;
    }
    return value;
  };

  const outcomes: StartOutcome[] = [];
  let best: { theta: Float64Array; value: number; converged: boolean; iterations: number } | null = null;
  let evaluations = 0;
  let iterations = 0;
  for (const start of options.starts) {
    const result = minimizeBfgs(objective, start.map(Math.log), options.bfgs);
    evaluations += result.evaluations;
    iterations += result.iterations;
    const fitted = result.x.map(Math.exp);
    const logLikelihood = Number.isFinite(result.value)
      ? model.logLikelihood(fitted, new Float64Array(n))
      : Number.NaN;
    outcomes.push({
      params: fitted,
      logLikelihood,
      converged: result.converged,
      iterations: result.iterations,
      message: result.message,
    });
    if (Number.isFinite(result.value) && (best === null || result.value < best.value)) {
      best = {
        theta: result.x,
        value: result.value,
        converged: result.converged,
        iterations: result.iterations,
      };
    }
  }
  const notes: string[] = [];
  if (best === null) {
    return {
      params: new Float64Array(n).fill(Number.NaN),
      logLikelihood: Number.NaN,
      converged: false,
      iterations,
      evaluations,
      starts: outcomes,
      notes: ['the likelihood could not be evaluated at any starting point'],
      standardErrors: new Float64Array(n).fill(Number.NaN),
      covariance: new Float64Array(n * n).fill(Number.NaN),
    };
  }
  const fitted = best.theta.map(Math.exp);
  let converged = best.converged;
  const runaway = model.names.filter((_, i) => fitted[i]! > RUNAWAY || fitted[i]! < 1 / RUNAWAY);
  if (runaway.length > 0) {
    converged = false;
    notes.push(
      `${runaway.join(', ')} ran off towards the boundary: the data do not pin the model down (try a penalizer)`,
    );
  }
  const bestLogLikelihood = model.logLikelihood(fitted, new Float64Array(n));
  const flat = outcomes.some(
    (o) =>
      o.converged &&
      Math.abs(o.logLikelihood - bestLogLikelihood) < 1e-6 * Math.abs(bestLogLikelihood) &&
      o.params.some((v, i) => Math.abs(v / fitted[i]! - 1) > 0.01),
  );
  if (flat)
    notes.push(
      'the likelihood is flat near the optimum: different starts reach different parameters with the same fit',
    );
  if (!best.converged) notes.push('the optimiser stopped before meeting its convergence test');
  // A numeric gradient is not differenced again: those models (logLikelihoodValue) take values.
  const errors = model.logLikelihoodValue
    ? standardErrors(model.logLikelihoodValue, fitted)
    : standardErrorsFromGradient((p, gradient) => model.logLikelihood(p, gradient), fitted);
  if (errors.note && runaway.length === 0) notes.push(errors.note);
  return {
    params: fitted,
    logLikelihood: bestLogLikelihood,
    converged,
    iterations,
    evaluations,
    starts: outcomes,
    notes,
    standardErrors: errors.standardErrors,
    covariance: errors.covariance,
  };
}

/**
 * Central-difference gradient on the log scale, for likelihoods whose analytic gradient is
 * impractical (Pareto/NBD through 2F1). Step ~ cube root of machine epsilon balances truncation
 * against rounding; tests compare it with a Richardson-extrapolated reference.
 */
export function numericGradient(
  f: (params: Float64Array) => number,
  params: Float64Array,
  gradient: Float64Array,
): number {
  const value = f(params);
  const h = 6e-6;
  const probe = Float64Array.from(params);
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    probe[i] = p * Math.exp(h);
    const up = f(probe);
    probe[i] = p * Math.exp(-h);
    const down = f(probe);
    probe[i] = p;
    // d f / d ln p = p · d f / d p
    gradient[i] = (up - down) / (2 * h) / p;
  }
  return value;
}
