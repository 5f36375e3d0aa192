import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunLockedError } from '../../functions/compute/run-lock.ts';
import { HANDLER_ENTRIES, PROJECT_ROOT } from '../../infra/handler-entries.ts';
import { RUN_LOCKED_ERROR } from '../../infra/scale-out.ts';
import { stageConfigFor, stageConfigWithoutCdkJson, synthStack } from './synth.ts';

// One synthesis (bundling skipped) shared by every test of this file.
const synth = synthStack();
const { template, stack, config, logicalId } = synth;
afterAll(() => synth.cleanup());

type Resource = { Type: string; Properties: Record<string, unknown> };
type Json = Record<string, unknown>;
interface State extends Json {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Json;
  Retry?: Array<{ ErrorEquals: string[]; BackoffRate?: number; MaxAttempts?: number }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string }>;
  ItemProcessor?: { ProcessorConfig: Json; StartAt: string; States: Record<string, State> };
}
interface Definition {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

const resources = (type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;
const ref = (construct: Parameters<typeof logicalId>[0]) => ({ Ref: logicalId(construct) });
const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
  'Fn::GetAtt': [logicalId(construct), 'Arn'],
});

const machine = () => resources('AWS::StepFunctions::StateMachine')[logicalId(stack.scaleOut.stateMachine)];

/** A token of the definition's Fn::Join as a placeholder: `<Ref:Id>` or `<Id.Attribute>`. */
function placeholder(token: unknown): string {
  const { Ref, 'Fn::GetAtt': getAtt } = token as { Ref?: string; 'Fn::GetAtt'?: string[] };
  if (Ref) return `<Ref:${Ref}>`;
  if (getAtt) return `<${getAtt.join('.')}>`;
  throw new Error(`unexpected token in the definition: ${JSON.stringify(token)}`);
}

/** The Amazon States Language of the state machine, its tokens replaced by placeholders. */
function definition(): Definition {
  const body = machine()?.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const [separator, parts] = body['Fn::Join'];
  return JSON.parse(
    parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join(separator),
  ) as Definition;
}

/** Every state, the nested ones of map item processors included, by name. */
function allStates(states: Record<string, State> = definition().States): Map<string, State> {
  const found = new Map<string, State>();
  for (const [name, state] of Object.entries(states)) {
    found.set(name, state);
    for (const [inner, nested] of allStates(state.ItemProcessor?.States ?? {})) found.set(inner, nested);
  }
  return found;
}

const state = (name: string): State => {
  const found = allStates().get(name);
  if (!found) throw new Error(`no state ${name}`);
  return found;
};

const stepsFnArn = () => `<${logicalId(stack.scaleOutSteps.fn)}.Arn>`;
const LAMBDA_INVOKE = 'arn:<Ref:AWS::Partition>:states:::lambda:invoke';
const ATHENA_SYNC = 'arn:<Ref:AWS::Partition>:states:::athena:startQueryExecution.sync';

