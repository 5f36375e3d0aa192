import { type CfnElement, Duration, type RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  S3JsonItemReader,
  StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  AthenaStartQueryExecution,
  type AthenaStartQueryExecutionJsonPathProps,
  LambdaInvoke,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import type { ScaleOutStep } from '../functions/scale-out/contract.ts';
import { NIGHTLY_RUN_HOURS } from '../functions/scale-out/contract.ts';
import { RUN_FOLDERS } from '../functions/scale-out/run-folder.ts';
import { ATHENA_RESULTS_PREFIX } from './athena.ts';
import { glueReadStatement } from './grants.ts';
import { acknowledge, arnToken } from './nag.ts';

export interface ScaleOutProps {
  stage: string;
  /** The scale-out function: one handler, every step of contract.ts by `step`. */
  steps: IFunction;
  /** The embedded compute function, run when the plan says the day is small enough. */
  compute: IFunction;
  lake: IBucket;
  /** The project's Athena workgroup: the partition queries run there (result location, cutoff). */
  workGroup: CfnWorkGroup;
  databaseName: string;
  /** Summarise and WriteCustomers buckets in flight at most (the stage's scaleOutMaxConcurrency). */
  maxConcurrency: number;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** Where the partition queries UNLOAD the curated rows, by run (functions/ingest/lake-keys.ts). */
export const STAGING_PREFIX = 'staging/';

/** The labels of the Distributed Maps' runs (they name the child executions). */
export const MAP_RUN_LABELS = {
  partition: 'partition',
  summarise: 'summarise',
  writeCustomers: 'write-customers',
} as const;

/**
 * A JSON array in a run's folder as a Distributed Map's items, the key taken from the state. The
 * state machine may read the run folders only: aws-cdk-lib's reader would grant every object of
 * the bucket.
 */
class RunFolderJsonReader extends S3JsonItemReader {
  constructor(
    private readonly lake: IBucket,
    keyPath: string,
  ) {
    super({ bucket: lake, key: JsonPath.stringAt(keyPath) });
  }

  override providePolicyStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.lake.arnForObjects(`${RUN_FOLDERS}*`)],
      }),
    ];
  }
}

/** The whole nightly run may take this long; every step is idempotent by run_id, so the next night reruns. */
export const NIGHTLY_TIMEOUT = Duration.hours(NIGHTLY_RUN_HOURS);

/**
 * Lambda errors worth another try: the service's own failures and throttling (the compute function
 * runs one at a time, so an invocation while an ingest-triggered run holds it is throttled). A
 * function error (the handler threw, ran out of memory or time) is not retried: the run fails.
 */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/** The error (its name) of an invocation that found another run holding the run lock (functions/compute/run-lock.ts). */
export const RUN_LOCKED_ERROR = 'RunLockedError';

/**
 * Athena errors of the StartQueryExecution call itself: retried with the same client request token,
 * so a call that did create its query (a 5xx on the way back) finds it and starts no second one. A
 * query that started and failed is not retried here (an UNLOAD needs an empty target), the run
 * fails and the next one plans again.
 */
export const ATHENA_TRANSIENT_ERRORS = ['Athena.TooManyRequestsException', 'Athena.InternalServerException'];

/**
 * AthenaStartQueryExecution with the grants these queries need instead of aws-cdk-lib's defaults
 * for the task (S3 reads and writes on every bucket, Glue create and delete on the database, Lake
 * Formation): the workgroup, the Glue metadata of one database, reads of the lake's tables and
 * writes under the staging and Athena results prefixes.
 */
class ScopedAthenaQuery extends AthenaStartQueryExecution {
  protected override readonly taskPolicies: PolicyStatement[];

  constructor(
    scope: Construct,
    id: string,
    props: AthenaStartQueryExecutionJsonPathProps & { policies: PolicyStatement[] },
  ) {
    const { policies, ...task } = props;
    super(scope, id, task);
    this.taskPolicies = policies;
  }
}

/** Athena statements of the partition step run at once. */
const PARTITION_STATEMENTS_AT_ONCE = 4;

/**
 * The nightly run as a Step Functions state machine (design.md, "Cloud data flow"): Plan reconciles
 * and decides the path; a small day runs the embedded compute function, a large one partitions the
 * curated rows with Athena (a Distributed Map over the statements), summarises each customer-hash
 * bucket in a second one, combines, writes each bucket's customer_metrics part and lookup items in a
 * third and publishes; a failure lets the run lock go before it fails the execution. The events are
 * those of functions/scale-out/contract.ts.
 */
