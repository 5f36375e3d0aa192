import type { CashflowBasis } from './cashflow.ts';
import { type CustomerPredictionColumns, CustomerPredictions } from './customer-predictions.ts';
import type { HoldoutDiagnosticRow } from './holdout-diagnostics.ts';
import type { ClvModelRow } from './model-rows.ts';
import {
  type CompactPredictionResult,
  type ValuationInputs,
  valuationFrom,
} from './predict-customer-value.ts';

/**
 * A prediction as plain data (arrays, typed arrays, numbers, strings): what structured clone
 * carries between threads unchanged. The compute function predicts CLV on a second thread while
 * the first computes profitability; this is the form the result travels in.
 */
export interface PortablePrediction {
  models: ClvModelRow[];
  customers: CustomerPredictionColumns;
  diagnostics: HoldoutDiagnosticRow[];
  notes: string[];
  valuation: ValuationInputs | null;
  /** The cash flows' per-customer part, made where the models were (see FittedValuation). */
  cashflowBasis: CashflowBasis | null;
}

export function toPortablePrediction(result: CompactPredictionResult): PortablePrediction {
  return {
    models: result.models,
    customers: result.customers.toColumns(),
    diagnostics: result.diagnostics,
    notes: result.notes,
    valuation: result.valuation?.inputs ?? null,
    cashflowBasis: result.valuation?.cashflowBasis() ?? null,
  };
}

export function fromPortablePrediction(portable: PortablePrediction): CompactPredictionResult {
  const result: CompactPredictionResult = {
    models: portable.models,
    customers: CustomerPredictions.fromColumns(portable.customers),
    diagnostics: portable.diagnostics,
    notes: portable.notes,
  };
  if (portable.valuation)
    result.valuation = valuationFrom(portable.valuation, { basis: portable.cashflowBasis ?? undefined });
  return result;
}

/**
 * The typed arrays a portable prediction owns, to move rather than copy (customer-facing columns
 * and the cash-flow basis).
 */
export function portablePredictionArrays(portable: PortablePrediction): (Float64Array | Int32Array)[] {
  const { clv, pAlive, expectedOrdersNextYear, p10, p90, expectedSpend } = portable.customers;
  const basis = portable.cashflowBasis;
  // Each buffer once: the basis holds the very expected spends the customers' column does.
  const arrays = [
    clv,
    pAlive,
    expectedOrdersNextYear,
    ...(p10 ? [p10] : []),
    ...(p90 ? [p90] : []),
    ...(expectedSpend ? [expectedSpend] : []),
    ...(basis ? [basis.cellAt, basis.perCell, basis.margin] : []),
    ...(basis?.expectedSpend ? [basis.expectedSpend] : []),
  ];
  return [...new Set(arrays)];
}
