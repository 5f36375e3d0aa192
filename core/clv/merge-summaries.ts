import { canonicalMerge } from '../profitability/transaction-columns.ts';
import type { PeriodSummaries } from './period-summary.ts';
import type { ClvSummaries } from './predict-customer-value.ts';
import { type CustomerSummaries, portfolioMarginOf } from './rfm-summary.ts';

/**
 * Merging what buckets of customers summarised on their own (each bucket a disjoint set of
 * customers, every customer's lines in one bucket) into what one pass over all transactions gives,
 * bit for bit: per-customer figures depend on the customer's own lines only, so they are taken as
 * they are and put in canonical customer order (the order of loaded columns, see canonicalOrder in
 * core/profitability/transaction-columns.ts); the one cross-customer figure, portfolioMargin, is
 * summed again in that order from the per-customer revenue and profit, with the very same
 * additions as the summarisers.
 */

/**
 * The per-customer number columns of each summary type (all of its Float64Array fields), in the
 * summarisers' field order so a merged summary has their shape.
 */
const CONTINUOUS_COLUMNS = [
  'frequency',
  'recency',
  'age',
  'monetary',
  'grossMargin',
  'holdoutPurchases',
  'revenue',
  'profit',
] as const;
const PERIOD_COLUMNS = [
  'frequency',
  'recency',
  'opportunities',
  'monetary',
  'grossMargin',
  'holdoutPurchases',
  'revenue',
  'profit',
] as const;

/** The Float64Array fields of S. */
type NumberColumns<S> = { [K in keyof S]: S[K] extends Float64Array ? K : never }[keyof S];
/** A compile error when a summary type gains a number column the lists above do not merge. */
type Covers<S, Listed> = [Exclude<NumberColumns<S>, Listed>] extends [never] ? true : false;
const continuousCovered: Covers<CustomerSummaries, (typeof CONTINUOUS_COLUMNS)[number]> = true;
const periodCovered: Covers<PeriodSummaries, (typeof PERIOD_COLUMNS)[number]> = true;
void continuousCovered;
void periodCovered;

type Summary = CustomerSummaries | PeriodSummaries;

function mergeSummary<S extends Summary>(parts: readonly S[], columns: readonly NumberColumns<S>[]): S {
  const { customerIds, part, index } = canonicalMerge(parts);
  const n = customerIds.length;
  const merged: Record<string, unknown> = { customerIds };
  for (const name of columns) {
    const out = new Float64Array(n);
    const sources = parts.map((p) => p[name] as Float64Array);
    for (let k = 0; k < n; k++)
      out[k] = (sources[part[k] as number] as Float64Array)[index[k] as number] as number;
    merged[name as string] = out;
  }
  merged.portfolioMargin = portfolioMarginOf(merged.revenue as Float64Array, merged.profit as Float64Array);
  return merged as unknown as S;
}

/** calibration and current merged; the same object when it is in every part (no holdout). */
function mergePair<S extends Summary>(
  parts: readonly { calibration: S; current: S }[],
  columns: readonly NumberColumns<S>[],
): { calibration: S; current: S } {
  const calibration = mergeSummary(
    parts.map((p) => p.calibration),
    columns,
  );
  const shared = parts.every((p) => p.calibration === p.current);
  const current = shared
    ? calibration
    : mergeSummary(
        parts.map((p) => p.current),
        columns,
      );
  return { calibration, current };
}

/**
 * The summaries of all customers from the summaries of disjoint groups of them (summarizeForClv
 * over each group's transaction columns, all with the same as_of and config): customers in
 * canonical order and portfolioMargin summed again, so that over canonically ordered columns the
 * result is exactly summarizeForClv over all of them. Throws when the parts disagree on kind,
 * dataEnd, fitEnd or holdoutDays, when a customer is in two parts, or when there are no parts.
 */
export function mergeClvSummaries(parts: readonly ClvSummaries[]): ClvSummaries {
  const first = parts[0];
  if (first === undefined) throw new Error('merging CLV summaries: no parts');
  for (let p = 1; p < parts.length; p++) {
    const part = parts[p] as ClvSummaries;
    const differs = (field: string, a: unknown, b: unknown): void => {
      if (a !== b)
        throw new Error(
          `merging CLV summaries: part ${p} has ${field} ${String(b)}, part 0 ${String(a)} (made with another as_of or config)`,
        );
    };
    differs('kind', first.kind, part.kind);
    differs('dataEnd', first.dataEnd, part.dataEnd);
    differs('fitEnd', first.fitEnd, part.fitEnd);
    if (first.kind === 'continuous' && part.kind === 'continuous')
      differs('holdoutDays', first.holdoutDays, part.holdoutDays);
  }
  if (first.kind === 'bgbb') {
    const bgbb = parts as readonly Extract<ClvSummaries, { kind: 'bgbb' }>[];
    return { kind: 'bgbb', ...mergePair(bgbb, PERIOD_COLUMNS), dataEnd: first.dataEnd, fitEnd: first.fitEnd };
  }
  const continuous = parts as readonly Extract<ClvSummaries, { kind: 'continuous' }>[];
  return {
    kind: 'continuous',
    ...mergePair(continuous, CONTINUOUS_COLUMNS),
    dataEnd: first.dataEnd,
    fitEnd: first.fitEnd,
    holdoutDays: first.holdoutDays,
  };
}
