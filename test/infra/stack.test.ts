import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { checkParameterDrift } from '../../core/clv/drift.ts';
import { CURATED_TABLES } from '../../core/exports/curated-schema.ts';
import { NAMED_QUERIES } from '../../core/named-queries.ts';
import { type ColumnType, RESULT_TABLES } from '../../core/tables.ts';
import {
  CLV_DRIFT_METRIC,
  CLV_DRIFT_SERVICE,
  clvDriftWarnings,
} from '../../functions/shared/clv-drift-metric.ts';
import { PROJECT_ROOT } from '../../infra/handler-entries.ts';
import { DUCKDB_PACKAGES, NODE_RUNTIME } from '../../infra/job-function.ts';
import { synthStack } from './synth.ts';

// One synthesis (bundling skipped) shared by every test of this file.
const synth = synthStack();
const { template, stack, config, logicalId } = synth;
afterAll(() => synth.cleanup());

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
const resources = (type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;
const ref = (construct: Parameters<typeof logicalId>[0]) => ({ Ref: logicalId(construct) });
const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
  'Fn::GetAtt': [logicalId(construct), 'Arn'],
});

/** The Parquet annotation each column type is written with (design.md, "S3 lake layout"). */
const EXPECTED_GLUE_TYPE: Record<ColumnType, string> = {
  string: 'string',
  money: 'decimal(18,2)',
  rate: 'decimal(18,6)',
  double: 'double',
  bigint: 'bigint',
  date: 'date',
  timestamp: 'timestamp',
  boolean: 'boolean',
};

describe('cdk-nag (AWS Solutions)', () => {
  it('reports no finding that is not acknowledged with a reason', () => {
    const unacknowledged = synth.findings.map((f) => `${f.rule} at ${f.path}`);
    expect(unacknowledged).toEqual([]);
    expect(synth.error).toBeUndefined();
  });

  it('acknowledges only these findings, each on its own construct and with a written reason', () => {
    const acknowledgments = stack.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .map(([id, reason]) => ({
          path: construct.node.path
            .replace(`${stack.stackName}/`, '')
            .replace(/^(BucketNotificationsHandler)\w+$/, '$1'),
          id,
          reason,
        })),
    );
    for (const { id, reason } of acknowledgments) expect(reason.length, id).toBeGreaterThan(80);
    const exportsArn = `<${logicalId(stack.storage.exports)}.Arn>`;
    const lakeArn = `<${logicalId(stack.storage.lake)}.Arn>`;
    expect(
      acknowledgments.map(({ path, id }) => `${path} ${id.replace(/^Annotation::/, '')}`).sort(),
    ).toEqual(
      [
        'Storage/AccessLogs AwsSolutions-S1',
        `Ingest/Role AwsSolutions-IAM5[Resource::${exportsArn}/*]`,
        `Ingest/Role AwsSolutions-IAM5[Resource::${lakeArn}/*]`,
        `Compute/Role AwsSolutions-IAM5[Resource::${exportsArn}/*]`,
        `Compute/Role AwsSolutions-IAM5[Resource::${lakeArn}/*]`,
        'Compute/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/customer_value_dev/*]',
        `Targets/Role AwsSolutions-IAM5[Resource::${lakeArn}/curated/*]`,
        `Targets/Role AwsSolutions-IAM5[Resource::${lakeArn}/staging/results/*]`,
        `Targets/Role AwsSolutions-IAM5[Resource::${lakeArn}/results/targets/*]`,
        `Targets/Role AwsSolutions-IAM5[Resource::${lakeArn}/reports/targets/*]`,
        `ScaleOutSteps/Role AwsSolutions-IAM5[Resource::${exportsArn}/*]`,
        `ScaleOutSteps/Role AwsSolutions-IAM5[Resource::${lakeArn}/*]`,
        `ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::<${logicalId(stack.scaleOutSteps.fn)}.Arn>:*]`,
        `ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::<${logicalId(stack.compute.fn)}.Arn>:*]`,
        'ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::*]',
        'ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/customer_value_dev/*]',
        `ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::${lakeArn}/curated/*]`,
        `ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::${lakeArn}/results/*]`,
        `ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::${lakeArn}/staging/*]`,
        `ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::${lakeArn}/staging/scale-out/*]`,
        `ScaleOut/StateMachine/Role AwsSolutions-IAM5[Resource::${lakeArn}/athena-results/*]`,
        ...['', '/partition', '/summarise', '/write-customers'].map(
          (label) =>
            `ScaleOut/StateMachine/DistributedMapPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', ref(stack.scaleOut.stateMachine)] }] })}${label}:*]`,
        ),
        `Schedules/WeeklyTargetsRole AwsSolutions-IAM5[Resource::<${logicalId(stack.targets.fn)}.Arn>:*]`,
        'Schedules/NightlyComputeDlq AwsSolutions-SQS3',
        'Schedules/WeeklyTargetsDlq AwsSolutions-SQS3',
        // aws-cdk-lib's singleton custom resource for bucket notifications (its id ends in a fixed hash).
        'BucketNotificationsHandler AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      ].sort(),
    );
  });
});