describe('the nightly state machine', () => {
  it('is one state machine named for the stage, with a 2 h timeout, ALL-level logs and X-Ray tracing', () => {
    expect(Object.keys(resources('AWS::StepFunctions::StateMachine'))).toEqual([
      logicalId(stack.scaleOut.stateMachine),
    ]);
    expect(machine()?.Properties).toMatchObject({
      StateMachineName: 'customer-value-dev-nightly',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf(stack.scaleOut.logGroup) } }],
      },
    });
    expect(definition().TimeoutSeconds).toBe(7200);
    expect(resources('AWS::Logs::LogGroup')[logicalId(stack.scaleOut.logGroup)]?.Properties).toMatchObject({
      RetentionInDays: 14, // dev's logRetentionDays in cdk.json
    });
  });

  it("plans with { step: plan } and the execution's name (the run lock's holder), and passes as_of on only when the execution input has one", () => {
    const asl = definition();
    expect(asl.StartAt).toBe('AsOfGiven');
    expect(state('AsOfGiven')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.as_of', IsPresent: true, Next: 'PlanTheDay' }],
      Default: 'PlanToday',
    });
    expect(state('PlanTheDay')).toEqual({
      Type: 'Pass',
      Parameters: { step: 'plan', 'as_of.$': '$.as_of', 'execution.$': '$$.Execution.Name' },
      Next: 'Plan',
    });
    expect(state('PlanToday')).toEqual({
      Type: 'Pass',
      Parameters: { step: 'plan', 'execution.$': '$$.Execution.Name' },
      Next: 'Plan',
    });
    expect(state('Plan')).toMatchObject({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: { FunctionName: stepsFnArn(), 'Payload.$': '$' },
      // The state becomes the ScalePlan the function returns.
      OutputPath: '$.Payload',
      Next: 'ScaleOutOrEmbedded',
    });
  });

  it('runs the embedded compute function for the planned day when the plan says scale_out is false', () => {
    expect(state('ScaleOutOrEmbedded')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.scale_out', BooleanEquals: false, Next: 'Compute' }],
      Default: 'Partition',
    });
    expect(state('Compute')).toMatchObject({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: `<${logicalId(stack.compute.fn)}.Arn>`,
        Payload: { 'as_of.$': '$.as_of' },
      },
      ResultPath: null,
      Next: 'Computed',
    });
    expect(state('Computed').Type).toBe('Succeed');
  });

  it("runs the partition queries four at a time, read from the run's folder, each as an Athena query (.sync) in the project workgroup", () => {
    const partition = state('Partition');
    expect(partition).toMatchObject({
      Type: 'Map',
      // From the lake, not the state: the statements list export ids, and a state holds 256 KiB.
      ItemReader: {
        Resource: 'arn:<Ref:AWS::Partition>:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: `<Ref:${logicalId(stack.storage.lake)}>`, 'Key.$': '$.partition_queries_key' },
      },
      ItemSelector: {
        'query.$': '$$.Map.Item.Value',
        // One token per statement of one execution: a retried StartQueryExecution (a 5xx after
        // the query was created) finds its query instead of starting a second UNLOAD.
        'token.$': "States.Hash(States.Format('{}/{}', $$.Execution.Id, $$.Map.Item.Index), 'SHA-256')",
      },
      MaxConcurrency: 4,
      Label: 'partition',
      ResultPath: null,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'PartitionQuery' },
      Next: 'Summarise',
    });
    expect(partition.ItemsPath).toBeUndefined();
    // A child's output is its query's state, not the statement: the map gathers them (256 KiB).
    expect(state('PartitionQuery')?.ResultSelector).toEqual({ 'state.$': '$.QueryExecution.Status.State' });
    expect(state('PartitionQuery')?.ResultPath).toBeUndefined();
    expect(state('PartitionQuery')).toMatchObject({
      Type: 'Task',
      Resource: ATHENA_SYNC,
      Parameters: {
        'QueryString.$': '$.query',
        'ClientRequestToken.$': '$.token',
        WorkGroup: `<Ref:${logicalId(stack.analytics.workGroup)}>`,
        QueryExecutionContext: { Database: 'customer_value_dev' },
      },
    });
    expect(stack.catalog.databaseName).toBe('customer_value_dev');
    const athenaTasks = [...allStates().values()].filter((s) => s.Resource === ATHENA_SYNC);
    expect(athenaTasks).toHaveLength(1);
  });

  it.each([
    ['Summarise', 'summarise', 'Combine'],
    ['WriteCustomers', 'write_customers', 'Publish'],
  ])('%s: a Distributed Map over the plan buckets, each bucket one %s invocation', (name, step, next) => {
    const map = state(name);
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.buckets',
      ItemSelector: { 'as_of.$': '$.as_of', 'run_id.$': '$.run_id', 'bucket.$': '$$.Map.Item.Value.bucket' },
      MaxConcurrency: 8, // dev's scaleOutMaxConcurrency in cdk.json
      ResultPath: null,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      Next: next,
    });
    // No failed bucket is tolerated: Step Functions' default is 0 (aws-cdk-lib leaves a 0 out).
    expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(map.ToleratedFailureCount ?? 0).toBe(0);
    const processor = map.ItemProcessor;
    expect(Object.keys(processor?.States ?? {})).toEqual([`${name}Bucket`]);
    expect(processor?.States[`${name}Bucket`]).toMatchObject({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: stepsFnArn(),
        Payload: { step, 'as_of.$': '$.as_of', 'run_id.$': '$.run_id', 'bucket.$': '$.bucket' },
      },
      End: true,
    });
  });

  it('combines after Summarise and publishes last, then succeeds', () => {
    expect(state('Combine')).toMatchObject({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: stepsFnArn(),
        Payload: { step: 'combine', 'as_of.$': '$.as_of', 'run_id.$': '$.run_id' },
      },
      ResultPath: null,
      Next: 'WriteCustomers',
    });
    expect(state('Publish')).toMatchObject({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: stepsFnArn(),
        // The plan's execution: publish lets the run lock go as the holder that took it.
        Payload: {
          step: 'publish',
          'as_of.$': '$.as_of',
          'run_id.$': '$.run_id',
          'execution.$': '$.execution',
        },
      },
      ResultPath: null,
      Next: 'Published',
    });
    expect(state('Published').Type).toBe('Succeed');
  });

  it('retries every Lambda task on transient Lambda errors with backoff, and the Athena task on throttling', () => {
    const lambdaTasks = [...allStates()].filter(([, s]) => s.Resource === LAMBDA_INVOKE);
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual(
      [
        'Plan',
        'Compute',
        'SummariseBucket',
        'Combine',
        'WriteCustomersBucket',
        'Publish',
        'ReleaseRunLock',
      ].sort(),
    );
    for (const [name, task] of lambdaTasks) {
      expect(task.Retry, name).toHaveLength(name === 'Compute' ? 2 : 1);
      const [retry] = task.Retry ?? [];
      expect(retry?.ErrorEquals, name).toEqual(
        expect.arrayContaining([
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
        ]),
      );
      // A function error (the handler threw) is not retried: the run fails and the next night reruns.
      expect(retry?.ErrorEquals, name).not.toContain('States.ALL');
      expect(retry?.BackoffRate, name).toBe(2);
      expect(retry?.MaxAttempts, name).toBeGreaterThanOrEqual(3);
    }
    // Compute alone also waits out a run asked for by uploads that holds the run lock (the compute
    // function's 15 minutes) instead of failing the night.
    expect(new RunLockedError('compute:2026-12-06:r1', new Date()).name).toBe(RUN_LOCKED_ERROR);
    const [, locked] = state('Compute').Retry ?? [];
    expect(locked).toEqual({
      ErrorEquals: [RUN_LOCKED_ERROR],
      IntervalSeconds: 60,
      BackoffRate: 2,
      MaxAttempts: 8,
      MaxDelaySeconds: 300,
    });
    expect(state('PartitionQuery').Retry).toEqual([
      expect.objectContaining({
        ErrorEquals: ['Athena.TooManyRequestsException', 'Athena.InternalServerException'],
        BackoffRate: 2,
      }),
    ]);
  });

  it('sends any failure of a top-level task or map, through the release of its run lock, to the Fail state, with the error and cause', () => {
    const { States } = definition();
    const guarded = Object.entries(States).filter(
      ([name, s]) => (s.Type === 'Task' || s.Type === 'Map') && name !== 'ReleaseRunLock',
    );
    expect(guarded.map(([name]) => name).sort()).toEqual(
      ['Plan', 'Compute', 'Partition', 'Summarise', 'Combine', 'WriteCustomers', 'Publish'].sort(),
    );
    for (const [name, s] of guarded) {
      expect(s.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ReleaseRunLock' },
      ]);
    }
    // The whole state goes to the release (no run id before the plan), then the run's own error out.
    expect(States.ReleaseRunLock).toMatchObject({
      Type: 'Task',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: `<${logicalId(stack.scaleOutSteps.fn)}.Arn>`,
        Payload: { step: 'release', 'run.$': '$' },
      },
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.release_error', Next: 'RunFailed' }],
      Next: 'RunFailed',
    });
    expect(States.RunFailed).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });
});

