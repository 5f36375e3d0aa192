import type { Cells } from './cell-expectations.ts';
import type { RfmArrays, WeightedRfm, WeightedSpend } from './rfm-types.ts';
import { TupleIndex } from './tuple-index.ts';

/**
 * Merges customers with identical (x, t_x, T) into one weighted row. Real exports have whole-day
 * dates, so a million customers collapse to far fewer distinct rows and every likelihood
 * evaluation gets proportionally cheaper; the likelihood is unchanged (a weighted sum). Rows come
 * in order of first sight, so the likelihood's sums run in the same order whatever groups them.
 */
export function collapseRfm(rows: RfmArrays, include?: (index: number) => boolean): WeightedRfm {
  const index = new TupleIndex();
  const frequency: number[] = [];
  const recency: number[] = [];
  const age: number[] = [];
  const weight: number[] = [];
  const count = rows.frequency.length;
  for (let i = 0; i < count; i++) {
    if (include && !include(i)) continue;
    const x = rows.frequency[i]!;
    const tx = rows.recency[i]!;
    const T = rows.age[i]!;
    const row = index.numberOf(x, tx, T);
    if (row < weight.length) {
      weight[row]! += 1;
      continue;
    }
    frequency.push(x);
    recency.push(tx);
    age.push(T);
    weight.push(1);
  }
  return {
    frequency: Float64Array.from(frequency),
    recency: Float64Array.from(recency),
    age: Float64Array.from(age),
    weight: Float64Array.from(weight),
  };
}

/**
 * collapseRfm's rows from the rows' cells numbered already (numberCells over the same rows, no one
 * left out, which numbers them in the same order of first sight): the same rows in the same order,
 * each weight counted from the customers' cells. The prediction numbers its customers' cells
 * anyway; without a holdout it fits on the same customers, so their histogram is one count away.
 */
export function collapseCells(cells: Cells, cellOf: Int32Array): WeightedRfm {
  const weight = new Float64Array(cells.count);
  for (let i = 0; i < cellOf.length; i++) weight[cellOf[i] as number]! += 1;
  return {
    frequency: Float64Array.from(cells.x),
    recency: Float64Array.from(cells.tx),
    age: Float64Array.from(cells.T),
    weight,
  };
}

/** The same for Gamma-Gamma's (x, average spend) pairs. */
export function collapseSpend(
  frequency: Float64Array,
  monetary: Float64Array,
  include?: (index: number) => boolean,
): WeightedSpend {
  const index = new TupleIndex();
  const xs: number[] = [];
  const ms: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < frequency.length; i++) {
    if (include && !include(i)) continue;
    const x = frequency[i]!;
    const m = monetary[i]!;
    const row = index.numberOf(x, m, 0);
    if (row < weight.length) {
      weight[row]! += 1;
      continue;
    }
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
