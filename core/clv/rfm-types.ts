/**
 * Per-customer summaries the models are fitted on (one entry per customer, parallel arrays):
 * - frequency x: repeat purchase days (purchases on the same day are one purchase);
 * - recency t_x: time from the first to the last purchase;
 * - age T: time from the first purchase to the end of the calibration period;
 * - monetary: average value of the repeat purchase days (0 when x = 0).
 * Times are in the configured unit (days or weeks).
 */
export interface RfmArrays {
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
}

/** Identical rows merged: `weight[i]` customers share row i. */
export interface WeightedRfm extends RfmArrays {
  weight: Float64Array;
}

export interface WeightedSpend {
  frequency: Float64Array;
  monetary: Float64Array;
  weight: Float64Array;
}

export type TimeUnit = 'days' | 'weeks';

export const DAYS_PER_UNIT: Record<TimeUnit, number> = { days: 1, weeks: 7 };