export class ScaleOut extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ScaleOutProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const workGroupName = props.workGroup.ref;

    const failed = new Fail(this, 'RunFailed', {
      comment: 'The run stays unpublished; every step is idempotent by run_id, so the next night reruns it.',
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const lambdaRetry = {
      errors: LAMBDA_TRANSIENT_ERRORS,
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 8,
      maxDelay: Duration.minutes(5),
      jitterStrategy: JitterType.FULL,
    };
    // A failed run sets its run lock to lapse once its steps can have stopped (the 'release' step),
    // so a new execution (another holder) can rerun the day without waiting out the whole night's
    // limit. The whole state goes: before the plan there may be no run id (see failedRunHolder).
    const releaseRunLock = new LambdaInvoke(this, 'ReleaseRunLock', {
      lambdaFunction: props.steps,
      payload: TaskInput.fromObject({ step: 'release', 'run.$': '$' }),
      retryOnServiceExceptions: false,
      resultPath: JsonPath.DISCARD,
    })
      .addRetry(lambdaRetry)
      // The run's own error is the one to report; the lock then lapses at the run's time limit.
      .addCatch(failed, { errors: ['States.ALL'], resultPath: '$.release_error' });
    releaseRunLock.next(failed);
    const onError = { errors: ['States.ALL'], resultPath: '$.error' };
    /** The scale-out function for one step; `fields` are the event's JSONPath fields besides `step`. */
    const step = (stateId: string, name: ScaleOutStep, fields: Record<string, string>) =>
      new LambdaInvoke(this, stateId, {
        lambdaFunction: props.steps,
        payload: TaskInput.fromObject({ step: name, ...fields }),
        retryOnServiceExceptions: false,
        resultPath: JsonPath.DISCARD,
      })
        .addRetry(lambdaRetry)
        .addCatch(releaseRunLock, onError);
    const run = { 'as_of.$': '$.as_of', 'run_id.$': '$.run_id' };

    // Plan: { step: 'plan', as_of? } with as_of passed on only when the execution input has one.
    const plan = new LambdaInvoke(this, 'Plan', {
      lambdaFunction: props.steps,
      payload: TaskInput.fromJsonPathAt('$'),
      retryOnServiceExceptions: false,
      // The state becomes the ScalePlan.
      outputPath: '$.Payload',
    })
      .addRetry(lambdaRetry)
      .addCatch(releaseRunLock, onError);
    // The execution's name goes with the plan: it names the run lock's holder, so a second execution
    // of the same day stops at its plan instead of sharing the first's folder.
    const execution = { 'execution.$': '$$.Execution.Name' };
    const planEvent = new Choice(this, 'AsOfGiven')
      .when(
        Condition.isPresent('$.as_of'),
        new Pass(this, 'PlanTheDay', {
          parameters: { step: 'plan', 'as_of.$': '$.as_of', ...execution },
        }).next(plan),
      )
      .otherwise(new Pass(this, 'PlanToday', { parameters: { step: 'plan', ...execution } }).next(plan));

    // Small: the embedded compute function, as the schedule used to invoke it, for the planned day.
    const compute = new LambdaInvoke(this, 'Compute', {
      lambdaFunction: props.compute,
      payload: TaskInput.fromObject({ 'as_of.$': '$.as_of' }),
      retryOnServiceExceptions: false,
      resultPath: JsonPath.DISCARD,
    })
      .addRetry(lambdaRetry)
      // A run asked for by uploads may hold the run lock (up to the function's 15 minutes): wait for
      // it rather than fail the night. Over half an hour of tries, no jitter: one invoker waits.
      .addRetry({
        errors: [RUN_LOCKED_ERROR],
        interval: Duration.minutes(1),
        backoffRate: 2,
        maxAttempts: 8,
        maxDelay: Duration.minutes(5),
      })
      .addCatch(releaseRunLock, onError)
      .next(new Succeed(this, 'Computed'));

    // Partition: the plan's Athena statements, each one child of the map waiting for its query (.sync).
    const query = new ScopedAthenaQuery(this, 'PartitionQuery', {
      queryString: JsonPath.stringAt('$.query'),
      // A retry after a 5xx that came once the query was created starts no second UNLOAD: the same
      // token returns the query already started (see the map's itemSelector).
      clientRequestToken: JsonPath.stringAt('$.token'),
      workGroup: workGroupName,
      queryExecutionContext: { databaseName: props.databaseName },
      integrationPattern: IntegrationPattern.RUN_JOB,
      // A child's output is only the query's final state: the map gathers every child's output,
      // capped at 256 KiB, and the statements themselves would take it there.
      resultSelector: { 'state.$': '$.QueryExecution.Status.State' },
      policies: athenaPolicies(stack, props, workGroupName),
    }).addRetry({
      errors: ATHENA_TRANSIENT_ERRORS,
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 6,
      jitterStrategy: JitterType.FULL,
    });
    // The statements are independent (each writes its own folder): a few at a time, well within
    // Athena's concurrent DML queries. They are read from the run's folder, not passed in the state:
    // each lists its table's export ids, and a state's data is capped at 256 KiB.
    const partition = new DistributedMap(this, 'Partition', {
      itemReader: new RunFolderJsonReader(props.lake, '$.partition_queries_key'),
      // The token: one per statement of this execution (64 hex digits, within Athena's 32-128),
      // the same on each retry of its task, another on the next night's run of the same statement.
      itemSelector: {
        'query.$': '$$.Map.Item.Value',
        token: JsonPath.hash(
          JsonPath.format('{}/{}', JsonPath.executionId, JsonPath.stringAt('$$.Map.Item.Index')),
          'SHA-256',
        ),
      },
      maxConcurrency: PARTITION_STATEMENTS_AT_ONCE,
      toleratedFailurePercentage: 0,
      label: MAP_RUN_LABELS.partition,
      resultPath: JsonPath.DISCARD,
    })
      .itemProcessor(query)
      .addCatch(releaseRunLock, onError);

    // Summarise and WriteCustomers: one child execution per customer-hash bucket; a failed bucket fails the
    // map (and the run).
    const perBucket = (stateId: string, name: ScaleOutStep, label: string) =>
      new DistributedMap(this, stateId, {
        itemsPath: '$.buckets',
        itemSelector: { ...run, 'bucket.$': '$$.Map.Item.Value.bucket' },
        maxConcurrency: props.maxConcurrency,
        toleratedFailurePercentage: 0,
        label,
        resultPath: JsonPath.DISCARD,
      })
        .itemProcessor(
          // Each child's output is just the status code: the map gathers every child's output, and
          // Step Functions caps that at 256 KiB.
          new LambdaInvoke(this, `${stateId}Bucket`, {
            lambdaFunction: props.steps,
            payload: TaskInput.fromObject({ step: name, ...run, 'bucket.$': '$.bucket' }),
            retryOnServiceExceptions: false,
            outputPath: '$.StatusCode',
          }).addRetry(lambdaRetry),
        )
        .addCatch(releaseRunLock, onError);

    plan.next(
      new Choice(this, 'ScaleOutOrEmbedded')
        .when(Condition.booleanEquals('$.scale_out', false), compute)
        .otherwise(
          partition
            .next(perBucket('Summarise', 'summarise', MAP_RUN_LABELS.summarise))
            .next(step('Combine', 'combine', run))
            .next(perBucket('WriteCustomers', 'write_customers', MAP_RUN_LABELS.writeCustomers))
            .next(step('Publish', 'publish', { ...run, 'execution.$': '$.execution' }))
            .next(new Succeed(this, 'Published')),
        ),
    );

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `customer-value-${props.stage}-nightly`,
      comment: 'customer-value nightly run: plan, then the embedded compute or the scale-out steps',
      definitionBody: DefinitionBody.fromChainable(planEvent),
      timeout: NIGHTLY_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    this.acknowledgeFindings(props);
  }

  /** The cdk-nag findings of the state machine's grants, each with the reason it is accepted. */
  private acknowledgeFindings(props: ScaleOutProps): void {
    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    for (const fn of [props.steps, props.compute]) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${arnToken(fn)}:*]`,
        'aws-cdk-lib grants lambda:InvokeFunction on the function and on <function ARN>:*, its versions and ' +
          'aliases. The wildcard spans qualifiers of this one function only.',
      );
    }
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Two grants aws-cdk-lib adds for the state machine: X-Ray tracing (xray:PutTraceSegments and friends) and ' +
        'the CloudWatch Logs delivery of its execution log (logs:CreateLogDelivery and friends). Neither ' +
        'service supports resource-level permissions for these actions.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${nagArn(stack, 'glue', `table/${props.databaseName}/*`)}]`,
      'The partition queries read the curated tables of the project database; the grant is read-only Glue ' +
        'metadata (GetTable, GetPartitions) limited to that one database.',
    );
    const lake = arnToken(props.lake);
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${lake}/curated/*]`,
      'Athena reads with the rights of the caller: the partition queries read the Parquet of every export that ' +
        'counts (curated/<kind>/export_id=<id>/, ids known at run time). Read-only (GetObject), lake only.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${lake}/results/*]`,
      'Athena reads the tables a partition query names with the rights of the caller; the result tables (such ' +
        'as the export registry, results/exports/) live under results/. Read-only (GetObject), lake only.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${lake}/${STAGING_PREFIX}*]`,
      'The partition queries UNLOAD the curated rows into the staging folder of the run, whose keys hold the ' +
        'run id and bucket known only at run time. Write-only (PutObject, multipart), under staging/ of the lake.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${lake}/${RUN_FOLDERS}*]`,
      "The Partition map reads the run's Athena statements from its folder (staging/scale-out/<run_id>/, " +
        'the run id known at run time). Read-only (GetObject), under the run folders of the lake.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${lake}/${ATHENA_RESULTS_PREFIX}*]`,
      'Athena writes the result and manifest files of each query with the rights of the caller, under the ' +
        'enforced result location of the workgroup (query ids known at run time). Write-only, athena-results/.',
    );
    // The Distributed Maps start child executions of this state machine; aws-cdk-lib grants describing,
    // stopping and redriving them on the machine's executions (named by a token of its ARN).
    const machine = this.stateMachine.node.defaultChild as CfnElement;
    const name = JSON.stringify({
      'Fn::Select': [6, { 'Fn::Split': [':', { Ref: stack.getLogicalId(machine) }] }],
    });
    const distributedMapPolicy = this.stateMachine.node.findChild('DistributedMapPolicy');
    for (const label of ['', ...Object.values(MAP_RUN_LABELS).map((l) => `/${l}`)]) {
      acknowledge(
        distributedMapPolicy,
        `AwsSolutions-IAM5[Resource::${nagArn(stack, 'states', `execution:${name}${label}:*`)}]`,
        'aws-cdk-lib grants a state machine with Distributed Map states states:DescribeExecution, ' +
          'StopExecution and RedriveExecution on its own executions (and the child executions of its map runs), ' +
          'whose ids are known only at run time. The wildcard spans executions of this one state machine.',
      );
    }
  }
}

/**
 * What a partition query needs, as the caller's rights (Athena acts with them): run and watch
 * queries in the project's workgroup (StopQueryExecution when an execution is stopped mid-query),
 * read the Glue metadata of the project database, read the lake objects of its tables (all under
 * curated/ and results/), and write the UNLOAD output under staging/ and the query's result files
 * under the workgroup's enforced result location.
 */
function athenaPolicies(stack: Stack, props: ScaleOutProps, workGroupName: string): PolicyStatement[] {
  const { lake, databaseName } = props;
  return [
    new PolicyStatement({
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'],
      resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroupName })],
    }),
    new PolicyStatement({
      actions: ['athena:GetDataCatalog'],
      resources: [
        stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' }),
      ],
    }),
    glueReadStatement(stack, databaseName),
    new PolicyStatement({
      actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      resources: [lake.bucketArn],
    }),
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [lake.arnForObjects('curated/*'), lake.arnForObjects('results/*')],
    }),
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [lake.arnForObjects(`${STAGING_PREFIX}*`), lake.arnForObjects(`${ATHENA_RESULTS_PREFIX}*`)],
    }),
  ];
}

/** An ARN as cdk-nag writes it in a finding: literal region and partition when the stack has them. */
function nagArn(stack: Stack, service: string, resource: string): string {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const partition = Token.isUnresolved(stack.region)
    ? '<AWS::Partition>'
    : (RegionInfo.get(stack.region).partition ?? 'aws');
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}