describe('the state machine role', () => {
  const statements = () => {
    const role = stack.scaleOut.stateMachine.role;
    return Object.values(resources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(role)]))
      .flatMap(
        (p) =>
          (
            p.Properties.PolicyDocument as {
              Statement: Array<{ Action: string | string[]; Resource: unknown }>;
            }
          ).Statement,
      )
      .map((s) => ({ actions: [s.Action].flat(), resources: [s.Resource].flat() }));
  };
  const workGroupArn = () => ({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':athena:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':workgroup/',
        ref(stack.analytics.workGroup),
      ],
    ],
  });

  it('allows athena:StartQueryExecution (and watching and stopping it) on the project workgroup only', () => {
    const athena = statements().filter((s) => s.actions.some((a) => a.startsWith('athena:')));
    const start = athena.filter((s) => s.actions.includes('athena:StartQueryExecution'));
    expect(start).toEqual([
      {
        actions: ['athena:GetQueryExecution', 'athena:StartQueryExecution', 'athena:StopQueryExecution'],
        resources: [workGroupArn()],
      },
    ]);
  });

  it('reads the Glue metadata of the project database, the tables and the run folders, and writes only under staging/ and athena-results/', () => {
    const lake = arnOf(stack.storage.lake);
    const objects = (suffix: string) => ({ 'Fn::Join': ['', [lake, suffix]] });
    const all = statements();
    expect(all).toContainEqual({
      actions: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:PutObject'],
      resources: [objects('/athena-results/*'), objects('/staging/*')],
    });
    // Athena's reads of the tables, and the Partition map's reader of the run folders (aws-cdk-lib's
    // reader would grant every object of the bucket).
    const reads = all.filter((s) => s.actions.includes('s3:GetObject'));
    expect(reads).toEqual([
      {
        actions: ['s3:GetObject'],
        resources: [objects('/curated/*'), objects('/results/*'), objects('/staging/scale-out/*')],
      },
    ]);
    const writes = all.filter((s) => s.actions.some((a) => /^s3:(Put|Delete)/.test(a)));
    expect(writes).toHaveLength(1);
    const glue = all.filter((s) => s.actions.some((a) => a.startsWith('glue:')));
    expect(glue).toHaveLength(1);
    expect(glue[0]?.actions).toEqual([
      'glue:GetDatabase',
      'glue:GetPartition',
      'glue:GetPartitions',
      'glue:GetTable',
      'glue:GetTables',
    ]);
    expect(JSON.stringify(glue[0]?.resources)).toContain(':table/customer_value_dev/*');
  });

  it('grants nothing on "*" but X-Ray and the log delivery (no S3, Glue or Lake Formation wildcard)', () => {
    const wildcard = statements().filter((s) => s.resources.includes('*'));
    expect(wildcard.flatMap((s) => s.actions).every((a) => /^(xray|logs):/.test(a))).toBe(true);
    expect(wildcard.flatMap((s) => s.actions)).toContain('xray:PutTraceSegments');
  });

  it('invokes only the scale-out and compute functions', () => {
    const invoke = statements().filter((s) => s.actions.includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]?.resources).toEqual([
      arnOf(stack.compute.fn),
      arnOf(stack.scaleOutSteps.fn),
      { 'Fn::Join': ['', [arnOf(stack.compute.fn), ':*']] },
      { 'Fn::Join': ['', [arnOf(stack.scaleOutSteps.fn), ':*']] },
    ]);
  });
});

