import { type IndexedValues, indexValues } from './indexed-values.ts';
import type { WeightedRfm } from './rfm-types.ts';

/** BG/NBD parameters (Fader, Hardie & Lee 2005): purchase rate ~ Gamma(r, alpha), dropout ~ Beta(a, b). */
export interface BgnbdParameters {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * Weighted (x, t_x, T) rows prepared for fast likelihood evaluation. Frequencies are whole
 * numbers, so every Gamma-function ratio in the likelihood is a finite product:
 * ln Γ(r+x) - ln Γ(r) = Σ_{k<x} ln(r+k). Summed over customers that is Σ_k ln(r+k) · (weight of
 * customers with x > k), costing O(max x) per evaluation instead of a log-gamma per row.
 */
export interface BgnbdData {
  rows: WeightedRfm;
  ages: IndexedValues;
  recencies: IndexedValues;
  /** weightAbove[k] = total weight of rows with x > k. */
  weightAbove: Float64Array;
  totalWeight: number;
  customers: number;
}

export function prepareBgnbdData(rows: WeightedRfm): BgnbdData {
  let maxFrequency = 0;
  let totalWeight = 0;
  for (let i = 0; i < rows.frequency.length; i++) {
    const x = rows.frequency[i]!;
    if (!Number.isInteger(x) || x < 0)
      throw new RangeError(`frequency must be a whole number >= 0, got ${x}`);
    if (x > maxFrequency) maxFrequency = x;
    totalWeight += rows.weight[i]!;
  }
  const countAt = new Float64Array(maxFrequency + 1);
  for (let i = 0; i < rows.frequency.length; i++) countAt[rows.frequency[i]!]! += rows.weight[i]!;
  const weightAbove = new Float64Array(maxFrequency);
  let running = 0;
  for (let k = maxFrequency; k >= 1; k--) {
    running += countAt[k]!;
    weightAbove[k - 1] = running;
  }
  return {
    rows,
    ages: indexValues(rows.age),
    recencies: indexValues(rows.recency),
    weightAbove,
    totalWeight,
    customers: totalWeight,
  };
}

/**
 * Total weighted log-likelihood and its gradient with respect to (r, alpha, a, b), written into
 * `gradient`. Per customer (FHL 2005, eq. 6, in logs):
 *   ln L = ln Γ(r+x) - ln Γ(r) + r ln α + ln B(a, b+x) - ln B(a, b)
 *          + ln[ (α+T)^{-(r+x)} + δ_{x>0} a/(b+x-1) (α+t_x)^{-(r+x)} ]
 * The bracket is a log-sum-exp of its two terms, so it never overflows.
 */
export function bgnbdLogLikelihood(data: BgnbdData, p: BgnbdParameters, gradient?: Float64Array): number {
  const { r, alpha, a, b } = p;
  const { rows, ages, recencies, weightAbove, totalWeight } = data;

  // Frequency-only terms: Σ_k weightAbove[k] · [ln(r+k) + ln(b+k) - ln(a+b+k)].
  let logLikelihood = totalWeight * r * Math.log(alpha);
  let dR = totalWeight * Math.log(alpha);
  let dAlpha = (totalWeight * r) / alpha;
  let dA = 0;
  let dB = 0;
  for (let k = 0; k < weightAbove.length; k++) {
    const w = weightAbove[k]!;
    logLikelihood += w * (Math.log(r + k) + Math.log(b + k) - Math.log(a + b + k));
    const inverseAb = 1 / (a + b + k);
    dR += w / (r + k);
    dA -= w * inverseAb;
    dB += w * (1 / (b + k) - inverseAb);
  }

  // Per distinct age / recency / frequency: logs and reciprocals, so the row loop below needs
  // only one exp and one log1p per row.
  const logAge = mapShifted(ages.values, alpha, Math.log);
  const inverseAge = mapShifted(ages.values, alpha, reciprocal);
  const logRecency = mapShifted(recencies.values, alpha, Math.log);
  const inverseRecency = mapShifted(recencies.values, alpha, reciprocal);
  const inverseBx = new Float64Array(weightAbove.length + 1);
  const logDropWeight = new Float64Array(weightAbove.length + 1);
  const logA = Math.log(a);
  for (let x = 1; x < inverseBx.length; x++) {
    inverseBx[x] = 1 / (b + x - 1);
    logDropWeight[x] = logA - Math.log(b + x - 1);
  }
  const { frequency, weight } = rows;
  const ageOfRow = ages.indexOfRow;
  const recencyOfRow = recencies.indexOfRow;
  const count = frequency.length;
  let droppedWeight = 0;
  for (let i = 0; i < count; i++) {
    const x = frequency[i]!;
    const w = weight[i]!;
    const rx = r + x;
    const iAge = ageOfRow[i]!;
    const logA_T = logAge[iAge]!;
    const aliveTerm = -rx * logA_T;
    if (x === 0) {
      logLikelihood += w * aliveTerm;
      dR -= w * logA_T;
      dAlpha -= w * rx * inverseAge[iAge]!;
      continue;
    }
    const iRecency = recencyOfRow[i]!;
    const logA_tx = logRecency[iRecency]!;
    // ln(e^alive + e^dropped) = alive + softplus(d), d = dropped - alive; share of dropped = sigmoid(d).
    const d = logDropWeight[x]! - rx * logA_tx - aliveTerm;
    let softplus: number;
    let shareDropped: number;
    if (d > 0) {
      const e = Math.exp(-d);
      softplus = d + Math.log1p(e);
      shareDropped = 1 / (1 + e);
    } else {
      const e = Math.exp(d);
      softplus = Math.log1p(e);
      shareDropped = e / (1 + e);
    }
    const shareAlive = 1 - shareDropped;
    logLikelihood += w * (aliveTerm + softplus);
    dR -= w * (shareAlive * logA_T + shareDropped * logA_tx);
    dAlpha -= w * rx * (shareAlive * inverseAge[iAge]! + shareDropped * inverseRecency[iRecency]!);
    droppedWeight += w * shareDropped;
    dB -= w * shareDropped * inverseBx[x]!;
  }
  dA += droppedWeight / a;
  if (gradient) {
    gradient[0] = dR;
    gradient[1] = dAlpha;
    gradient[2] = dA;
    gradient[3] = dB;
  }
  return logLikelihood;
}

const reciprocal = (v: number): number => 1 / v;

function mapShifted(values: Float64Array, shift: number, f: (v: number) => number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f(shift + values[i]!);
  return out;
}
