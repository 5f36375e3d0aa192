import {
  type BgnbdData,
  type BgnbdParameters,
  bgnbdLogLikelihood,
  prepareBgnbdData,
} from './bgnbd-likelihood.ts';
import { type FitOutcome, fitPositiveModel, type PositiveModel } from './fit-log-scale.ts';
import type { WeightedRfm } from './rfm-types.ts';

export const BGNBD_PARAMETER_NAMES = ['r', 'alpha', 'a', 'b'] as const;

export interface BgnbdFit extends FitOutcome {
  parameters: BgnbdParameters;
}

export function bgnbdModel(data: BgnbdData): PositiveModel {
  return {
    names: BGNBD_PARAMETER_NAMES,
    totalWeight: data.totalWeight,
    logLikelihood: (params, gradient) => bgnbdLogLikelihood(data, toBgnbdParameters(params), gradient),
  };
}

export function toBgnbdParameters(params: ArrayLike<number>): BgnbdParameters {
  return { r: params[0]!, alpha: params[1]!, a: params[2]!, b: params[3]! };
}

/**
 * Deterministic starting points: the purchase rate r/alpha matched to the observed repeat rate,
 * with a moderate and two more extreme dropout mixes. Several starts guard against the flat
 * ridges BG/NBD likelihoods have on real data; the best optimum wins.
 */
export function bgnbdStartingPoints(rows: WeightedRfm, count: number): Float64Array[] {
  let purchases = 0;
  let exposure = 0;
  for (let i = 0; i < rows.weight.length; i++) {
    purchases += rows.weight[i]! * rows.frequency[i]!;
    exposure += rows.weight[i]! * rows.age[i]!;
  }
  const rate = purchases > 0 && exposure > 0 ? purchases / exposure : 0.1;
  const candidates = [
    [1, 1 / rate, 1, 3],
    [0.3, 0.3 / rate, 0.5, 5],
    [3, 3 / rate, 3, 1],
  ];
  return candidates.slice(0, Math.max(1, count)).map((c) => Float64Array.from(c));
}

export function fitBgnbd(rows: WeightedRfm, options: { penalizer: number; starts: number }): BgnbdFit {
  const data = prepareBgnbdData(rows);
  const outcome = fitPositiveModel(bgnbdModel(data), {
    starts: bgnbdStartingPoints(rows, options.starts),
    penalizer: options.penalizer,
  });
  return { ...outcome, parameters: toBgnbdParameters(outcome.params) };
}
