import { toTransactionColumns } from '../profitability/transaction-columns.ts';
import type { IsoDate, TransactionColumns, TransactionRecord } from '../records.ts';
import { collapseRfm } from './collapse.ts';
import { type ClvModelConfig, DAYS_NEXT_YEAR, DAYS_PER_MONTH } from './config.ts';
import type { CustomerPrediction } from './customer-predictions.ts';
import { CustomerPredictions } from './customer-predictions.ts';
import { addDays } from './dates.ts';
import { discountedExpectedPurchases } from './discounting.ts';
import { GAMMA_GAMMA_PARAMETER_NAMES, gammaGammaExpectedSpend } from './gamma-gamma.ts';
import { type HoldoutDiagnosticRow, holdoutDiagnostics } from './holdout-diagnostics.ts';
import { type ClvModelRow, fittedModelRows, notFittedRow } from './model-rows.ts';
import { type CustomerSummaries, summarizeTransactions } from './rfm-summary.ts';
import { DAYS_PER_UNIT } from './rfm-types.ts';
import { fitSpendModel, type SpendModelOutcome } from './spend-model.ts';
import { type FittedTransactionModel, fitTransactionModel } from './transaction-model.ts';

export type { CustomerPrediction } from './customer-predictions.ts';

export interface PredictCustomerValueInput {
  /** Records, or the same lines as columns (see core/profitability/transaction-columns.ts). */
  transactions: readonly TransactionRecord[] | TransactionColumns;
  asOf: IsoDate;
  config: ClvModelConfig;
}

export interface PredictCustomerValueResult {
  /** Rows for the `clv_models` table. */
  models: ClvModelRow[];
  /** Per customer; empty when the purchase model could not be fitted (the formula CLV stands). */
  customers: Map<string, CustomerPrediction>;
  /** Holdout check (empty without a holdout). */
  diagnostics: HoldoutDiagnosticRow[];
  /** Plain-words notes on anything not fitted, not converged or not used. */
  notes: string[];
}

/** The same result with the per-customer predictions as columns (see CustomerPredictions). */
export interface CompactPredictionResult {
  models: ClvModelRow[];
  customers: CustomerPredictions;
  /** Holdout check (empty without a holdout). */
  diagnostics: HoldoutDiagnosticRow[];
  /** Plain-words notes on anything not fitted, not converged or not used. */
  notes: string[];
}

/**
 * Predictive CLV: fits the purchase model (BG/NBD or Pareto/NBD) and Gamma-Gamma by maximum
 * likelihood on the calibration period and predicts, per customer, P(alive), expected orders in
 * the next 52 weeks and the discounted expected margin over the horizon. Never throws on data
 * that cannot support a model: it says why in `notes` and in the `clv_models` rows.
 */
export function predictCustomerValue(input: PredictCustomerValueInput): PredictCustomerValueResult {
  const result = predictCustomerValueColumns(input);
  return { ...result, customers: result.customers.toMap() };
}

/**
 * Predictions as parallel number columns, one entry per customer: a million customers then cost
 * three doubles each instead of a map entry, an object and a Decimal (the compute job's path).
 */
export function predictCustomerValueColumns(input: PredictCustomerValueInput): CompactPredictionResult {
  const { config } = input;
  // Converted once here when records are given, so both summaries share the columns.
  const transactions = Array.isArray(input.transactions)
    ? toTransactionColumns(input.transactions as readonly TransactionRecord[])
    : (input.transactions as TransactionColumns);
  const dataEnd = config.calibrationEnd ?? input.asOf;
  const fitEnd = config.holdoutDays > 0 ? addDays(dataEnd, -config.holdoutDays) : dataEnd;
  const unitDays = DAYS_PER_UNIT[config.timeUnit];
  const notes: string[] = [];
  const models: ClvModelRow[] = [];

  const calibration = summarizeTransactions(transactions, {
    end: fitEnd,
    timeUnit: config.timeUnit,
    holdoutEnd: config.holdoutDays > 0 ? dataEnd : null,
  });
  const current =
    config.holdoutDays > 0
      ? summarizeTransactions(transactions, { end: dataEnd, timeUnit: config.timeUnit })
      : calibration;
  const context = (model: ClvModelRow['model'], customers: number) => ({
    model,
    customers,
    calibrationEnd: fitEnd,
    timeUnit: config.timeUnit,
  });

  const purchase = fitPurchaseModel(calibration, config);
  if (!purchase.model) {
    notes.push(purchase.reason);
    models.push(notFittedRow(context(config.model, calibration.customerIds.length), purchase.reason));
    models.push(
      notFittedRow(context('gamma_gamma', 0), 'not fitted because the purchase model was not fitted'),
    );
    return { models, customers: CustomerPredictions.empty(), diagnostics: [], notes };
  }
  const model = purchase.model;
  models.push(
    ...fittedModelRows(context(model.name, calibration.customerIds.length), model.parameterNames, model.fit),
  );
  notes.push(...model.fit.notes.map((n) => `${model.name}: ${n}`));

  const spend = fitSpendModel(calibration.frequency, calibration.monetary, {
    minRepeatCustomers: config.minRepeatCustomers,
    penalizer: config.penalizer,
    starts: config.fitStarts,
  });
  if (spend.fitted) {
    models.push(
      ...fittedModelRows(context('gamma_gamma', spend.customers), GAMMA_GAMMA_PARAMETER_NAMES, spend.fit),
    );
    notes.push(...spend.fit.notes.map((n) => `gamma_gamma: ${n}`));
  } else {
    notes.push(spend.reason);
    models.push(notFittedRow(context('gamma_gamma', spend.customers), spend.reason));
  }

  const diagnostics =
    config.holdoutDays > 0
      ? holdoutDiagnostics(model, calibration, calibration.holdoutPurchases, config.holdoutDays / unitDays)
      : [];
  return { models, customers: predictCustomers(current, model, spend, config), diagnostics, notes };
}

