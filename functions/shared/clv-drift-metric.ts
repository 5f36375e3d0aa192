import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Models (per scope) whose parameters moved beyond clv.driftThreshold; infra/monitoring.ts alarms on >= 1. */
export const CLV_DRIFT_METRIC = 'ClvParameterDrift';

/**
 * The one series the drift alarm watches: the compute function's service dimension, whichever
 * function counts (the compute function, or the scale-out steps on the nights that scale out,
 * whose own service name is another: their drifts never reached the alarm).
 */
export const CLV_DRIFT_SERVICE = 'customer-value-compute';

export const clvDriftMetrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CustomerValue',
  serviceName: CLV_DRIFT_SERVICE,
});

/** Counts a run's drifted models under CLV_DRIFT_SERVICE, published at once. */
export function countClvDrift(count: number): void {
  clvDriftMetrics.addMetric(CLV_DRIFT_METRIC, MetricUnit.Count, count);
  clvDriftMetrics.publishStoredMetrics();
}

/** The run's drift warnings: one per model and scope, each starting as core/clv/drift.ts writes it. */
export function clvDriftWarnings(warnings: readonly string[]): number {
  return warnings.filter((warning) => warning.startsWith('clv drift: ')).length;
}
