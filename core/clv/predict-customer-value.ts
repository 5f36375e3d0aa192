import { toTransactionColumns } from '../profitability/transaction-columns.ts';
import type { IsoDate, TransactionColumns, TransactionRecord } from '../records.ts';
import {
  BGBB_PARAMETER_NAMES,
  bgbbConditionalExpectedPurchases,
  bgbbProbabilityAlive,
  collapseBgbb,
  fitBgbb,
} from './bgbb.ts';
import {
  type CashflowBasis,
  type ClvCashflowRow,
  cashflowBasis,
  cashflowRows,
  type MonthlyPurchases,
  writeMonthlyIncrements,
} from './cashflow.ts';
import { eachCellExpectations, numberCells } from './cell-expectations.ts';
import { collapseCells, collapseRfm } from './collapse.ts';
import { type ClvModelConfig, DAYS_NEXT_YEAR, DAYS_PER_MONTH, type TransactionModelName } from './config.ts';
import type { CustomerPrediction } from './customer-predictions.ts';
import { CustomerPredictions } from './customer-predictions.ts';
import { addDays, dayNumber } from './dates.ts';
import { discountedExpectedPurchases, discountedIncrements } from './discounting.ts';
import type { FitOutcome } from './fit-log-scale.ts';
import { GAMMA_GAMMA_PARAMETER_NAMES, gammaGammaExpectedSpend } from './gamma-gamma.ts';
import { type HoldoutDiagnosticRow, holdoutDiagnostics, holdoutError } from './holdout-diagnostics.ts';
import { bootstrapClvIntervals } from './intervals.ts';
import { type ClvModelRow, fittedModelRows, notFittedRow } from './model-rows.ts';
import {
  MONTHS_PER_OPPORTUNITY,
  type PeriodSummaries,
  periodIndexOfDay,
  summarizeByPeriod,
} from './period-summary.ts';
import { type CustomerSummaries, summarizeTransactions } from './rfm-summary.ts';
import { DAYS_PER_UNIT } from './rfm-types.ts';
import { fitSpendModel, type SpendModelOutcome } from './spend-model.ts';
import {
  type FittedTransactionModel,
  fitTransactionModel,
  type PurchasePredictor,
  purchasePredictorAt,
} from './transaction-model.ts';

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
  /** What else the fitted models can say about today's customers; absent when nothing was fitted. */
  valuation?: FittedValuation;
  /** Holdout check (empty without a holdout). */
  diagnostics: HoldoutDiagnosticRow[];
  /** Plain-words notes on anything not fitted, not converged or not used. */
  notes: string[];
}

/**
 * Predictive CLV: fits the purchase model (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB, or the best of the
 * continuous-time ones on a holdout with `auto`) and Gamma-Gamma by maximum
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
  // Converted once here when records are given, so both summaries share the columns.
  const transactions = Array.isArray(input.transactions)
    ? toTransactionColumns(input.transactions as readonly TransactionRecord[])
    : (input.transactions as TransactionColumns);
  return predictFromSummaries(summarizeForClv(transactions, input.asOf, input.config), input.config);
}

/**
 * What the models are fitted on and predict for: one summary per customer of the calibration
 * period and of all the data (the same object without a holdout). Plain arrays only, so the
 * prediction can run on another thread than the one holding the transactions.
 */
export type ClvSummaries =
  | {
      kind: 'continuous';
      calibration: CustomerSummaries;
      current: CustomerSummaries;
      dataEnd: IsoDate;
      fitEnd: IsoDate;
      holdoutDays: number;
    }
  | {
      kind: 'bgbb';
      calibration: PeriodSummaries;
      current: PeriodSummaries;
      dataEnd: IsoDate;
      fitEnd: IsoDate;
    };