describe('storage', () => {
  const buckets = () => resources('AWS::S3::Bucket');

  it('encrypts every bucket, blocks public access and enforces bucket-owner object ownership', () => {
    const all = Object.values(buckets());
    expect(all).toHaveLength(3);
    for (const bucket of all) {
      expect(bucket.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.OwnershipControls).toEqual({
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      });
    }
  });

  it('versions the exports bucket, expires noncurrent versions and logs access to the logs bucket', () => {
    const exportsBucket = buckets()[logicalId(stack.storage.exports)];
    expect(exportsBucket?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(exportsBucket?.Properties.LifecycleConfiguration).toEqual({
      Rules: expect.arrayContaining([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' }),
      ]),
    });
    for (const bucket of [stack.storage.exports, stack.storage.lake]) {
      expect(buckets()[logicalId(bucket)]?.Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: ref(stack.storage.accessLogs),
        LogFilePrefix: expect.any(String),
      });
    }
  });

  it('keeps the lake in its own bucket, so results never notify ingest', () => {
    expect(logicalId(stack.storage.lake)).not.toEqual(logicalId(stack.storage.exports));
    const notifications = Object.values(resources('Custom::S3BucketNotifications'));
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.Properties.BucketName).toEqual(ref(stack.storage.exports));
  });

  it('denies every request without TLS on each bucket', () => {
    const policies = Object.values(resources('AWS::S3::BucketPolicy'));
    const guarded = policies
      .filter((policy) =>
        (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement.some(
          (statement) =>
            statement.Effect === 'Deny' &&
            JSON.stringify(statement.Condition) ===
              JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        ),
      )
      .map((policy) => JSON.stringify(policy.Properties.Bucket));
    for (const bucket of [stack.storage.accessLogs, stack.storage.exports, stack.storage.lake]) {
      expect(guarded).toContain(JSON.stringify(ref(bucket)));
    }
  });

  it('has the table on demand with PK/SK strings, point-in-time recovery and encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ]),
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('lets DynamoDB expire history items by their expires_at attribute (TTL)', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
  });

  it('leaves the dev table at the on-demand warm throughput defaults (no WarmThroughput)', () => {
    expect(config.dynamodbWarmWriteUnitsPerSecond).toBeUndefined();
    expect(config.dynamodbWarmReadUnitsPerSecond).toBeUndefined();
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { WarmThroughput: Match.absent() });
  });

  it('destroys stateful resources in dev (the default stage)', () => {
    expect(config.stage).toBe('dev');
    for (const bucket of [stack.storage.exports, stack.storage.lake]) {
      expect(resources('AWS::S3::Bucket')[logicalId(bucket)]?.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('functions', () => {
  const functions = () => resources('AWS::Lambda::Function');

  it('ships DuckDB to the compute function from what npm ci installed (the linux-x64 binding: no download at synth)', () => {
    for (const name of DUCKDB_PACKAGES) {
      expect(existsSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json')), name).toBe(true);
    }
    expect(DUCKDB_PACKAGES).toContain('@duckdb/node-bindings-linux-x64');
  });
  const jobs = () => ({ ingest: stack.ingest, compute: stack.compute, targets: stack.targets });

  it(`runs the three jobs on ${NODE_RUNTIME.name}, ARM (compute x86_64, for DuckDB), with their memory, timeout, log group and Powertools settings`, () => {
    expect(Number(NODE_RUNTIME.name.match(/^nodejs(\d+)/)?.[1])).toBeGreaterThanOrEqual(22);
    const sizes = { ingest: [3008, 900], compute: [6144, 900], targets: [3008, 900] };
    for (const [name, job] of Object.entries(jobs())) {
      const fn = functions()[logicalId(job.fn)];
      expect(fn?.Properties).toMatchObject({
        Runtime: NODE_RUNTIME.name,
        Architectures: [name === 'compute' ? 'x86_64' : 'arm64'],
        Handler: 'index.handler',
        MemorySize: sizes[name as keyof typeof sizes][0],
        Timeout: sizes[name as keyof typeof sizes][1],
        LoggingConfig: { LogGroup: ref(job.logGroup) },
        Role: arnOf(job.role),
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: `customer-value-${name}`,
            POWERTOOLS_METRICS_NAMESPACE: 'CustomerValue',
            LAKE_BUCKET: ref(stack.storage.lake),
            TABLE_NAME: ref(stack.storage.table),
            CVAL_CONFIG: '{}',
            // dev's dynamodbWriteConcurrency in cdk.json
            DYNAMODB_WRITE_CONCURRENCY: '8',
          }),
        },
      });
    }
    // The compute function's /tmp holds the curated Parquet DuckDB reads (functions/compute/set-engine.ts).
    expect(functions()[logicalId(stack.compute.fn)]?.Properties).toMatchObject({
      EphemeralStorage: { Size: 10240 },
    });
    // glibc's allocator setting that keeps the compute load's peak memory down (infra/malloc-tuning.ts).
    expect(functions()[logicalId(stack.compute.fn)]?.Properties).toMatchObject({
      Environment: { Variables: expect.objectContaining({ MALLOC_MMAP_THRESHOLD_: '131072' }) },
    });
  });

  it('passes each job the environment its handler reads', () => {
    const env = (job: keyof ReturnType<typeof jobs>) =>
      (
        functions()[logicalId(jobs()[job].fn)]?.Properties.Environment as
          | { Variables?: Record<string, unknown> }
          | undefined
      )?.Variables;
    expect(env('ingest')).toMatchObject({
      EXPORTS_BUCKET: ref(stack.storage.exports),
      COMPUTE_QUEUE_URL: ref(stack.pipeline.computeQueue),
    });
    expect(env('compute')).toMatchObject({
      EXPORTS_BUCKET: ref(stack.storage.exports),
      BUSINESS_TIME_ZONE: 'Asia/Shanghai',
      // Requests that found the run lock held go back on it, delayed.
      COMPUTE_QUEUE_URL: ref(stack.pipeline.computeQueue),
    });
    expect(env('targets')).toMatchObject({ BUSINESS_TIME_ZONE: 'Asia/Shanghai' });
    expect(env('targets')).not.toHaveProperty('COMPUTE_QUEUE_URL');
  });

  it('lets the nightly run (compute and the scale-out steps) hand large exports to the ingest queue, and no one else', () => {
    const variables = (fn: Parameters<typeof logicalId>[0]) =>
      (functions()[logicalId(fn)]?.Properties.Environment as { Variables?: Record<string, unknown> })
        ?.Variables;
    const queue = stack.pipeline.ingestQueue;
    for (const job of [stack.compute, stack.scaleOutSteps]) {
      expect(variables(job.fn)).toMatchObject({ INGEST_QUEUE_URL: ref(queue) });
      const statements = Object.values(resources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([ref(job.role)]))
        .flatMap(
          (policy) =>
            (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
        );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Action: expect.arrayContaining(['sqs:SendMessage']),
          Resource: arnOf(queue),
        }),
      );
    }
    for (const job of [stack.ingest, stack.targets])
      expect(variables(job.fn)).not.toHaveProperty('INGEST_QUEUE_URL');
  });

  it('keeps log groups with the stage retention', () => {
    for (const job of Object.values(jobs())) {
      expect(resources('AWS::Logs::LogGroup')[logicalId(job.logGroup)]?.Properties.RetentionInDays).toBe(
        config.logRetention,
      );
    }
  });

  it('lets ingest and compute (its reconciliation) only read the exports bucket, and targets not at all', () => {
    const exportsBucket = JSON.stringify(arnOf(stack.storage.exports));
    const exportsObjects = JSON.stringify({ 'Fn::Join': ['', [arnOf(stack.storage.exports), '/*']] });
    const list = <T>(value: T | T[]) => (Array.isArray(value) ? value : [value]);
    // Every (effect, action, resource) a job's policies allow on the exports bucket or its objects;
    // minimizePolicies may merge statements, so they are compared pair by pair.
    const onExports = (job: 'ingest' | 'compute' | 'targets') =>
      Object.values(resources('AWS::IAM::Policy'))
        .filter(
          (policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([ref(jobs()[job].role)]),
        )
        .flatMap(
          (policy) =>
            (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
        )
        .flatMap((statement) =>
          list(statement.Resource).flatMap((resource) => {
            const target = JSON.stringify(resource);
            const name =
              target === exportsBucket ? 'bucket' : target === exportsObjects ? 'objects' : undefined;
            if (name === undefined) {
              expect(target, `${job}: no other form of the exports ARN`).not.toContain(
                logicalId(stack.storage.exports),
              );
              return [];
            }
            return list(statement.Action as string | string[]).map(
              (action) => `${statement.Effect} ${action} ${name}`,
            );
          }),
        )
        .sort();
    const read = [
      'Allow s3:GetObject objects',
      'Allow s3:GetObjectVersion objects',
      'Allow s3:ListBucket bucket',
    ];
    // Compute reconciles the registry with the bucket (list, head, read) and ingests in-process.
    expect(onExports('compute')).toEqual(read.sort());
    expect(onExports('ingest')).toEqual(read.sort());
    expect(onExports('targets')).toEqual([]);
  });

  it('lets the compute queue invoke compute no further than its reserved concurrency, with one more for the nightly run', () => {
    // SQS pollers do not heed reserved concurrency: past it, every batch is throttled and comes back
    // only after the queue's visibility timeout. Runs are one at a time by the run lock instead.
    const [mapping, ...others] = Object.values(resources('AWS::Lambda::EventSourceMapping')).filter(
      (m) =>
        JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(arnOf(stack.pipeline.computeQueue)),
    );
    expect(others).toEqual([]);
    const maximum = (mapping?.Properties.ScalingConfig as { MaximumConcurrency?: number } | undefined)
      ?.MaximumConcurrency;
    expect(maximum).toBe(2);
    // The nightly state machine's Compute task (or an operator's invoke) beside the queue's two.
    expect(functions()[logicalId(stack.compute.fn)]?.Properties.ReservedConcurrentExecutions).toBe(3);
  });

  it('runs the weekly targets one at a time', () => {
    // Two runs of one week share their staging folder: one would delete the other's parts.
    expect(functions()[logicalId(stack.targets.fn)]?.Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it('grants each role only its own resources', () => {
    const policyOf = (job: keyof ReturnType<typeof jobs>) =>
      JSON.stringify(
        Object.values(resources('AWS::IAM::Policy')).filter(
          (policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([ref(jobs()[job].role)]),
        ),
      );
    const exportsArn = JSON.stringify(arnOf(stack.storage.exports));
    const lakeArn = JSON.stringify(arnOf(stack.storage.lake));
    const tableArn = JSON.stringify(arnOf(stack.storage.table));
    const computeQueueArn = JSON.stringify(arnOf(stack.pipeline.computeQueue));
    expect(policyOf('ingest')).toContain(exportsArn);
    expect(policyOf('ingest')).toContain(computeQueueArn);
    expect(policyOf('ingest')).toContain('sqs:SendMessage');
    for (const job of ['ingest', 'compute', 'targets'] as const) {
      expect(policyOf(job)).toContain(lakeArn);
      expect(policyOf(job)).toContain(tableArn);
      expect(policyOf(job)).toContain('dynamodb:BatchWriteItem');
      expect(policyOf(job)).not.toMatch(/"(s3|dynamodb|sqs):\*"|"\*"/);
    }
    expect(policyOf('compute')).toContain(exportsArn);
    // Its own queue: it reads it and sends back the requests that found the run lock held.
    const onComputeQueue = Object.values(resources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(stack.compute.role)]))
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
      )
      .filter((statement) => JSON.stringify([statement.Resource].flat()) === `[${computeQueueArn}]`)
      .flatMap((statement) => [statement.Action].flat())
      .sort();
    expect(onComputeQueue).toEqual(
      [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(policyOf('targets')).not.toContain(exportsArn);
    expect(policyOf('targets')).not.toContain('sqs:SendMessage');
    // No job role uses a managed policy.
    for (const job of Object.values(jobs())) {
      expect(resources('AWS::IAM::Role')[logicalId(job.role)]?.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('lets the targets job write and delete only its own folders of the lake', () => {
    // It reads the curated exports and its own earlier plans, and writes its staging, its results
    // and its item manifests: a delete under curated/ or quarantine/ is none of its business.
    const lake = logicalId(stack.storage.lake);
    const objects = (prefix: string) =>
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [lake, 'Arn'] }, `/${prefix}*`]] });
    const statements = Object.values(resources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(stack.targets.role)]))
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
      );
    const onLake = (action: string) =>
      statements
        .filter((s) => [s.Action].flat().includes(action))
        .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)))
        .filter((r) => r.includes(lake) && r.includes('/'))
        .sort();
    const written = ['reports/targets/', 'results/targets/', 'staging/results/'].map(objects).sort();
    expect(onLake('s3:DeleteObject')).toEqual(written);
    expect(onLake('s3:PutObject')).toEqual(written);
    expect(onLake('s3:GetObject')).toEqual(
      ['curated/', 'reports/targets/', 'results/targets/', 'staging/results/'].map(objects).sort(),
    );
  });
});

