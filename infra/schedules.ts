import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge, arnToken } from './nag.ts';
import { secureQueue } from './queues.ts';

export interface SchedulesProps {
  /** The nightly run's state machine (infra/scale-out.ts): its Plan step picks the embedded compute when small. */
  nightly: IStateMachine;
  targets: IFunction;
  computeSchedule: string;
  targetsSchedule: string;
  timeZone: string;
}

/**
 * EventBridge Scheduler: the nightly run (the state machine of infra/scale-out.ts) and the weekly
 * targets run, in the business time zone. A start or invocation the scheduler cannot deliver after
 * its retries lands in that schedule's DLQ.
 */
export class Schedules extends Construct {
  readonly computeSchedule: Schedule;
  readonly targetsSchedule: Schedule;
  readonly computeDeadLetterQueue: Queue;
  readonly targetsDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const timeZone = TimeZone.of(props.timeZone);
    const schedulerRole = (roleId: string, action: string, target: IConstruct, dlq: Queue): Role => {
      const role = new Role(this, roleId, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: `EventBridge Scheduler: ${action} ${target.node.path}`,
      });
      acknowledge(
        dlq,
        'AwsSolutions-SQS3',
        'This queue is itself a dead-letter queue: EventBridge Scheduler parks the invocations it could not ' +
          'deliver here (target DeadLetterConfig), which cdk-nag cannot see because no queue redrives to it. ' +
          'An alarm fires when it is not empty.',
      );
      return role;
    };

    const lambdaSchedulerRole = (roleId: string, fn: IFunction, dlq: Queue): Role => {
      const role = schedulerRole(roleId, 'invoke', fn, dlq);
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${arnToken(fn)}:*]`,
        'aws-cdk-lib grants lambda:InvokeFunction on the function and on <function ARN>:*, its versions and ' +
          'aliases. The wildcard spans qualifiers of this one function only.',
      );
      return role;
    };

    this.computeDeadLetterQueue = secureQueue(this, 'NightlyComputeDlq');
    this.computeSchedule = new Schedule(this, 'NightlyCompute', {
      description: 'Nightly run (state machine) for today in the business time zone',
      schedule: ScheduleExpression.expression(props.computeSchedule, timeZone),
      target: new StepFunctionsStartExecution(props.nightly, {
        role: schedulerRole('NightlyComputeRole', 'start', props.nightly, this.computeDeadLetterQueue),
        // No as_of: the Plan step (like the compute handler) runs for today in BUSINESS_TIME_ZONE.
        input: ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.computeDeadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });

    this.targetsDeadLetterQueue = secureQueue(this, 'WeeklyTargetsDlq');
    this.targetsSchedule = new Schedule(this, 'WeeklyTargets', {
      description: 'Weekly target re-plan for the current week',
      schedule: ScheduleExpression.expression(props.targetsSchedule, timeZone),
      target: new LambdaInvoke(props.targets, {
        role: lambdaSchedulerRole('WeeklyTargetsRole', props.targets, this.targetsDeadLetterQueue),
        // No week: the handler re-plans the current week.
        input: ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.targetsDeadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });
  }
}
