import { type FitOutcome, fitPositiveModel, type PositiveModel } from './fit-log-scale.ts';
import { type IndexedValues, indexValues } from './indexed-values.ts';
import type { WeightedSpend } from './rfm-types.ts';
import { digamma, logGamma } from './special-functions.ts';

/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Hardie's note 025):
 * purchase values ~ Gamma(p, ν), ν ~ Gamma(q, γ) across customers, independent of purchasing.
 * Fitted on repeat customers only (x >= 1, positive average spend m_x).
 */
export interface GammaGammaParameters {
  p: number;
  q: number;
  gamma: number;
}

export const GAMMA_GAMMA_PARAMETER_NAMES = ['p', 'q', 'gamma'] as const;

export interface GammaGammaData {
  rows: WeightedSpend;
  frequencies: IndexedValues;
  /** Per distinct x: total weight and Σ weight · ln m. */
  weightOf: Float64Array;
  logSpendOf: Float64Array;
  totalWeight: number;
}

export function prepareGammaGammaData(rows: WeightedSpend): GammaGammaData {
  const frequencies = indexValues(rows.frequency);
  const weightOf = new Float64Array(frequencies.values.length);
  const logSpendOf = new Float64Array(frequencies.values.length);
  let totalWeight = 0;
  for (let i = 0; i < rows.weight.length; i++) {
    const w = rows.weight[i]!;
    const g = frequencies.indexOfRow[i]!;
    weightOf[g]! += w;
    logSpendOf[g]! += w * Math.log(rows.monetary[i]!);
    totalWeight += w;
  }
  return { rows, frequencies, weightOf, logSpendOf, totalWeight };
}

/**
 * Σ w ln f(m_x | x), f = Γ(px+q)/(Γ(px)Γ(q)) γ^q m^{px-1} x^{px} / (γ + m x)^{px+q}, and its
 * gradient in (p, q, γ). Gamma-function terms depend on x only and are computed per distinct x;
 * per row only ln(γ + m x) remains.
 */
export function gammaGammaLogLikelihood(
  data: GammaGammaData,
  params: GammaGammaParameters,
  gradient?: Float64Array,
): number {
  const { p, q, gamma } = params;
  const { rows, frequencies, weightOf, logSpendOf } = data;
  const logGammaQ = logGamma(q);
  const digammaQ = digamma(q);
  const logScale = Math.log(gamma);
  let ll = 0;
  let dP = 0;
  let dQ = 0;
  let dGamma = 0;
  for (let g = 0; g < frequencies.values.length; g++) {
    const x = frequencies.values[g]!;
    const w = weightOf[g]!;
    const px = p * x;
    const logX = Math.log(x);
    ll +=
      w * (logGamma(px + q) - logGamma(px) - logGammaQ + q * logScale + px * logX) +
      (px - 1) * logSpendOf[g]!;
    const psiSum = digamma(px + q);
    dP += x * (w * (psiSum - digamma(px) + logX) + logSpendOf[g]!);
    dQ += w * (psiSum - digammaQ + logScale);
    dGamma += (w * q) / gamma;
  }
  for (let i = 0; i < rows.weight.length; i++) {
    const w = rows.weight[i]!;
    const x = rows.frequency[i]!;
    const shifted = gamma + rows.monetary[i]! * x;
    const logShifted = Math.log(shifted);
    const shape = p * x + q;
    ll -= w * shape * logShifted;
    dP -= w * x * logShifted;
    dQ -= w * logShifted;
    dGamma -= (w * shape) / shifted;
  }
  if (gradient) {
    gradient[0] = dP;
    gradient[1] = dQ;
    gradient[2] = dGamma;
  }
  return ll;
}

export function gammaGammaModel(data: GammaGammaData): PositiveModel {
  return {
    names: GAMMA_GAMMA_PARAMETER_NAMES,
    totalWeight: data.totalWeight,
    logLikelihood: (params, gradient) =>
      gammaGammaLogLikelihood(data, { p: params[0]!, q: params[1]!, gamma: params[2]! }, gradient),
  };
}

/**
 * Starts from the method of moments: the population mean spend is pγ/(q-1); p is spread over a
 * few shapes, q > 1 so that the mean exists.
 */
export function gammaGammaStartingPoints(rows: WeightedSpend, count: number): Float64Array[] {
  let total = 0;
  let weight = 0;
  for (let i = 0; i < rows.weight.length; i++) {
    total += rows.weight[i]! * rows.monetary[i]!;
    weight += rows.weight[i]!;
  }
  const mean = weight > 0 ? total / weight : 1;
  const candidates = [
    [2, 3, mean],
    [6, 4, mean / 2],
    [1, 2, mean],
  ];
  return candidates.slice(0, Math.max(1, count)).map((c) => Float64Array.from(c));
}

export interface GammaGammaFit extends FitOutcome {
  parameters: GammaGammaParameters;
}

export function fitGammaGamma(
  rows: WeightedSpend,
  options: { penalizer: number; starts: number },
): GammaGammaFit {
  const data = prepareGammaGammaData(rows);
  const outcome = fitPositiveModel(gammaGammaModel(data), {
    starts: gammaGammaStartingPoints(rows, options.starts),
    penalizer: options.penalizer,
  });
  const [p, q, gamma] = outcome.params;
  return { ...outcome, parameters: { p: p!, q: q!, gamma: gamma! } };
}

/**
 * E[M | x, m_x] = (p(γ + x m_x)) / (px + q - 1): a credibility-weighted mix of the population
 * mean pγ/(q-1) and the customer's own average. Needs q > 1 (otherwise the mean spend is infinite).
 * A customer whose repeat purchases average no positive spend (credit notes, refunds booked as
 * negative revenue) is outside the model, whose spend is positive (the fit leaves them out): they
 * are valued at the population's mean, as a customer without repeat purchases, not at the
 * negative spend the formula would give them.
 */
export function gammaGammaExpectedSpend(params: GammaGammaParameters, x: number, monetary: number): number {
  const { p, q, gamma } = params;
  const spendX = spendFrequency(x, monetary);
  return (p * (gamma + spendX * monetary)) / (p * spendX + q - 1);
}

/** The repeat purchases the spend is weighted by: none for a customer without positive spend. */
export function spendFrequency(x: number, monetary: number): number {
  return monetary > 0 ? x : 0;
}
