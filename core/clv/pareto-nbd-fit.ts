import { type FitOutcome, fitPositiveModel, numericGradient, type PositiveModel } from './fit-log-scale.ts';
import {
  type ParetoNbdData,
  type ParetoNbdParameters,
  paretoNbdLogLikelihood,
  prepareParetoNbdData,
} from './pareto-nbd-likelihood.ts';
import type { WeightedRfm } from './rfm-types.ts';

export const PARETO_NBD_PARAMETER_NAMES = ['r', 'alpha', 's', 'beta'] as const;

export interface ParetoNbdFit extends FitOutcome {
  parameters: ParetoNbdParameters;
}

export const toParetoNbdParameters = (v: ArrayLike<number>): ParetoNbdParameters => ({
  r: v[0]!,
  alpha: v[1]!,
  s: v[2]!,
  beta: v[3]!,
});

/**
 * The gradient is numeric (central differences on the log scale): differentiating 2F1 with
 * respect to its parameters has no cheap closed form. The test suite checks it against a
 * Richardson-extrapolated difference.
 */
export function paretoNbdModel(data: ParetoNbdData): PositiveModel {
  const f = (params: Float64Array): number => paretoNbdLogLikelihood(data, toParetoNbdParameters(params));
  return {
    names: PARETO_NBD_PARAMETER_NAMES,
    totalWeight: data.totalWeight,
    logLikelihood: (params, gradient) => numericGradient(f, params, gradient),
    logLikelihoodValue: f,
  };
}

export function paretoNbdStartingPoints(rows: WeightedRfm, count: number): Float64Array[] {
  let purchases = 0;
  let exposure = 0;
  for (let i = 0; i < rows.weight.length; i++) {
    purchases += rows.weight[i]! * rows.frequency[i]!;
    exposure += rows.weight[i]! * rows.age[i]!;
  }
  const rate = purchases > 0 && exposure > 0 ? purchases / exposure : 0.1;
  const meanAge = exposure > 0 ? exposure / rows.weight.reduce((a, b) => a + b, 0) : 10;
  const candidates = [
    [1, 1 / rate, 1, meanAge],
    [0.5, 0.5 / rate, 0.5, meanAge / 2],
    [2, 2 / rate, 2, 4 * meanAge],
  ];
  return candidates.slice(0, Math.max(1, count)).map((c) => Float64Array.from(c));
}

export function fitParetoNbd(
  rows: WeightedRfm,
  options: { penalizer: number; starts: number },
): ParetoNbdFit {
  const data = prepareParetoNbdData(rows);
  const outcome = fitPositiveModel(paretoNbdModel(data), {
    starts: paretoNbdStartingPoints(rows, options.starts),
    penalizer: options.penalizer,
    // Central differences carry ~1e-10 noise; asking for a tighter gradient would only stall.
    bfgs: { gradientTolerance: 1e-7 },
  });
  return { ...outcome, parameters: toParetoNbdParameters(outcome.params) };
}
