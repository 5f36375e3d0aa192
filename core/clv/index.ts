/** Predictive CLV (issues 5 and 17): the entry points and the pieces other modules may want. */
export {
  backtestPurchaseUnit,
  mergeWindowActuals,
  scoreBacktestActuals,
  type WindowActuals,
  windowActuals,
} from './backtest.ts';
export {
  type ClvModelConfig,
  type ClvModelSetting,
  DEFAULT_CLV_MODEL_CONFIG,
  type SubscriptionDimension,
  type TransactionModelName,
} from './config.ts';
export { CustomerPredictions } from './customer-predictions.ts';
export type { HoldoutDiagnosticRow } from './holdout-diagnostics.ts';
export { mergeClvSummaries } from './merge-summaries.ts';
export type { ClvModelName, ClvModelRow } from './model-rows.ts';
export {
  fromPortablePrediction,
  type PortablePrediction,
  portablePredictionArrays,
  toPortablePrediction,
} from './portable-prediction.ts';
export {
  type ClvSummaries,
  type CompactPredictionResult,
  type CustomerPrediction,
  type PredictCustomerValueInput,
  type PredictCustomerValueResult,
  predictCustomerValue,
  predictCustomerValueColumns,
  predictFromSummaries,
  summarizeForClv,
} from './predict-customer-value.ts';
export type { TimeUnit } from './rfm-types.ts';
export {
  normaliseBillingPeriod,
  type SubscriptionRecord,
  type SubscriptionRetentionRow,
  type SubscriptionValueResult,
  valueSubscriptions,
} from './subscriptions.ts';
