import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, arnToken } from './nag.ts';
import { secureQueue } from './queues.ts';

export interface SchedulesProps {
  compute: IFunction;
  targets: IFunction;
  computeSchedule: string;
  targetsSchedule: string;
  timeZone: string;
}

/**
 * EventBridge Scheduler: the nightly compute run and the weekly targets run, in the business time
 * zone. An invocation the scheduler cannot deliver after its retries lands in that schedule's DLQ.
 */
export class Schedules extends Construct {
  readonly computeSchedule: Schedule;
  readonly targetsSchedule: Schedule;
  readonly computeDeadLetterQueue: Queue;
  readonly targetsDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const timeZone = TimeZone.of(props.timeZone);
    const schedulerRole = (roleId: string, fn: IFunction, dlq: Queue): Role => {
      const role = new Role(this, roleId, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: `EventBridge Scheduler: invoke ${fn.node.path}`,
      });
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${arnToken(fn)}:*]`,
        'aws-cdk-lib grants lambda:InvokeFunction on the function and on <function ARN>:*, its versions and ' +
          'aliases. The wildcard spans qualifiers of this one function only.',
      );
      acknowledge(
        dlq,
        'AwsSolutions-SQS3',
        'This queue is itself a dead-letter queue: EventBridge Scheduler parks the invocations it could not ' +
          'deliver here (target DeadLetterConfig), which cdk-nag cannot see because no queue redrives to it. ' +
          'An alarm fires when it is not empty.',
      );
      return role;
    };

    this.computeDeadLetterQueue = secureQueue(this, 'NightlyComputeDlq');
    this.computeSchedule = new Schedule(this, 'NightlyCompute', {
      description: 'Nightly compute run for today in the business time zone',
      schedule: ScheduleExpression.expression(props.computeSchedule, timeZone),
      target: new LambdaInvoke(props.compute, {
        role: schedulerRole('NightlyComputeRole', props.compute, this.computeDeadLetterQueue),
        // No as_of: the handler computes for today in BUSINESS_TIME_ZONE.
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
        role: schedulerRole('WeeklyTargetsRole', props.targets, this.targetsDeadLetterQueue),
        // No week: the handler re-plans the current week.
        input: ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.targetsDeadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });
  }
}