describe('the scale-out function', () => {
  const fn = () => resources('AWS::Lambda::Function')[logicalId(stack.scaleOutSteps.fn)];

  it('runs functions/scale-out/handler.ts', () => {
    expect(HANDLER_ENTRIES.scaleOut).toBe('functions/scale-out/handler.ts');
    expect(existsSync(join(PROJECT_ROOT, HANDLER_ENTRIES.scaleOut))).toBe(true);
  });

  it('has 10 GB of memory, 15 minutes, 10 GB of /tmp, arm64 (no DuckDB) and the compute settings', () => {
    expect(fn()?.Properties).toMatchObject({
      MemorySize: 10240,
      Timeout: 900,
      EphemeralStorage: { Size: 10240 },
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: ref(stack.scaleOutSteps.logGroup) },
      Environment: {
        Variables: expect.objectContaining({
          POWERTOOLS_SERVICE_NAME: 'customer-value-scaleOut',
          EXPORTS_BUCKET: ref(stack.storage.exports),
          LAKE_BUCKET: ref(stack.storage.lake),
          TABLE_NAME: ref(stack.storage.table),
          CVAL_CONFIG: '{}',
          DYNAMODB_WRITE_CONCURRENCY: '8',
          BUSINESS_TIME_ZONE: 'Asia/Shanghai',
          MALLOC_MMAP_THRESHOLD_: '131072',
          // The database the plan step's partition statements read (functions/scale-out/handler.ts).
          GLUE_DATABASE: 'customer_value_dev',
        }),
      },
    });
  });

  it('reads the exports bucket and reads and writes the lake and the table', () => {
    const statementsOf = Object.values(resources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(stack.scaleOutSteps.role)]))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    const objects = (bucket: Parameters<typeof arnOf>[0]) => ({ 'Fn::Join': ['', [arnOf(bucket), '/*']] });
    expect(statementsOf).toContainEqual(
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: objects(stack.storage.exports),
      }),
    );
    expect(statementsOf).toContainEqual(
      expect.objectContaining({
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: objects(stack.storage.lake),
      }),
    );
    expect(statementsOf).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['dynamodb:BatchWriteItem', 'dynamodb:Query', 'dynamodb:PutItem']),
      }),
    );
    // Writing the exports bucket is never granted.
    expect(JSON.stringify(statementsOf)).not.toMatch(
      new RegExp(`"s3:PutObject"[^}]*${logicalId(stack.storage.exports)}`),
    );
  });
});

