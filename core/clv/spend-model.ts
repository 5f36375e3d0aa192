import { collapseSpend } from './collapse.ts';
import { fitGammaGamma, type GammaGammaFit } from './gamma-gamma.ts';

/** Outcome of trying to fit Gamma-Gamma: the fit, or a plain-words reason why there is none. */
export type SpendModelOutcome =
  | { fitted: true; fit: GammaGammaFit; customers: number }
  | { fitted: false; reason: string; customers: number };

/** Relative spread below which all customers are taken to spend the same per purchase. */
const MIN_COEFFICIENT_OF_VARIATION = 1e-6;

/**
 * Fits Gamma-Gamma on repeat customers with a positive average spend, unless the data cannot
 * support it: too few such customers, or no variation in spend (the likelihood then has no
 * maximum: q and gamma run off to infinity). Never throws.
 */
export function fitSpendModel(
  frequency: Float64Array,
  monetary: Float64Array,
  options: { minRepeatCustomers: number; penalizer: number; starts: number },
): SpendModelOutcome {
  const usable = (i: number): boolean =>
    frequency[i]! > 0 && monetary[i]! > 0 && Number.isFinite(monetary[i]!);
  let count = 0;
  let mean = 0;
  let squares = 0;
  for (let i = 0; i < frequency.length; i++) {
    if (!usable(i)) continue;
    count++;
    const delta = monetary[i]! - mean;
    mean += delta / count;
    squares += delta * (monetary[i]! - mean);
  }
  if (count < options.minRepeatCustomers) {
    return {
      fitted: false,
      customers: count,
      reason: `only ${count} repeat customers with a positive spend (at least ${options.minRepeatCustomers} needed): Gamma-Gamma not fitted, the formula CLV stands`,
    };
  }
  const deviation = Math.sqrt(squares / count);
  if (deviation <= MIN_COEFFICIENT_OF_VARIATION * mean) {
    return {
      fitted: false,
      customers: count,
      reason:
        'every repeat customer spends the same per purchase, so spend heterogeneity cannot be estimated: Gamma-Gamma not fitted, the formula CLV stands',
    };
  }
  const fit = fitGammaGamma(collapseSpend(frequency, monetary, usable), options);
  if (!fit.params.every(Number.isFinite)) {
    return {
      fitted: false,
      customers: count,
      reason: `Gamma-Gamma could not be fitted: ${fit.notes.join('; ')}`,
    };
  }
  if (fit.parameters.q <= 1) {
    return {
      fitted: false,
      customers: count,
      reason: `Gamma-Gamma gave q = ${fit.parameters.q.toFixed(3)} <= 1, which means an infinite expected spend: not used, the formula CLV stands`,
    };
  }
  return { fitted: true, fit, customers: count };
}
