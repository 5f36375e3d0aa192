import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Structured JSON logs and CloudWatch metrics, shared by all handlers (Powertools). */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'customer-value',
  logLevel: (process.env.LOG_LEVEL ?? 'INFO') as 'INFO',
});
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CustomerValue',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'customer-value',
});
