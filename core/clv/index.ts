/** Predictive CLV (issue 5): the entry point and the pieces other modules may want. */
export { type ClvModelConfig, DEFAULT_CLV_MODEL_CONFIG, type TransactionModelName } from './config.ts';
export type { HoldoutDiagnosticRow } from './holdout-diagnostics.ts';
export type { ClvModelRow } from './model-rows.ts';
export {
  type CustomerPrediction,
  type PredictCustomerValueInput,
  type PredictCustomerValueResult,
  predictCustomerValue,
} from './predict-customer-value.ts';
export type { TimeUnit } from './rfm-types.ts';
