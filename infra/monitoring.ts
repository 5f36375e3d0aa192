import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  alarmEmail: string | undefined;
  removalPolicy: RemovalPolicy;
  /** Dead-letter queues by a readable name: any message in one is an alarm. */
  deadLetterQueues: Record<string, IQueue>;
  /** Functions by a readable name: any error or throttle is an alarm. */
  functions: Record<string, IFunction>;
  /** State machines by a readable name: any failed or timed-out execution is an alarm. */
  stateMachines: Record<string, IStateMachine>;
}

/**
 * The count of CLV models whose parameters moved beyond clv.driftThreshold since the last run, as
 * the compute function and the scale-out steps publish it (functions/shared/clv-drift-metric.ts):
 * the functions' namespace (POWERTOOLS_METRICS_NAMESPACE) and the compute function's `service`
 * dimension (its POWERTOOLS_SERVICE_NAME, infra/job-function.ts), whichever function counts.
 */
export const CLV_DRIFT_METRIC = {
  namespace: 'CustomerValue',
  metricName: 'ClvParameterDrift',
  service: 'customer-value-compute',
} as const;

/**
 * The alarm topic (encrypted with a customer managed key, since CloudWatch cannot publish to a
 * topic under the AWS managed SNS key) and one alarm per failure signal: a dead-letter queue that
 * is not empty, a function error, a function throttle, a failed or timed-out state machine execution,
 * and a nightly run whose CLV parameters drifted.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', {
      description: 'customer-value alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'customer-value alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (alarmId: string, description: string, metric: IMetric, atLeastOne = false): void => {
      const created = new Alarm(this, alarmId, {
        metric,
        alarmDescription: `customer-value ${description}`,
        threshold: atLeastOne ? 1 : 0,
        comparisonOperator: atLeastOne
          ? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
          : ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
    };
    const period = Duration.minutes(5);
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}DlqNotEmpty`,
        `${name}: messages in the dead-letter queue`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, `${name}: the function failed`, fn.metricErrors({ period, statistic: 'Sum' }));
      alarm(
        `${name}Throttles`,
        `${name}: invocations were throttled`,
        fn.metricThrottles({ period, statistic: 'Sum' }),
      );
    }
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      alarm(
        `${name}ExecutionsFailed`,
        `${name}: an execution failed (the run stays unpublished)`,
        machine.metricFailed({ period, statistic: 'Sum' }),
      );
      alarm(
        `${name}ExecutionsTimedOut`,
        `${name}: an execution timed out (the run stays unpublished)`,
        machine.metricTimedOut({ period, statistic: 'Sum' }),
      );
    }
    alarm(
      'ClvParameterDrift',
      'compute: CLV model parameters moved beyond clv.driftThreshold since the last run (see the run warnings)',
      new Metric({
        namespace: CLV_DRIFT_METRIC.namespace,
        metricName: CLV_DRIFT_METRIC.metricName,
        dimensionsMap: { service: CLV_DRIFT_METRIC.service },
        period,
        statistic: 'Sum',
      }),
      true,
    );
  }
}