describe('event flow', () => {
  it('sends created and removed exports to the ingest queue', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: Match.arrayWith([
          { Events: ['s3:ObjectCreated:*'], QueueArn: arnOf(stack.pipeline.ingestQueue) },
          { Events: ['s3:ObjectRemoved:*'], QueueArn: arnOf(stack.pipeline.ingestQueue) },
        ]),
      },
    });
  });

  it('feeds ingest one export an invocation, with partial batch failures', () => {
    // Records of a batch are loaded one after another, each within what the invocation has left:
    // in a batch of 10, the later large exports ran out of time and were rejected for good.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.pipeline.ingestQueue),
      FunctionName: ref(stack.ingest.fn),
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('debounces compute requests with a batching window, two batches at most at a time', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.pipeline.computeQueue),
      FunctionName: ref(stack.compute.fn),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 60,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('gives both work queues a dead-letter queue and a visibility timeout of six function timeouts', () => {
    const queues = resources('AWS::SQS::Queue');
    for (const [queue, dlq] of [
      [stack.pipeline.ingestQueue, stack.pipeline.ingestDeadLetterQueue],
      [stack.pipeline.computeQueue, stack.pipeline.computeDeadLetterQueue],
    ] as const) {
      expect(queues[logicalId(queue)]?.Properties).toMatchObject({
        RedrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount: expect.any(Number) },
        VisibilityTimeout: 5400,
      });
    }
  });

  it('encrypts every queue and denies requests without TLS', () => {
    const queues = Object.entries(resources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(6);
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const guarded = Object.values(resources('AWS::SQS::QueuePolicy'))
      .filter((policy) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
      )
      .flatMap((policy) => (policy.Properties.Queues as Array<{ Ref: string }>).map((q) => q.Ref));
    for (const [id] of queues) expect(guarded).toContain(id);
  });
});