/** The transactions' part of predictive CLV: one pass per summary, the rest reads the summaries. */
export function summarizeForClv(
  transactions: TransactionColumns,
  asOf: IsoDate,
  config: ClvModelConfig,
): ClvSummaries {
  const dataEnd = config.calibrationEnd ?? asOf;
  if (config.model === 'bgbb') {
    const period = config.opportunityPeriod;
    const fitEnd = config.holdoutDays > 0 ? addDays(dataEnd, -config.holdoutDays) : dataEnd;
    const calibration = summarizeByPeriod(transactions, {
      end: fitEnd,
      period,
      holdoutEnd: config.holdoutDays > 0 ? dataEnd : null,
    });
    const current =
      config.holdoutDays > 0 ? summarizeByPeriod(transactions, { end: dataEnd, period }) : calibration;
    return { kind: 'bgbb', calibration, current, dataEnd, fitEnd };
  }
  // `auto` needs a holdout to choose by; its own when none is configured.
  const holdoutDays =
    config.holdoutDays > 0 ? config.holdoutDays : config.model === 'auto' ? config.autoHoldoutDays : 0;
  const fitEnd = holdoutDays > 0 ? addDays(dataEnd, -holdoutDays) : dataEnd;
  const calibration = summarizeTransactions(transactions, {
    end: fitEnd,
    timeUnit: config.timeUnit,
    holdoutEnd: holdoutDays > 0 ? dataEnd : null,
  });
  const current =
    holdoutDays > 0
      ? summarizeTransactions(transactions, { end: dataEnd, timeUnit: config.timeUnit })
      : calibration;
  return { kind: 'continuous', calibration, current, dataEnd, fitEnd, holdoutDays };
}

/** The models fitted on the summaries and their predictions per customer. */
export function predictFromSummaries(
  summaries: ClvSummaries,
  config: ClvModelConfig,
): CompactPredictionResult {
  if (summaries.kind === 'bgbb') return predictWithBgbb(summaries, config);
  if (config.model === 'bgbb')
    throw new Error('clv.model bgbb is fitted on summaries by period: make them with summarizeForClv');
  const { calibration, current, dataEnd, fitEnd, holdoutDays } = summaries;
  const unitDays = DAYS_PER_UNIT[config.timeUnit];
  const notes: string[] = [];
  const models: ClvModelRow[] = [];
  const context = (model: ClvModelRow['model'], customers: number) => ({
    model,
    customers,
    calibrationEnd: fitEnd,
    timeUnit: config.timeUnit,
  });

  const candidates: TransactionModelName[] =
    config.model === 'auto' ? ['bgnbd', 'pareto_nbd', 'mbgnbd'] : [config.model];
  const repeatCustomers = calibration.frequency.reduce((n, x) => n + (x > 0 ? 1 : 0), 0);
  if (repeatCustomers < config.minRepeatCustomers) {
    const reason = `only ${repeatCustomers} of ${calibration.customerIds.length} customers bought again in the calibration period (at least ${config.minRepeatCustomers} needed): ${candidates.join(', ')} not fitted, the formula CLV stands`;
    notes.push(reason);
    for (const name of candidates)
      models.push(notFittedRow(context(name, calibration.customerIds.length), reason));
    models.push(
      notFittedRow(context('gamma_gamma', 0), 'not fitted because the purchase model was not fitted'),
    );
    return { models, customers: CustomerPredictions.empty(), diagnostics: [], notes };
  }

  // Without a holdout the models are fitted on the customers they predict: their cells, numbered
  // once, are the fit's histogram too.
  const numbered =
    calibration === current ? numberCells(current.frequency, current.recency, current.age) : null;
  const rows = numbered ? collapseCells(numbered.cells, numbered.cellOf) : collapseRfm(calibration);
  const holdoutLength = holdoutDays / unitDays;
  const fits: {
    name: TransactionModelName;
    model: FittedTransactionModel | null;
    reason: string;
    error: number;
  }[] = candidates.map((name) => {
    const model = fitTransactionModel(name, rows, { penalizer: config.penalizer, starts: config.fitStarts });
    if (!model.fit.params.every(Number.isFinite))
      return {
        name,
        model: null,
        reason: `${name} could not be fitted: ${model.fit.notes.join('; ')}; the formula CLV stands`,
        error: Number.NaN,
      };
    const error =
      holdoutDays > 0
        ? holdoutError(model, calibration, calibration.holdoutPurchases, holdoutLength)
        : Number.NaN;
    return { name, model, reason: '', error };
  });
  const chosen = chosenFit(fits, config.model === 'auto');
  const diagnostics: HoldoutDiagnosticRow[] = [];
  for (const f of fits) {
    if (!f.model) {
      notes.push(f.reason);
      models.push(notFittedRow(context(f.name, calibration.customerIds.length), f.reason));
      continue;
    }
    const auto =
      config.model === 'auto'
        ? [
            `auto: holdout RMSE ${f.error.toPrecision(4)} repeat purchases per customer over the last ${holdoutDays} days; ${f === chosen ? 'chosen (smallest holdout error)' : `not chosen (${chosen!.name} predicted the holdout better)`}`,
          ]
        : [];
    models.push(
      ...fittedModelRows(
        context(f.name, calibration.customerIds.length),
        f.model.parameterNames,
        f.model.fit,
        auto,
      ),
    );
    notes.push(...f.model.fit.notes.map((n) => `${f.name}: ${n}`));
    if (holdoutDays > 0)
      diagnostics.push(
        ...holdoutDiagnostics(f.model, calibration, calibration.holdoutPurchases, holdoutLength),
      );
  }
  if (!chosen?.model) {
    models.push(
      notFittedRow(context('gamma_gamma', 0), 'not fitted because the purchase model was not fitted'),
    );
    return { models, customers: CustomerPredictions.empty(), diagnostics, notes };
  }
  if (config.model === 'auto')
    notes.push(
      `clv.model auto chose ${chosen.name}: holdout RMSE ${fits
        .filter((f) => f.model)
        .map((f) => `${f.name} ${f.error.toPrecision(4)}`)
        .join(', ')} (repeat purchases per customer over the last ${holdoutDays} days)`,
    );
  const model = chosen.model;

  const spend = fitSpend(calibration, config, context, models, notes);
  const units = { nextYear: DAYS_NEXT_YEAR / unitDays, unitsPerMonth: DAYS_PER_MONTH / unitDays };
  const { customers, monthly, expectedSpend } = predictCustomers(
    current,
    model,
    spend,
    config,
    units,
    { name: model.name, fit: model.fit },
    notes,
    numbered,
  );
  const valuation = valuationFrom(
    {
      summaries: current,
      model: { name: model.name, params: model.fit.params },
      spend,
      config,
      unitsPerMonth: units.unitsPerMonth,
      start: dataEnd,
    },
    { monthly, expectedSpend },
  );
  return { models, customers, diagnostics, notes, valuation };
}

