import {
  backtestPurchaseUnit,
  type EarlierPredictions,
  inPurchaseUnit,
  scoreBacktestActuals,
  type WindowActuals,
  windowActuals,
} from './clv/backtest.ts';
import {
  type CompactPredictionResult,
  predictCustomerValueColumns,
  valueSubscriptions,
} from './clv/index.ts';
import { type Config, clvSettings, profitabilitySettings } from './config.ts';
import { periodOf } from './profitability/calendar.ts';
import {
  CustomerMetricsRows,
  computeProfitabilityParts,
  type ProfitabilityParts,
} from './profitability/index.ts';
import { transactionColumnsOf } from './profitability/transaction-columns.ts';
import type { TransactionPass } from './profitability/transaction-pass.ts';
import type { IsoDate, SnapshotInput, TransactionColumns } from './records.ts';
import { resultTable, type TableDefinition } from './tables.ts';

/**
 * A result table's rows: an array, or rows made as they are read (customer_metrics, one row per
 * customer, is too large to hold as objects for a million customers). Iterate it; it serialises
 * to JSON as the row array.
 */
export type ResultRows = Iterable<Record<string, unknown>> & { readonly length: number };

export interface ComputedResults {
  tables: Map<TableDefinition, ResultRows>;
  warnings: string[];
}

/** An earlier run's published predictions to score (functions/compute/clv-backtest-input.ts). */
export interface EarlierClvRun {
  lookbackDays: number;
  predictions: EarlierPredictions;
}

/**
 * Everything the compute job derives from a snapshot as of a date: profitability (customer,
 * cohort, segment x product, whale curve, service ROI) and predictive CLV, merged per customer;
 * with earlier runs' predictions, how they fared since (clv_backtest).
 */
export function computeResults(
  snapshot: SnapshotInput,
  asOf: IsoDate,
  config: Config,
  earlier: readonly EarlierClvRun[] = [],
): ComputedResults {
  const profitability = computeProfitabilityResults(snapshot, asOf, config);
  const prediction = predictCustomerValueColumns({
    transactions: profitability.columns as TransactionColumns,
    asOf,
    config: clvSettings(config),
  });
  return combineResults(profitability, prediction, earlier);
}

/** computeResults' first half: profitability, with what the backtest reads of the transactions. */
export interface ProfitabilityResults {
  snapshot: SnapshotInput;
  asOf: IsoDate;
  config: Config;
  /** The transactions' columns (or, scaled out, the buckets' merged pass): CLV summarises them too. */
  columns?: TransactionColumns;
  /** What customers did since an earlier run's as_of, for its backtest. */
  actualsSince: (earlierAsOf: IsoDate) => WindowActuals;
  profitability: ProfitabilityParts;
}

/**
 * The transaction side of a scaled-out run, merged from its buckets: profitability's pass and each
 * backtest window's actuals (the CLV summaries go to the prediction).
 */
export interface MergedTransactions {
  pass: TransactionPass;
  actuals: readonly WindowActuals[];
}

export function computeProfitabilityResults(
  snapshot: SnapshotInput,
  asOf: IsoDate,
  config: Config,
  merged?: MergedTransactions,
): ProfitabilityResults {
  const settings = profitabilitySettings(config);
  // The unit tonight's settings count the backtest's purchases in, on either path.
  const unit = backtestPurchaseUnit(clvSettings(config));
  if (merged) {
    const profitability = computeProfitabilityParts(snapshot, asOf, settings, merged.pass);
    const actualsSince = (earlierAsOf: IsoDate) => {
      const found = merged.actuals.find((a) => a.fromAsOf === earlierAsOf && a.toAsOf === asOf);
      if (!found)
        throw new Error(`no actuals from ${earlierAsOf} to ${asOf} to score that run's predictions by`);
      return inPurchaseUnit(found, unit);
    };
    return { snapshot, asOf, config, actualsSince, profitability };
  }
  // Records become columns once; both engines read the columns.
  const columns = transactionColumnsOf(snapshot);
  const profitability = computeProfitabilityParts(snapshot, asOf, settings, columns);
  const actualsSince = (earlierAsOf: IsoDate) => windowActuals(columns, earlierAsOf, asOf, unit);
  return { snapshot, asOf, config, columns, actualsSince, profitability };
}

