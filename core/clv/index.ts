/** Predictive CLV (issue 5): the entry point and the pieces other modules may want. */
export { type ClvModelConfig, DEFAULT_CLV_MODEL_CONFIG, type TransactionModelName } from './config.ts';
export { CustomerPredictions } from './customer-predictions.ts';
export type { HoldoutDiagnosticRow } from './holdout-diagnostics.ts';
export type { ClvModelRow } from './model-rows.ts';
export {
  type CompactPredictionResult,
  type CustomerPrediction,
  type PredictCustomerValueInput,
  type PredictCustomerValueResult,
  predictCustomerValue,
  predictCustomerValueColumns,
} from './predict-customer-value.ts';
export type { TimeUnit } from './rfm-types.ts';