function fitSpend(
  summaries: Pick<CustomerSummaries, 'frequency' | 'monetary'>,
  config: ClvModelConfig,
  context: (model: ClvModelRow['model'], customers: number) => Parameters<typeof notFittedRow>[0],
  models: ClvModelRow[],
  notes: string[],
): SpendModelOutcome {
  const spend = fitSpendModel(summaries.frequency, summaries.monetary, {
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
  return spend;
}

/**
 * BG/BB: frequency, recency and opportunities by calendar period (clv.opportunityPeriod), fitted
 * on the complete periods up to the calibration end; predictions in opportunities (a fraction of
 * an opportunity counts pro rata when months are discounted). Gamma-Gamma is fitted on the
 * average revenue of the repeat purchase periods.
 */
function predictWithBgbb(
  summaries: Extract<ClvSummaries, { kind: 'bgbb' }>,
  config: ClvModelConfig,
): CompactPredictionResult {
  const period = config.opportunityPeriod;
  const { calibration, current, dataEnd, fitEnd } = summaries;
  const notes: string[] = [];
  const models: ClvModelRow[] = [];
  const context = (model: ClvModelRow['model'], customers: number) => ({
    model,
    customers,
    calibrationEnd: fitEnd,
    timeUnit: period,
  });
  const customers = calibration.customerIds.length;
  const repeatCustomers = calibration.frequency.reduce((n, x) => n + (x > 0 ? 1 : 0), 0);
  const failed = (reason: string): CompactPredictionResult => {
    notes.push(reason);
    models.push(notFittedRow(context('bgbb', customers), reason));
    models.push(
      notFittedRow(context('gamma_gamma', 0), 'not fitted because the purchase model was not fitted'),
    );
    return { models, customers: CustomerPredictions.empty(), diagnostics: [], notes };
  };
  if (repeatCustomers < config.minRepeatCustomers)
    return failed(
      `only ${repeatCustomers} of ${customers} customers bought again in a later ${period} of the calibration period (at least ${config.minRepeatCustomers} needed): bgbb not fitted, the formula CLV stands`,
    );
  const fit = fitBgbb(collapseBgbb(calibration.frequency, calibration.recency, calibration.opportunities), {
    penalizer: config.penalizer,
    starts: config.fitStarts,
  });
  if (!fit.params.every(Number.isFinite))
    return failed(`bgbb could not be fitted: ${fit.notes.join('; ')}; the formula CLV stands`);
  models.push(...fittedModelRows(context('bgbb', customers), BGBB_PARAMETER_NAMES, fit));
  notes.push(...fit.notes.map((n) => `bgbb: ${n}`));
  const p = fit.parameters;
  const model = {
    name: 'bgbb' as const,
    probabilityAlive: (x: number, tx: number, n: number) => bgbbProbabilityAlive(p, x, tx, n),
    expectedPurchases: (t: number, x: number, tx: number, n: number) =>
      bgbbConditionalExpectedPurchases(p, t, x, tx, n),
  };
  const asRfm = (s: typeof calibration): CustomerSummaries => ({ ...s, age: s.opportunities });
  const diagnostics: HoldoutDiagnosticRow[] = [];
  if (config.holdoutDays > 0) {
    const length =
      periodIndexOfDay(dayNumber(dataEnd) + 1, period) - periodIndexOfDay(dayNumber(fitEnd) + 1, period);
    diagnostics.push(...holdoutDiagnostics(model, asRfm(calibration), calibration.holdoutPurchases, length));
  }
  const spend = fitSpend(calibration, config, context, models, notes);
  const months = MONTHS_PER_OPPORTUNITY[period];
  const units = { nextYear: 12 / months, unitsPerMonth: 1 / months };
  const currentRfm = asRfm(current);
  const {
    customers: predicted,
    monthly,
    expectedSpend,
  } = predictCustomers(currentRfm, model, spend, config, units, { name: 'bgbb', fit }, notes);
  return {
    models,
    customers: predicted,
    diagnostics,
    notes,
    valuation: valuationFrom(
      {
        summaries: currentRfm,
        model: { name: 'bgbb', params: fit.params },
        spend,
        config,
        unitsPerMonth: units.unitsPerMonth,
        start: dataEnd,
      },
      { monthly, expectedSpend },
    ),
  };
}

/** The fitted purchase and spend models over today's customer summaries. */
export interface FittedValuation {
  /** What it is made of: plain data, so it can cross threads (see portable-prediction.ts). */
  readonly inputs: ValuationInputs;
  /**
   * Every customer's expected purchases per month, spend and margin (made once, when first asked
   * for): the cash flows' part that needs the models but no cohorts.
   */
  cashflowBasis(): CashflowBasis;
  /**
   * clv_cashflow: expected orders, revenue and margin per cohort and future month
   * (clv.cashflowMonths), undiscounted and discounted, plus an `all` cohort. `cohortAt(i)` gives
   * the cohort (customer_metrics.cohort) of the prediction's customer i (the valuation's customers
   * are the prediction's, in its order); null leaves the customer out.
   */
  cashflows(cohortAt: (index: number) => string | null): ClvCashflowRow[];
}

export interface ValuationInputs {
  summaries: CustomerSummaries;
  /** The chosen purchase model by name and fitted parameters (clv_models order). */
  model: { name: TransactionModelName | 'bgbb'; params: Float64Array };
  spend: SpendModelOutcome;
  config: ClvModelConfig;
  unitsPerMonth: number;
  start: IsoDate;
}

/**
 * `already.basis`: the cash-flow basis when made (on the thread that predicted); `already.monthly`
 * and `already.expectedSpend`: its monthly purchases and each customer's expected spend, when the
 * prediction made them (predictCustomers).
 */
export function valuationFrom(
  inputs: ValuationInputs,
  already: {
    basis?: CashflowBasis;
    monthly?: MonthlyPurchases;
    expectedSpend?: Float64Array | null;
  } = {},
): FittedValuation {
  const { summaries, spend, config, unitsPerMonth, start } = inputs;
  const model = purchasePredictorAt(inputs.model.name, inputs.model.params);
  let made = already.basis;
  let monthly = already.monthly;
  const madeBasis = (): CashflowBasis => {
    if (made) return made;
    const count = summaries.customerIds.length;
    const margins = new Float64Array(count);
    for (let i = 0; i < count; i++) margins[i] = marginOf(summaries, i, config);
    const expectedSpend =
      already.expectedSpend !== undefined ? already.expectedSpend : expectedSpends(summaries, spend);
    made = cashflowBasis(
      {
        asOf: start,
        frequency: summaries.frequency,
        recency: summaries.recency,
        age: summaries.age,
        expectedSpend,
        margin: margins,
        predictor: model,
        months: config.cashflowMonths,
        unitsPerMonth,
        annualDiscountRate: config.annualDiscountRate,
      },
      monthly,
    );
    // Handed on with the basis: not held twice.
    monthly = undefined;
    return made;
  };
  return {
    inputs,
    cashflowBasis: madeBasis,
    cashflows: (cohortAt) => cashflowRows(madeBasis(), cohortAt),
  };
}

/**
 * The most cell-months (doubles) of the cash flows' monthly purchases the prediction makes beside
 * its own (32M, 256 MB: 24 months of 1.3M cells); past it the valuation makes them after the
 * intervals, as it did, so a long clv.cashflowMonths does not raise the peak.
 */
const SHARED_MONTHS_MAX = 32 * 1024 * 1024;

function predictCustomers(
  summaries: CustomerSummaries,
  model: PurchasePredictor,
  spend: SpendModelOutcome,
  config: ClvModelConfig,
  units: { nextYear: number; unitsPerMonth: number },
  /** The purchase model's fit, for the intervals' parameter draws. */
  drawn: { name: TransactionModelName | 'bgbb'; fit: FitOutcome },
  notes: string[],
  /** The summaries' cells when numbered already (numberCells over them, no one left out). */
  numbered: ReturnType<typeof numberCells> | null = null,
): {
  customers: CustomerPredictions;
  monthly: MonthlyPurchases | undefined;
  expectedSpend: Float64Array | null;
} {
  const { nextYear, unitsPerMonth } = units;
  // Customers sharing (x, t_x, T) share every purchase prediction: each cell's once.
  const count = summaries.customerIds.length;
  const { cells, cellOf } = numbered ?? numberCells(summaries.frequency, summaries.recency, summaries.age);
  // Cumulative purchases by next year and by each month end of the horizon and of the cash flows:
  // the cash flows' monthly purchases are taken from the same cells (each expectation is the same
  // number whichever horizons are asked with it), not computed over again.
  const months = config.horizonMonths;
  // They are held through the intervals, which the basis made later was not: only up to a size.
  const cashflowMonths = cells.count * config.cashflowMonths <= SHARED_MONTHS_MAX ? config.cashflowMonths : 0;
  const ts = [nextYear];
  for (let m = 1; m <= Math.max(months, cashflowMonths); m++) ts.push(m * unitsPerMonth);
  const cellAlive = new Float64Array(cells.count);
  const cellNextYear = new Float64Array(cells.count);
  const cellDiscounted = new Float64Array(cells.count);
  const perCell = new Float64Array(cells.count * cashflowMonths);
  eachCellExpectations(model, cells, ts, (c, cumulative) => {
    cellAlive[c] = model.probabilityAlive(cells.x[c]!, cells.tx[c]!, cells.T[c]!);
    cellNextYear[c] = cumulative[0]!;
    cellDiscounted[c] = discountedIncrements((m) => cumulative[m]!, months, config.annualDiscountRate);
    writeMonthlyIncrements(cumulative, 1, cashflowMonths, perCell, c * cashflowMonths);
  });
  const monthly: MonthlyPurchases | undefined =
    cashflowMonths > 0 ? { cellAt: cellOf.map((cell) => cell * cashflowMonths), perCell } : undefined;
  const clvs = new Float64Array(count).fill(Number.NaN);
  const alive = new Float64Array(count);
  const nextYears = new Float64Array(count);
  const spends = expectedSpends(summaries, spend);
  for (let i = 0; i < count; i++) {
    const cell = cellOf[i]!;
    if (spends) {
      const value = marginOf(summaries, i, config) * spends[i]! * cellDiscounted[cell]!;
      if (Number.isFinite(value)) clvs[i] = value;
    }
    alive[i] = cellAlive[cell]!;
    nextYears[i] = cellNextYear[cell]!;
  }
  if (!spend.fitted || config.intervalDraws === 0)
    return {
      customers: new CustomerPredictions(summaries.customerIds, clvs, alive, nextYears, null, null, spends),
      monthly,
      expectedSpend: spends,
    };
  const margins = new Float64Array(count);
  const valued = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    margins[i] = marginOf(summaries, i, config);
    valued[i] = Number.isNaN(clvs[i] as number) ? 0 : 1;
  }
  const intervals = bootstrapClvIntervals({
    frequency: summaries.frequency,
    recency: summaries.recency,
    age: summaries.age,
    monetary: summaries.monetary,
    margin: margins,
    valued,
    purchase: {
      params: drawn.fit.params,
      covariance: drawn.fit.covariance,
      at: (params) => purchasePredictorAt(drawn.name, params),
    },
    spend: { params: spend.fit.params, covariance: spend.fit.covariance },
    // The point prediction's own D (so the intervals are centred on clv_predicted exactly).
    horizon: {
      months: config.horizonMonths,
      unitsPerMonth,
      annualDiscountRate: config.annualDiscountRate,
    },
    estimates: { cells, cellOf, discounted: cellDiscounted },
    discountedPurchases: (predictor, x, tx, T) =>
      discountedExpectedPurchases(
        (t) => predictor.expectedPurchases(t, x, tx, T),
        config.horizonMonths,
        unitsPerMonth,
        config.annualDiscountRate,
      ),
    draws: config.intervalDraws,
  });
  if (intervals.note) notes.push(intervals.note);
  const customers = new CustomerPredictions(
    summaries.customerIds,
    clvs,
    alive,
    nextYears,
    intervals.note ? null : intervals.p10,
    intervals.note ? null : intervals.p90,
    spends,
  );
  return { customers, monthly, expectedSpend: spends };
}

/**
 * Each customer's expected spend per purchase (Gamma-Gamma), null without a fitted spend model:
 * what clv_predicted is valued at, published as expected_spend, and the cash flows' spend. Finite
 * whenever the model is fitted (q > 1 is required to fit it; x >= 0, the mean spend finite).
 */
function expectedSpends(summaries: CustomerSummaries, spend: SpendModelOutcome): Float64Array | null {
  if (!spend.fitted) return null;
  const count = summaries.customerIds.length;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++)
    out[i] = gammaGammaExpectedSpend(spend.fit.parameters, summaries.frequency[i]!, summaries.monetary[i]!);
  return out;
}

function marginOf(summaries: CustomerSummaries, index: number, config: ClvModelConfig): number {
  if (typeof config.margin === 'number') return config.margin;
  const own = summaries.grossMargin[index]!;
  return Number.isFinite(own) ? own : summaries.portfolioMargin;
}

/**
 * The fit the predictions come from: the first fitted model, or with `auto` the fitted one with the
 * smallest holdout error, ties to the earlier. An error that is not a number ranks last: `x < NaN`
 * is never true, so a NaN error in first place used to win over every model that had one.
 */
export function chosenFit<F extends { model: unknown; error: number }>(
  fits: readonly F[],
  auto: boolean,
): F | null {
  const fitted = fits.filter((f) => f.model !== null);
  if (!auto) return fitted[0] ?? null;
  const scored = fitted.filter((f) => Number.isFinite(f.error));
  if (scored.length === 0) return fitted[0] ?? null;
  return scored.reduce((best, f) => (f.error < best.error ? f : best));
}
