import type { TransactionModelName } from './config.ts';
import type { RfmArrays } from './rfm-types.ts';

/** What the holdout check needs of a fitted model (BG/BB reads T as its opportunities n). */
export interface HoldoutModel {
  name: TransactionModelName | 'bgbb';
  expectedPurchases(t: number, x: number, tx: number, T: number): number;
}

/** Predicted vs actual repeat purchases in the holdout, per calibration frequency bucket. */
export interface HoldoutDiagnosticRow {
  model: TransactionModelName | 'bgbb';
  /** Calibration repeat purchases: '0', '1', ..., '6', '7+', or 'all'. */
  frequency_bucket: string;
  customers: number;
  actual_repeat_purchases: number;
  predicted_repeat_purchases: number;
  actual_per_customer: number;
  predicted_per_customer: number;
}

const TOP_BUCKET = 7;

/**
 * Root mean squared error, per customer, of the repeat purchases predicted for the holdout against
 * those made: what `clv.model: "auto"` chooses by.
 */
export function holdoutError(
  model: HoldoutModel,
  calibration: RfmArrays,
  holdoutPurchases: Float64Array,
  holdoutLength: number,
): number {
  const cache = new Map<string, number>();
  let squares = 0;
  const count = calibration.frequency.length;
  for (let i = 0; i < count; i++) {
    const x = calibration.frequency[i]!;
    const tx = calibration.recency[i]!;
    const T = calibration.age[i]!;
    const key = `${x}|${tx}|${T}`;
    let expected = cache.get(key);
    if (expected === undefined) {
      expected = model.expectedPurchases(holdoutLength, x, tx, T);
      cache.set(key, expected);
    }
    squares += (expected - holdoutPurchases[i]!) ** 2;
  }
  return count > 0 ? Math.sqrt(squares / count) : Number.NaN;
}

export function holdoutDiagnostics(
  model: HoldoutModel,
  calibration: RfmArrays,
  holdoutPurchases: Float64Array,
  holdoutLength: number,
): HoldoutDiagnosticRow[] {
  const customers = new Float64Array(TOP_BUCKET + 1);
  const actual = new Float64Array(TOP_BUCKET + 1);
  const predicted = new Float64Array(TOP_BUCKET + 1);
  const cache = new Map<string, number>();
  for (let i = 0; i < calibration.frequency.length; i++) {
    const x = calibration.frequency[i]!;
    const tx = calibration.recency[i]!;
    const T = calibration.age[i]!;
    const key = `${x}|${tx}|${T}`;
    let expected = cache.get(key);
    if (expected === undefined) {
      expected = model.expectedPurchases(holdoutLength, x, tx, T);
      cache.set(key, expected);
    }
    const bucket = Math.min(x, TOP_BUCKET);
    customers[bucket]! += 1;
    actual[bucket]! += holdoutPurchases[i]!;
    predicted[bucket]! += expected;
  }
  const row = (label: string, n: number, a: number, p: number): HoldoutDiagnosticRow => ({
    model: model.name,
    frequency_bucket: label,
    customers: n,
    actual_repeat_purchases: a,
    predicted_repeat_purchases: p,
    actual_per_customer: n > 0 ? a / n : 0,
    predicted_per_customer: n > 0 ? p / n : 0,
  });
  const rows: HoldoutDiagnosticRow[] = [];
  for (let b = 0; b <= TOP_BUCKET; b++) {
    if (customers[b]! === 0) continue;
    rows.push(row(b === TOP_BUCKET ? `${TOP_BUCKET}+` : String(b), customers[b]!, actual[b]!, predicted[b]!));
  }
  const sum = (v: Float64Array): number => v.reduce((s, x) => s + x, 0);
  rows.push(row('all', sum(customers), sum(actual), sum(predicted)));
  return rows;
}
