import { indexValues } from './indexed-values.ts';
import type { RfmArrays, WeightedRfm, WeightedSpend } from './rfm-types.ts';

/**
 * Merges customers with identical (x, t_x, T) into one weighted row. Real exports have whole-day
 * dates, so a million customers collapse to far fewer distinct rows and every likelihood
 * evaluation gets proportionally cheaper; the likelihood is unchanged (a weighted sum).
 */
export function collapseRfm(rows: RfmArrays, include?: (index: number) => boolean): WeightedRfm {
  // Numeric keys (distinct-value indices combined into one integer) keep the Map fast; string
  // keys cost seconds on a million rows.
  const recencies = indexValues(rows.recency);
  const ages = indexValues(rows.age);
  const recencyCount = recencies.values.length;
  const ageCount = ages.values.length;
  const index = new Map<number, number>();
  const frequency: number[] = [];
  const recency: number[] = [];
  const age: number[] = [];
  const weight: number[] = [];
  const count = rows.frequency.length;
  for (let i = 0; i < count; i++) {
    if (include && !include(i)) continue;
    const x = rows.frequency[i]!;
    const key = (x * recencyCount + recencies.indexOfRow[i]!) * ageCount + ages.indexOfRow[i]!;
    const existing = index.get(key);
    if (existing !== undefined) {
      weight[existing]! += 1;
      continue;
    }
    index.set(key, weight.length);
    frequency.push(x);
    recency.push(rows.recency[i]!);
    age.push(rows.age[i]!);
    weight.push(1);
  }
  return {
    frequency: Float64Array.from(frequency),
    recency: Float64Array.from(recency),
    age: Float64Array.from(age),
    weight: Float64Array.from(weight),
  };
}

/** The same for Gamma-Gamma's (x, average spend) pairs. */
export function collapseSpend(
  frequency: Float64Array,
  monetary: Float64Array,
  include?: (index: number) => boolean,
): WeightedSpend {
  // Keyed by x, then m: Map keys compare as the old `${x}|${m}` text keys did (0 and -0 alike, NaN
  // alike) without a string per customer.
  const index = new Map<number, Map<number, number>>();
  const xs: number[] = [];
  const ms: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < frequency.length; i++) {
    if (include && !include(i)) continue;
    const x = frequency[i]!;
    const m = monetary[i]!;
    let byM = index.get(x);
    if (byM === undefined) {
      byM = new Map();
      index.set(x, byM);
    }
    const existing = byM.get(m);
    if (existing !== undefined) {
      weight[existing]! += 1;
      continue;
    }
    byM.set(m, weight.length);
    xs.push(x);
    ms.push(m);
    weight.push(1);
  }
  return {
    frequency: Float64Array.from(xs),
    monetary: Float64Array.from(ms),
    weight: Float64Array.from(weight),
  };
}
