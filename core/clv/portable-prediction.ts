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
}

export function toPortablePrediction(result: CompactPredictionResult): PortablePrediction {
  return {
    models: result.models,
    customers: result.customers.toColumns(),
    diagnostics: result.diagnostics,
    notes: result.notes,
    valuation: result.valuation?.inputs ?? null,
  };
}

export function fromPortablePrediction(portable: PortablePrediction): CompactPredictionResult {
  const result: CompactPredictionResult = {
    models: portable.models,
    customers: CustomerPredictions.fromColumns(portable.customers),
    diagnostics: portable.diagnostics,
    notes: portable.notes,
  };
  if (portable.valuation) result.valuation = valuationFrom(portable.valuation);
  return result;
}

/** The typed arrays a portable prediction owns, to move rather than copy (customer-facing columns). */
export function portablePredictionArrays(portable: PortablePrediction): Float64Array[] {
  const { clv, pAlive, expectedOrdersNextYear, p10, p90 } = portable.customers;
  return [clv, pAlive, expectedOrdersNextYear, ...(p10 ? [p10] : []), ...(p90 ? [p90] : [])];
}