/**
 * Each predicted customer's cohort (customer_metrics.cohort) by the prediction's index: null for a
 * customer profitability does not know. The prediction's id index is the one customer_metrics'
 * rows look customers up in; the period of each acquisition date is worked out once.
 */
function cohortsOfPredicted(
  profitability: ProfitabilityParts,
  prediction: CompactPredictionResult,
  settings: ReturnType<typeof profitabilitySettings>,
): (index: number) => string | null {
  const cohorts = new Array<string | null>(prediction.customers.size).fill(null);
  const periods = new Map<IsoDate, string>();
  for (const customer of profitability.customers) {
    const at = prediction.customers.positionOf(customer);
    if (at < 0) continue;
    let cohort = periods.get(customer.acquiredOn);
    if (cohort === undefined) {
      cohort = periodOf(customer.acquiredOn, settings.cohortGrain);
      periods.set(customer.acquiredOn, cohort);
    }
    cohorts[at] = cohort;
  }
  return (index) => cohorts[index] ?? null;
}

/**
 * computeResults' second half: profitability and the CLV prediction (predictCustomerValueColumns,
 * made on this thread or another) merged per customer, with the subscriptions and the backtest.
 */
export function combineResults(
  computed: ProfitabilityResults,
  prediction: CompactPredictionResult,
  earlier: readonly EarlierClvRun[] = [],
): ComputedResults {
  const { snapshot, asOf, config, profitability } = computed;
  const settings = profitabilitySettings(config);
  // The predictions are in the pass's customer order: placed by fact, not looked up by id.
  prediction.customers.placeFacts(profitability.lineCustomers);
  // Contractual customers: sBG per billing period and scope, retention curves, DERL values.
  const subscriptions = valueSubscriptions(snapshot.subscriptions ?? [], asOf, clvSettings(config));
  const customerMetrics = new CustomerMetricsRows(
    profitability.customers,
    settings.cohortGrain,
    settings.rounding,
    prediction.customers,
    subscriptions.contractualValue,
  );
  const cashflows =
    prediction.valuation?.cashflows(cohortsOfPredicted(profitability, prediction, settings)) ?? [];
  const backtest = earlier.flatMap((run) =>
    scoreBacktestActuals(
      run.predictions,
      computed.actualsSince(run.predictions.asOf),
      asOf,
      run.lookbackDays,
    ),
  );
  const unallocated = profitability.unallocated.map(
    (u) =>
      `unallocated ${u.pool} ${u.period}${u.key ? ` (${u.key})` : ''}: ${u.amount.toFixed(2)} — ${u.reason}`,
  );
  return {
    tables: new Map<TableDefinition, ResultRows>([
      [resultTable('customer_metrics'), customerMetrics as unknown as ResultRows],
      [resultTable('cohort_metrics'), profitability.cohortMetrics as unknown as Record<string, unknown>[]],
      [
        resultTable('cohort_retention'),
        profitability.cohortRetention as unknown as Record<string, unknown>[],
      ],
      [
        resultTable('segment_product_profit'),
        profitability.segmentProductProfit as unknown as Record<string, unknown>[],
      ],
      [resultTable('whale_curve'), profitability.whaleCurve as unknown as Record<string, unknown>[]],
      [resultTable('service_roi'), profitability.serviceRoi as unknown as Record<string, unknown>[]],
      [resultTable('period_kpis'), profitability.periodKpis as unknown as Record<string, unknown>[]],
      [
        resultTable('clv_models'),
        [...prediction.models, ...subscriptions.models] as unknown as Record<string, unknown>[],
      ],
      [
        resultTable('subscription_retention'),
        subscriptions.retention as unknown as Record<string, unknown>[],
      ],
      [resultTable('clv_backtest'), backtest as unknown as Record<string, unknown>[]],
      [resultTable('clv_cashflow'), cashflows as unknown as Record<string, unknown>[]],
      // Empty unless a holdout period is configured (clv.holdoutDays).
      [resultTable('clv_holdout'), prediction.diagnostics as unknown as Record<string, unknown>[]],
    ]),
    warnings: [
      ...profitability.warnings,
      ...prediction.notes,
      ...subscriptions.notes.map((n) => `subscriptions: ${n}`),
      ...unallocated,
    ],
  };
}
