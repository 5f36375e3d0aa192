import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Every queue of the stack: SQS-managed encryption at rest, TLS-only access, two weeks to look at a failure. */
export function secureQueue(
  scope: Construct,
  id: string,
  props: { visibilityTimeout?: Duration } = {},
): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    visibilityTimeout: props.visibilityTimeout,
  });
}

export interface WorkQueue {
  queue: Queue;
  deadLetterQueue: Queue;
}

/** A work queue with its dead-letter queue: a message that fails `maxReceiveCount` times is parked there. */
export function workQueue(
  scope: Construct,
  id: string,
  props: { visibilityTimeout: Duration; maxReceiveCount: number },
): WorkQueue {
  const deadLetterQueue = secureQueue(scope, `${id}Dlq`);
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(4),
    visibilityTimeout: props.visibilityTimeout,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}