describe('schedules', () => {
  it('starts the nightly run (state machine) and runs targets weekly in the business time zone, each with a DLQ and retries', () => {
    for (const [schedule, target, dlq, expression] of [
      [
        stack.schedules.computeSchedule,
        ref(stack.scaleOut.stateMachine),
        stack.schedules.computeDeadLetterQueue,
        'cron(0 3 * * ? *)',
      ],
      [
        stack.schedules.targetsSchedule,
        arnOf(stack.targets.fn),
        stack.schedules.targetsDeadLetterQueue,
        'cron(0 6 ? * MON *)',
      ],
    ] as const) {
      expect(resources('AWS::Scheduler::Schedule')[logicalId(schedule)]?.Properties).toMatchObject({
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: 'Asia/Shanghai',
        State: 'ENABLED',
        Target: {
          Arn: target,
          DeadLetterConfig: { Arn: arnOf(dlq) },
          RetryPolicy: {
            MaximumRetryAttempts: expect.any(Number),
            MaximumEventAgeInSeconds: expect.any(Number),
          },
          Input: '{}',
        },
      });
    }
  });

  it('lets each schedule start or invoke only its target and write only its DLQ', () => {
    for (const [schedule, roleId, grant, dlq] of [
      [
        stack.schedules.computeSchedule,
        'NightlyComputeRole',
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: ref(stack.scaleOut.stateMachine) },
        stack.schedules.computeDeadLetterQueue,
      ],
      [
        stack.schedules.targetsSchedule,
        'WeeklyTargetsRole',
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: [arnOf(stack.targets.fn), { 'Fn::Join': ['', [arnOf(stack.targets.fn), ':*']] }],
        },
        stack.schedules.targetsDeadLetterQueue,
      ],
    ] as const) {
      const role = stack.schedules.node.findChild(roleId);
      expect(resources('AWS::Scheduler::Schedule')[logicalId(schedule)]?.Properties.Target).toMatchObject({
        RoleArn: arnOf(role),
      });
      const policy = Object.values(resources('AWS::IAM::Policy')).find(
        (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(role)]),
      );
      expect(policy?.Properties.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [grant, { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(dlq) }],
      });
    }
  });
});

