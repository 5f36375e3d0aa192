import { Duration, Stack } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobFunction } from './job-function.ts';
import { acknowledge } from './nag.ts';
import { workQueue } from './queues.ts';

export interface PipelineProps {
  exports: Bucket;
  ingest: JobFunction;
  compute: JobFunction;
}

/**
 * Compute queue batches in flight at most: the least Lambda takes. The second finds the first's run
 * lock and defers its requests; the compute function reserves one more (infra/stack.ts).
 */
export const COMPUTE_QUEUE_MAX_CONCURRENCY = 2;

/** AWS's advice for SQS event sources: a visibility timeout of six times the function timeout. */
function visibilityFor(job: JobFunction): Duration {
  return Duration.seconds((job.fn.timeout?.toSeconds() ?? 900) * 6);
}

/**
 * The event-driven path: exports bucket notifications -> ingest queue -> ingest function, which
 * sends a message to the compute queue after each ingest; the compute function reads that queue
 * with a batching window, so a burst of uploads gives one compute run.
 */
export class Pipeline extends Construct {
  readonly ingestQueue: Queue;
  readonly ingestDeadLetterQueue: Queue;
  readonly computeQueue: Queue;
  readonly computeDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const ingest = workQueue(this, 'IngestQueue', {
      visibilityTimeout: visibilityFor(props.ingest),
      maxReceiveCount: 3,
    });
    this.ingestQueue = ingest.queue;
    this.ingestDeadLetterQueue = ingest.deadLetterQueue;
    // Uploads, new versions and deletes (delete markers) of any key: ingest decides what each means.
    const destination = new SqsDestination(this.ingestQueue);
    props.exports.addEventNotification(EventType.OBJECT_CREATED, destination);
    props.exports.addEventNotification(EventType.OBJECT_REMOVED, destination);
    acknowledgeNotificationsHandler(Stack.of(this));
    // One message an invocation: an export's load is given what the invocation has left, so in a
    // batch of several the later large exports ran out of time and were rejected, though each fits
    // a function of its own (max_export_bytes is sized for that). Bursts scale out instead.
    props.ingest.fn.addEventSource(
      new SqsEventSource(this.ingestQueue, { batchSize: 1, reportBatchItemFailures: true }),
    );

    // A request is received again only when its invocation failed: one that finds another run
    // holding the run lock is sent again, delayed, as a new message (compute/defer-requests.ts).
    const compute = workQueue(this, 'ComputeQueue', {
      visibilityTimeout: visibilityFor(props.compute),
      maxReceiveCount: 10,
    });
    this.computeQueue = compute.queue;
    this.computeDeadLetterQueue = compute.deadLetterQueue;
    this.computeQueue.grantSendMessages(props.ingest.role);
    props.ingest.fn.addEnvironment('COMPUTE_QUEUE_URL', this.computeQueue.queueUrl);
    this.computeQueue.grantSendMessages(props.compute.role);
    props.compute.fn.addEnvironment('COMPUTE_QUEUE_URL', this.computeQueue.queueUrl);
    props.compute.fn.addEventSource(
      new SqsEventSource(this.computeQueue, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(60),
        // Pollers do not heed reserved concurrency: past it a batch is throttled and comes back only
        // after the visibility timeout. The run lock, not the concurrency, keeps runs one at a time.
        maxConcurrency: COMPUTE_QUEUE_MAX_CONCURRENCY,
      }),
    );
  }
}

/**
 * Bucket notifications are set by a CDK-provided custom resource: a singleton Lambda at the stack
 * root whose role carries AWSLambdaBasicExecutionRole. Its construct id ends in a fixed hash.
 */
function acknowledgeNotificationsHandler(stack: Stack): void {
  const handler = stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
  if (!handler) throw new Error('the bucket notifications handler of aws-cdk-lib was not found');
  acknowledge(
    handler,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The role of the aws-cdk-lib custom resource that writes the exports bucket notification configuration ' +
      'during deployment; CDK builds it with the basic execution policy (CloudWatch Logs only) and offers no ' +
      'way to replace it. It runs only when the stack is deployed.',
  );
}