describe('triggers, alarms and outputs', () => {
  it('starts the state machine nightly with {} (today in the business time zone), with a DLQ and retries', () => {
    expect(
      resources('AWS::Scheduler::Schedule')[logicalId(stack.schedules.computeSchedule)]?.Properties,
    ).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      Target: {
        Arn: ref(stack.scaleOut.stateMachine),
        Input: '{}',
        DeadLetterConfig: { Arn: arnOf(stack.schedules.computeDeadLetterQueue) },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
      },
    });
    const role = stack.schedules.node.findChild('NightlyComputeRole');
    const policy = Object.values(resources('AWS::IAM::Policy')).find(
      (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(role)]),
    );
    expect(policy?.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: ref(stack.scaleOut.stateMachine) },
        {
          Action: 'sqs:SendMessage',
          Effect: 'Allow',
          Resource: arnOf(stack.schedules.computeDeadLetterQueue),
        },
      ],
    });
  });

  it('alarms on failed and timed-out executions of the state machine, and on the function errors and throttles', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const onMachine = alarms.filter(
      (a) =>
        JSON.stringify(a.Dimensions) ===
        JSON.stringify([{ Name: 'StateMachineArn', Value: ref(stack.scaleOut.stateMachine) }]),
    );
    expect(onMachine.map((a) => a.MetricName).sort()).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
    for (const alarm of onMachine) {
      expect(alarm).toMatchObject({
        Namespace: 'AWS/States',
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [ref(stack.monitoring.topic)],
      });
    }
    const onFunction = alarms.filter(
      (a) =>
        JSON.stringify(a.Dimensions) ===
        JSON.stringify([{ Name: 'FunctionName', Value: ref(stack.scaleOutSteps.fn) }]),
    );
    expect(onFunction.map((a) => a.MetricName).sort()).toEqual(['Errors', 'Throttles']);
  });

  it('outputs the state machine ARN', () => {
    expect(template.findOutputs('*').NightlyStateMachineArn?.Value).toEqual(ref(stack.scaleOut.stateMachine));
  });
});

describe('scaleOutMaxConcurrency', () => {
  const configFor = stageConfigFor;

  it('is 8 in dev, 40 in prod and 8 without cdk.json, and takes a -c override', () => {
    expect(config.scaleOutMaxConcurrency).toBe(8);
    expect(configFor({ stage: 'prod' }).scaleOutMaxConcurrency).toBe(40);
    expect(stageConfigWithoutCdkJson().scaleOutMaxConcurrency).toBe(8);
    expect(configFor({ scaleOutMaxConcurrency: '100' }).scaleOutMaxConcurrency).toBe(100);
  });

  it('rejects values a Distributed Map or the account could not take', () => {
    for (const value of ['0', '1001', '2.5', 'many']) {
      expect(() => configFor({ scaleOutMaxConcurrency: value }), value).toThrow(/scaleOutMaxConcurrency/);
    }
  });
});