function fitPurchaseModel(
  calibration: CustomerSummaries,
  config: ClvModelConfig,
): { model: FittedTransactionModel; reason?: undefined } | { model: null; reason: string } {
  const repeatCustomers = calibration.frequency.reduce((n, x) => n + (x > 0 ? 1 : 0), 0);
  if (repeatCustomers < config.minRepeatCustomers) {
    return {
      model: null,
      reason: `only ${repeatCustomers} of ${calibration.customerIds.length} customers bought again in the calibration period (at least ${config.minRepeatCustomers} needed): ${config.model} not fitted, the formula CLV stands`,
    };
  }
  const model = fitTransactionModel(config.model, collapseRfm(calibration), {
    penalizer: config.penalizer,
    starts: config.fitStarts,
  });
  if (!model.fit.params.every(Number.isFinite)) {
    return {
      model: null,
      reason: `${config.model} could not be fitted: ${model.fit.notes.join('; ')}; the formula CLV stands`,
    };
  }
  return { model };
}

function predictCustomers(
  summaries: CustomerSummaries,
  model: FittedTransactionModel,
  spend: SpendModelOutcome,
  config: ClvModelConfig,
): CustomerPredictions {
  const unitDays = DAYS_PER_UNIT[config.timeUnit];
  const unitsPerMonth = DAYS_PER_MONTH / unitDays;
  const nextYear = DAYS_NEXT_YEAR / unitDays;
  // Customers sharing (x, t_x, T) share every purchase prediction: compute each once.
  // Keyed x -> t_x -> T: Map keys match as the old `${x}|${tx}|${T}` text did, without a string
  // per customer.
  type Purchase = { alive: number; nextYear: number; discounted: number };
  const cache = new Map<number, Map<number, Map<number, Purchase>>>();
  const count = summaries.customerIds.length;
  const clvs = new Float64Array(count).fill(Number.NaN);
  const alive = new Float64Array(count);
  const nextYears = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const x = summaries.frequency[i]!;
    const tx = summaries.recency[i]!;
    const T = summaries.age[i]!;
    let byRecency = cache.get(x);
    if (!byRecency) {
      byRecency = new Map();
      cache.set(x, byRecency);
    }
    let byAge = byRecency.get(tx);
    if (!byAge) {
      byAge = new Map();
      byRecency.set(tx, byAge);
    }
    let purchase = byAge.get(T);
    if (!purchase) {
      purchase = {
        alive: model.probabilityAlive(x, tx, T),
        nextYear: model.expectedPurchases(nextYear, x, tx, T),
        discounted: discountedExpectedPurchases(
          (t) => model.expectedPurchases(t, x, tx, T),
          config.horizonMonths,
          unitsPerMonth,
          config.annualDiscountRate,
        ),
      };
      byAge.set(T, purchase);
    }
    if (spend.fitted) {
      const margin = marginOf(summaries, i, config);
      const expectedSpend = gammaGammaExpectedSpend(spend.fit.parameters, x, summaries.monetary[i]!);
      const value = margin * expectedSpend * purchase.discounted;
      if (Number.isFinite(value)) clvs[i] = value;
    }
    alive[i] = purchase.alive;
    nextYears[i] = purchase.nextYear;
  }
  return new CustomerPredictions(summaries.customerIds, clvs, alive, nextYears);
}

function marginOf(summaries: CustomerSummaries, index: number, config: ClvModelConfig): number {
  if (typeof config.margin === 'number') return config.margin;
  const own = summaries.grossMargin[index]!;
  return Number.isFinite(own) ? own : summaries.portfolioMargin;
}
