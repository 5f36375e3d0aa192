import { CfnOutput, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { STEP_TIME_LIMIT_MINUTES } from '../functions/scale-out/contract.ts';
import { Analytics } from './athena.ts';
import { Catalog } from './catalog.ts';
import {
  grantReadExports,
  grantReadWriteLake,
  grantReportQueries,
  grantTableData,
  grantTargetsLake,
} from './grants.ts';
import { JobFunction } from './job-function.ts';
import { COMPUTE_MALLOC_ENVIRONMENT } from './malloc-tuning.ts';
import { Monitoring } from './monitoring.ts';
import { COMPUTE_QUEUE_MAX_CONCURRENCY, Pipeline } from './pipeline.ts';
import { ScaleOut } from './scale-out.ts';
import { Schedules } from './schedules.ts';
import type { StageConfig } from './stage-config.ts';
import { Storage } from './storage.ts';

export interface CustomerValueStackProps extends StackProps {
  config: StageConfig;
}

/**
 * The whole deployment of one stage: storage, the jobs, the nightly state machine, their triggers,
 * the catalog and alarms.
 */
export class CustomerValueStack extends Stack {
  readonly storage: Storage;
  readonly ingest: JobFunction;
  readonly compute: JobFunction;
  readonly targets: JobFunction;
  /** The scale-out steps of the nightly state machine (functions/scale-out/contract.ts). */
  readonly scaleOutSteps: JobFunction;
  readonly scaleOut: ScaleOut;
  readonly pipeline: Pipeline;
  readonly schedules: Schedules;
  readonly catalog: Catalog;
  readonly analytics: Analytics;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: CustomerValueStackProps) {
    super(scope, id, props);
    const { config } = props;
    Tags.of(this).add('project', 'customer-value');
    Tags.of(this).add('stage', config.stage);

    const warm = {
      writeUnitsPerSecond: config.dynamodbWarmWriteUnitsPerSecond,
      readUnitsPerSecond: config.dynamodbWarmReadUnitsPerSecond,
    };
    this.storage = new Storage(this, 'Storage', {
      removalPolicy: config.removalPolicy,
      warmThroughput:
        warm.writeUnitsPerSecond === undefined && warm.readUnitsPerSecond === undefined ? undefined : warm,
    });
    const { exports, lake, table } = this.storage;

    const shared = {
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    };
    const settings = {
      EXPORTS_BUCKET: exports.bucketName,
      LAKE_BUCKET: lake.bucketName,
      TABLE_NAME: table.tableName,
      CVAL_CONFIG: JSON.stringify(config.config),
      DYNAMODB_WRITE_CONCURRENCY: String(config.dynamodbWriteConcurrency),
    };
    this.ingest = new JobFunction(this, 'Ingest', {
      ...shared,
      name: 'ingest',
      description: 'Loads an uploaded export: curated Parquet, quarantine, ingest report',
      // The duplicate check of a transactions export holds ~16 bytes a row: a 2 GB export (~40 M rows)
      // needs ~0.8 GB of it. The size also buys ~1.7 vCPUs: the row path runs on one, compression
      // on the rest.
      memorySize: 3008,
      timeout: Duration.minutes(15),
      environment: settings,
    });
    this.compute = new JobFunction(this, 'Compute', {
      ...shared,
      name: 'compute',
      description: 'Computes profitability, CLV and service ROI for a day and publishes the run',
      // The compute benchmark peaks at about 2.7 GB for 1M customers / 20M transactions before
      // publishing; 6 GB leaves room for the Parquet batch of the customer rows and for growth.
      memorySize: 6144,
      timeout: Duration.minutes(15),
      // One run at a time is the run lock's work (a run is published whole, and two runs of the same
      // day must not interleave). This covers the compute queue's batches in flight and one more,
      // the nightly state machine's or an operator's invoke, so the queue's pollers are never throttled.
      reservedConcurrentExecutions: COMPUTE_QUEUE_MAX_CONCURRENCY + 1,
      environment: { ...settings, BUSINESS_TIME_ZONE: config.timeZone, ...COMPUTE_MALLOC_ENVIRONMENT },
      // The report inlines ECharts; the bundle carries its browser build (read at run time).
      extraFiles: ['node_modules/echarts/dist/echarts.min.js'],
      // The embedded engine: DuckDB runs the set queries of sql/ over the curated Parquet copied to
      // /tmp (about 15 bytes a transaction line, plus DuckDB's spill), so x86_64 and a larger /tmp.
      duckdb: true,
      ephemeralStorageMb: 10240,
    });
    this.targets = new JobFunction(this, 'Targets', {
      ...shared,
      name: 'targets',
      description: 'Re-plans the target breakdown for the week from actuals',
      // 5,000 reps x 4 metrics plan and write ~19M target rows a week (bench/targets.ts): memory
      // buys the CPU (about 1.7 vCPU at 3 GB) and the timeout leaves room past the measured run.
      memorySize: 3008,
      timeout: Duration.minutes(15),
      // One run at a time: two runs of one week (the schedule's event delivered twice, or a manual
      // run beside it) stage under the same run id, and one would delete the other's staged parts
      // before publishing. A second event waits (Lambda retries a throttled asynchronous event).
      reservedConcurrentExecutions: 1,
      // EXPORTS_BUCKET only because the shared settings reader requires it; targets gets no access to it.
      environment: { ...settings, BUSINESS_TIME_ZONE: config.timeZone },
    });
    this.scaleOutSteps = new JobFunction(this, 'ScaleOutSteps', {
      ...shared,
      name: 'scaleOut',
      description:
        'The scale-out steps of the nightly run: plan, summarise, combine, write_customers, publish',
      // The combine step holds every customer's facts at once; the most Lambda offers (about 6 vCPUs).
      memorySize: 10240,
      timeout: Duration.minutes(STEP_TIME_LIMIT_MINUTES),
      environment: { ...settings, BUSINESS_TIME_ZONE: config.timeZone, ...COMPUTE_MALLOC_ENVIRONMENT },
      // Room for a bucket's staged Parquet and the run's staged tables on /tmp, as compute has.
      // No DuckDB: in the cloud Athena runs the set queries of the scale-out path.
      ephemeralStorageMb: 10240,
    });

    grantReadExports(
      this.ingest.role,
      exports,
      'Ingest reads whichever object (and version) finance uploads: keys are <kind>/<any name>, not known in ' +
        'advance. The grant is read-only (GetObject, GetObjectVersion) and limited to the exports bucket.',
    );
    // Every compute run first reconciles the export registry with the bucket (a notification is a
    // hint, the bucket is the truth) and ingests what is missing in-process, through the ingest
    // code path: it lists keys, heads and reads objects, but never writes the bucket. Its lake and
    // table grants below already cover what that ingest path writes.
    grantReadExports(
      this.compute.role,
      exports,
      'Each compute run reconciles the export registry with the whole exports bucket (every <kind>/<any name> ' +
        'key, not known in advance) and ingests what is missing. The grant is read-only (GetObject, ' +
        'GetObjectVersion) and limited to the exports bucket.',
    );
    // The plan step reconciles the registry with the bucket as compute does, before deciding the path.
    grantReadExports(
      this.scaleOutSteps.role,
      exports,
      'The plan step of the nightly run reconciles the export registry with the whole exports bucket (every ' +
        '<kind>/<any name> key, not known in advance) as compute does. The grant is read-only (GetObject, ' +
        'GetObjectVersion) and limited to the exports bucket.',
    );
    for (const job of [this.ingest, this.compute, this.scaleOutSteps]) grantReadWriteLake(job.role, lake);
    grantTargetsLake(this.targets.role, lake);
    for (const job of [this.ingest, this.compute, this.targets, this.scaleOutSteps])
      grantTableData(job.role, table);

    this.pipeline = new Pipeline(this, 'Pipeline', { exports, ingest: this.ingest, compute: this.compute });
    // The nightly run (either engine) hands exports too large to load in its own function to the
    // ingest function, as an S3 notification on its queue (compute.reconcileLoadAboveBytes).
    for (const job of [this.compute, this.scaleOutSteps]) {
      this.pipeline.ingestQueue.grantSendMessages(job.role);
      job.fn.addEnvironment('INGEST_QUEUE_URL', this.pipeline.ingestQueue.queueUrl);
    }
    this.catalog = new Catalog(this, 'Catalog', {
      lake,
      databaseName: `customer_value_${config.stage.replaceAll('-', '_')}`,
    });
    const workGroupName = `customer-value-${config.stage}`;
    this.analytics = new Analytics(this, 'Analytics', {
      lake,
      catalog: this.catalog,
      workGroupName,
      bytesScannedCutoff: config.athenaBytesScannedCutoff,
      removalPolicy: config.removalPolicy,
    });

    // Each run's HTML report is built from Athena queries over these tables.
    this.compute.fn.addEnvironment('ATHENA_WORKGROUP', this.analytics.workGroup.ref);
    this.compute.fn.addEnvironment('GLUE_DATABASE', this.catalog.databaseName);
    grantReportQueries(this.compute.role, workGroupName, this.catalog.databaseName, lake);

    // The plan step names the Glue database in the partition statements it hands to Athena.
    this.scaleOutSteps.fn.addEnvironment('GLUE_DATABASE', this.catalog.databaseName);
    this.scaleOut = new ScaleOut(this, 'ScaleOut', {
      stage: config.stage,
      steps: this.scaleOutSteps.fn,
      compute: this.compute.fn,
      lake,
      workGroup: this.analytics.workGroup,
      databaseName: this.catalog.databaseName,
      maxConcurrency: config.scaleOutMaxConcurrency,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.schedules = new Schedules(this, 'Schedules', {
      nightly: this.scaleOut.stateMachine,
      targets: this.targets.fn,
      computeSchedule: config.computeSchedule,
      targetsSchedule: config.targetsSchedule,
      timeZone: config.timeZone,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmEmail: config.alarmEmail,
      removalPolicy: config.removalPolicy,
      deadLetterQueues: {
        Ingest: this.pipeline.ingestDeadLetterQueue,
        Compute: this.pipeline.computeDeadLetterQueue,
        NightlyComputeSchedule: this.schedules.computeDeadLetterQueue,
        WeeklyTargetsSchedule: this.schedules.targetsDeadLetterQueue,
      },
      functions: {
        Ingest: this.ingest.fn,
        Compute: this.compute.fn,
        Targets: this.targets.fn,
        ScaleOut: this.scaleOutSteps.fn,
      },
      stateMachines: { Nightly: this.scaleOut.stateMachine },
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('ExportsBucketName', exports.bucketName, 'Upload finance exports here as <kind>/<name>.csv[.gz]');
    output(
      'LakeBucketName',
      lake.bucketName,
      'Curated exports, quarantine, results (Parquet) and Athena results',
    );
    output('TableName', table.tableName, 'DynamoDB table of results');
    output('GlueDatabaseName', this.catalog.databaseName, 'Glue database of the Athena tables');
    output('AthenaWorkGroupName', this.analytics.workGroup.ref, 'Athena workgroup with the named queries');
    output(
      'NightlyStateMachineArn',
      this.scaleOut.stateMachine.stateMachineArn,
      'The nightly run; start it with {"as_of": "YYYY-MM-DD"} to rerun a day',
    );
    output(
      'ComputeFunctionName',
      this.compute.fn.functionName,
      'The embedded nightly run; invoke it with {"as_of": "YYYY-MM-DD"} to rerun a small day',
    );
    output('AlarmTopicArn', this.monitoring.topic.topicArn, 'SNS topic of the alarms');
  }
}