describe('Glue catalog', () => {
  const tables = () =>
    new Map(
      Object.values(resources('AWS::Glue::Table')).map((t) => {
        const input = t.Properties.TableInput as {
          Name: string;
          Parameters: Record<string, unknown>;
          PartitionKeys: Array<{ Name: string; Type: string }>;
          StorageDescriptor: {
            Columns: Array<{ Name: string; Type: string }>;
            Location: unknown;
            SerdeInfo: unknown;
          };
        };
        return [input.Name, { ...input, DatabaseName: t.Properties.DatabaseName }];
      }),
    );

  it('has exactly one table per result table and curated export kind', () => {
    const expected = [...RESULT_TABLES, ...CURATED_TABLES].map((t) => t.name).sort();
    expect([...tables().keys()].sort()).toEqual(expected);
    template.resourceCountIs('AWS::Glue::Database', 1);
  });

  it.each([...RESULT_TABLES, ...CURATED_TABLES].map((t) => [t.name, t] as const))(
    '%s: Parquet columns with the Glue type of each column type',
    (name, table) => {
      const glue = tables().get(name);
      expect(glue?.DatabaseName).toBe(stack.catalog.databaseName);
      expect(glue?.StorageDescriptor.Columns.map((c) => [c.Name, c.Type])).toEqual(
        table.columns.map((c) => [c.name, EXPECTED_GLUE_TYPE[c.type]]),
      );
      expect(glue?.StorageDescriptor).toMatchObject({
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        Location: { 'Fn::Join': ['', ['s3://', ref(stack.storage.lake), `/${table.prefix}/`]] },
      });
    },
  );

  it('exports and rejects: the current state, one unpartitioned folder (an export is one row, not one per run)', () => {
    for (const name of ['exports', 'rejects']) {
      const glue = tables().get(name);
      expect(glue?.PartitionKeys ?? []).toEqual([]);
      expect(glue?.StorageDescriptor.Location).toEqual({
        'Fn::Join': ['', ['s3://', ref(stack.storage.lake), `/results/${name}/`]],
      });
    }
  });

  it.each(RESULT_TABLES.filter((t) => t.partitionKey).map((t) => [t.name, t] as const))(
    '%s: partitioned by as_of (string) with date partition projection',
    (name, table) => {
      const glue = tables().get(name);
      expect(glue?.PartitionKeys).toEqual([expect.objectContaining({ Name: 'as_of', Type: 'string' })]);
      expect(glue?.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.as_of.type': 'date',
        'projection.as_of.format': 'yyyy-MM-dd',
        // Up to a day past NOW, which Athena reads in UTC: as_of is the business day (Asia/Shanghai,
        // UTC+8), and a run published at 03:00 there is dated a day ahead of UTC until 08:00.
        'projection.as_of.range': '2020-01-01,NOW+1DAYS',
        'projection.as_of.interval': '1',
        'projection.as_of.interval.unit': 'DAYS',
        'storage.location.template': {
          'Fn::Join': ['', ['s3://', ref(stack.storage.lake), `/${table.prefix}/as_of=\${as_of}/`]],
        },
      });
    },
  );

  it('leaves curated tables unpartitioned under curated/<kind>/', () => {
    for (const table of CURATED_TABLES) {
      const glue = tables().get(table.name);
      expect(table.prefix).toMatch(/^curated\/[a-z_]+$/);
      expect(glue?.PartitionKeys).toEqual([]);
      expect(glue?.Parameters).not.toHaveProperty('projection.enabled');
    }
  });
});

describe('Athena', () => {
  it('enforces the workgroup result location, SSE-S3 encryption, the bytes-scanned cutoff and metrics', () => {
    template.resourceCountIs('AWS::Athena::WorkGroup', 1);
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'customer-value-dev',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: config.athenaBytesScannedCutoff,
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          OutputLocation: { 'Fn::Join': ['', ['s3://', ref(stack.storage.lake), '/athena-results/']] },
        },
      },
    });
  });

  it('saves every named query in the workgroup against the Glue database', () => {
    const queries = Object.values(resources('AWS::Athena::NamedQuery'));
    expect(queries).toHaveLength(NAMED_QUERIES.length);
    expect(queries.map((q) => q.Properties.Name).sort()).toEqual(NAMED_QUERIES.map((q) => q.name).sort());
    for (const query of queries) {
      expect(query.Properties).toMatchObject({
        Database: stack.catalog.databaseName,
        WorkGroup: ref(stack.analytics.workGroup),
      });
    }
  });
});

describe('alarms', () => {
  it('publishes to an encrypted, TLS-only topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::SNS::Subscription', 0); // no alarm e-mail configured for dev
  });

  it('alarms on every non-empty DLQ and on every function error and throttle', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .filter((a) => a.MetricName !== 'ClvParameterDrift');
    const topic = ref(stack.monitoring.topic);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [topic],
      });
    }
    const watched = (metric: string) =>
      alarms
        .filter((a) => a.MetricName === metric)
        .map((a) => JSON.stringify((a.Dimensions as Array<{ Value: unknown }>)[0]?.Value))
        .sort();
    const dlqs = [
      stack.pipeline.ingestDeadLetterQueue,
      stack.pipeline.computeDeadLetterQueue,
      stack.schedules.computeDeadLetterQueue,
      stack.schedules.targetsDeadLetterQueue,
    ];
    expect(watched('ApproximateNumberOfMessagesVisible')).toEqual(
      dlqs.map((q) => JSON.stringify({ 'Fn::GetAtt': [logicalId(q), 'QueueName'] })).sort(),
    );
    const fns = [stack.ingest.fn, stack.compute.fn, stack.targets.fn, stack.scaleOutSteps.fn]
      .map((fn) => JSON.stringify(ref(fn)))
      .sort();
    expect(watched('Errors')).toEqual(fns);
    expect(watched('Throttles')).toEqual(fns);
    // Plus the nightly state machine's ExecutionsFailed and ExecutionsTimedOut (test/infra/scale-out.test.ts).
    expect(alarms).toHaveLength(dlqs.length + 2 * fns.length + 2);
  });

  it('alarms when a compute run counts one or more CLV parameter drifts, on the metric the compute function emits', () => {
    const drift = Object.values(resources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .filter((a) => a.MetricName === CLV_DRIFT_METRIC);
    expect(drift).toHaveLength(1);
    // Powertools publishes under the function's namespace with its service name as the dimension.
    const env = (
      resources('AWS::Lambda::Function')[logicalId(stack.compute.fn)]!.Properties as {
        Environment: { Variables: Record<string, string> };
      }
    ).Environment.Variables;
    // The series every function counts drift in (the scale-out steps too) is the compute function's.
    expect(CLV_DRIFT_SERVICE).toBe(env.POWERTOOLS_SERVICE_NAME);
    expect(drift[0]).toMatchObject({
      Namespace: env.POWERTOOLS_METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: env.POWERTOOLS_SERVICE_NAME }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [ref(stack.monitoring.topic)],
    });
    // The metric counts the run's drift warnings as core/clv/drift.ts words them: one per model and scope.
    const row = (model: string, scope: string, parameter: string, value: number) => ({
      model,
      scope,
      parameter,
      value,
    });
    const check = checkParameterDrift(
      [row('bgnbd', 'all', 'r', 1), row('bgnbd', 'all', 'alpha', 1), row('sbg', 'plan=Pro', 'alpha', 1)],
      [row('bgnbd', 'all', 'r', 2), row('bgnbd', 'all', 'alpha', 2), row('sbg', 'plan=Pro', 'alpha', 0.5)],
      { previousAsOf: '2026-01-01', threshold: 0.25 },
    );
    expect(clvDriftWarnings(['export x.csv was loaded twice', ...check.warnings])).toBe(2);
  });
});

describe('outputs', () => {
  it('exports the bucket names, table name and workgroup', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.ExportsBucketName?.Value).toEqual(ref(stack.storage.exports));
    expect(outputs.LakeBucketName?.Value).toEqual(ref(stack.storage.lake));
    expect(outputs.TableName?.Value).toEqual(ref(stack.storage.table));
    expect(outputs.AthenaWorkGroupName?.Value).toEqual(ref(stack.analytics.workGroup));
    // docs/operations.md reruns a day by invoking the compute function by this name.
    expect(outputs.ComputeFunctionName?.Value).toEqual(ref(stack.compute.fn));
  });
});
