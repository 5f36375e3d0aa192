import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { stageConfigFor, stageConfigWithoutCdkJson, synthesize, synthStack } from './synth.ts';

const configFor = stageConfigFor;

describe('stage settings from the CDK context', () => {
  it('defaults to dev: destroy, Asia/Shanghai, nightly 03:00 and Monday 06:00, no alarm e-mail', () => {
    const config = configFor({});
    expect(config).toMatchObject({
      stage: 'dev',
      computeSchedule: 'cron(0 3 * * ? *)',
      targetsSchedule: 'cron(0 6 ? * MON *)',
      timeZone: 'Asia/Shanghai',
      removalPolicy: RemovalPolicy.DESTROY,
      alarmEmail: undefined,
      config: {},
    });
    expect(config.athenaBytesScannedCutoff).toBeGreaterThan(0);
  });

  it('refuses a schedule whose time of day the time zone skips once a year: that night would have no run', () => {
    // EventBridge Scheduler skips an invocation whose local time does not exist (clocks going forward).
    expect(() => configFor({ timeZone: 'Europe/Berlin', computeSchedule: 'cron(30 2 * * ? *)' })).toThrow(
      /^stage dev: computeSchedule: cron\(30 2 \* \* \? \*\) runs at 02:30, which does not exist in Europe\/Berlin on 20\d\d-03-\d\d \(clocks go forward\): EventBridge Scheduler skips that day's run; choose a time that exists every day, such as 03:30$/,
    );
    expect(() => configFor({ timeZone: 'America/New_York', targetsSchedule: 'cron(0 2 ? * SUN *)' })).toThrow(
      /targetsSchedule: .*02:00, which does not exist in America\/New_York/,
    );
    // In EET clocks jump from 03:00: the advice names a time the check takes.
    expect(() => configFor({ timeZone: 'Europe/Helsinki' })).toThrow(
      /runs at 03:00, which does not exist in Europe\/Helsinki on .*such as 04:00$/,
    );
    expect(configFor({ timeZone: 'Europe/Helsinki', computeSchedule: 'cron(0 4 * * ? *)' }).timeZone).toBe(
      'Europe/Helsinki',
    );
    // The defaults hold in the other zones with daylight-saving time.
    for (const timeZone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Europe/London'])
      expect(() => configFor({ timeZone })).not.toThrow();
    expect(configFor({ computeSchedule: 'cron(30 2 * * ? *)' }).computeSchedule).toBe('cron(30 2 * * ? *)');
    expect(configFor({ timeZone: 'Europe/Berlin', computeSchedule: 'rate(1 day)' }).computeSchedule).toBe(
      'rate(1 day)',
    );
  });

  it('refuses at synth a handler configuration the handlers would refuse at every run', () => {
    expect(() => configFor({ config: '{"rows_per_part": 2000000}' })).toThrow(
      'stage dev: config: configuration: rows_per_part: expected a whole number between 1 and 1000000, got 2000000',
    );
    expect(configFor({ config: '{"rows_per_part": 5000}' }).config).toEqual({ rows_per_part: 5000 });
  });

  it('gives dev 8 DynamoDB writes in flight and no warm throughput (the on-demand defaults)', () => {
    expect(configFor({})).toMatchObject({
      dynamodbWriteConcurrency: 8,
      dynamodbWarmWriteUnitsPerSecond: undefined,
      dynamodbWarmReadUnitsPerSecond: undefined,
    });
  });

  it('gives prod 32 DynamoDB writes in flight and a table warmed to 20,000 writes/s and 12,000 reads/s', () => {
    expect(configFor({ stage: 'prod' })).toMatchObject({
      dynamodbWriteConcurrency: 32,
      dynamodbWarmWriteUnitsPerSecond: 20_000,
      dynamodbWarmReadUnitsPerSecond: 12_000,
    });
  });

  it("uses the handlers' write concurrency (16) when no setting names one", () => {
    expect(stageConfigWithoutCdkJson().dynamodbWriteConcurrency).toBe(16);
  });

  it('selects prod with -c stage=prod: retain, a year of logs', () => {
    expect(configFor({ stage: 'prod' })).toMatchObject({
      stage: 'prod',
      removalPolicy: RemovalPolicy.RETAIN,
      logRetention: RetentionDays.ONE_YEAR,
    });
  });

  it('takes command-line overrides of single settings (strings, as -c gives them)', () => {
    const config = configFor({
      stage: 'prod',
      alarmEmail: 'ops@example.com',
      timeZone: 'Europe/Berlin',
      logRetentionDays: '30',
      athenaBytesScannedCutoff: '1000000000',
      config: '{"locale":"zh-CN"}',
      dynamodbWriteConcurrency: '64',
      dynamodbWarmWriteUnitsPerSecond: '30000',
      dynamodbWarmReadUnitsPerSecond: '',
    });
    expect(config).toMatchObject({
      alarmEmail: 'ops@example.com',
      timeZone: 'Europe/Berlin',
      logRetention: RetentionDays.ONE_MONTH,
      athenaBytesScannedCutoff: 1_000_000_000,
      config: { locale: 'zh-CN' },
      dynamodbWriteConcurrency: 64,
      dynamodbWarmWriteUnitsPerSecond: 30_000,
      // `-c name=` (empty) drops the stage's value: the on-demand default.
      dynamodbWarmReadUnitsPerSecond: undefined,
    });
  });

  it('works without cdk.json settings, on the documented defaults', () => {
    expect(stageConfigWithoutCdkJson()).toMatchObject({ stage: 'dev', timeZone: 'Asia/Shanghai' });
  });

  it('rejects unknown stages and bad values with the setting named', () => {
    expect(() => configFor({ stage: 'qa' })).toThrow(/no settings for "qa"/);
    expect(() => configFor({ timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
    expect(() => configFor({ logRetentionDays: '11' })).toThrow(/logRetentionDays/);
    expect(() => configFor({ computeSchedule: '0 2 * * *' })).toThrow(/computeSchedule/);
    expect(() => configFor({ alarmEmail: 'not-an-address' })).toThrow(/alarmEmail/);
  });

  it('rejects DynamoDB settings the handlers or DynamoDB would not take', () => {
    for (const value of ['0', '257', '2.5', 'many']) {
      expect(() => configFor({ dynamodbWriteConcurrency: value }), value).toThrow(/dynamodbWriteConcurrency/);
    }
    // Warm throughput is never lowered: below a new on-demand table's 4,000 writes/s and 12,000 reads/s is a typo.
    expect(() => configFor({ dynamodbWarmWriteUnitsPerSecond: '3999' })).toThrow(
      /dynamodbWarmWriteUnitsPerSecond: must be at least 4,000/,
    );
    expect(() => configFor({ dynamodbWarmReadUnitsPerSecond: '11999' })).toThrow(
      /dynamodbWarmReadUnitsPerSecond: must be at least 12,000/,
    );
    expect(() => configFor({ dynamodbWarmWriteUnitsPerSecond: '20000.5' })).toThrow(
      /dynamodbWarmWriteUnitsPerSecond/,
    );
  });
});

describe('the prod stack', () => {
  const synth = synthStack({ stage: 'prod', alarmEmail: 'ops@example.com' });
  afterAll(() => synth.cleanup());
  const { template, stack, logicalId } = synth;

  it('passes cdk-nag with the same acknowledgments', () => {
    expect(synth.findings.map((f) => `${f.rule} at ${f.path}`)).toEqual([]);
    expect(synth.error).toBeUndefined();
  });

  it('retains buckets, table, key and log groups, and protects the table from deletion', () => {
    const retained = (type: string) =>
      Object.values(template.findResources(type)).every(
        (r) => r.DeletionPolicy === 'Retain' && r.UpdateReplacePolicy === 'Retain',
      );
    for (const type of [
      'AWS::S3::Bucket',
      'AWS::DynamoDB::GlobalTable',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
    ]) {
      expect(retained(type), type).toBe(true);
    }
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
    });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('names its Glue database and workgroup after the stage and uses its cutoff', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'customer_value_prod' } });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'customer-value-prod',
      WorkGroupConfiguration: { BytesScannedCutoffPerQuery: synth.config.athenaBytesScannedCutoff },
    });
  });

  it('warms the table to the stage throughput and passes the stage write concurrency to every job', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      WarmThroughput: { WriteUnitsPerSecond: 20_000, ReadUnitsPerSecond: 12_000 },
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
    for (const job of [stack.ingest, stack.compute, stack.targets]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [logicalId(job.role), 'Arn'] },
        Environment: { Variables: Match.objectLike({ DYNAMODB_WRITE_CONCURRENCY: '32' }) },
      });
    }
  });

  it('e-mails alarms when an address is configured', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(stack.monitoring.topic) },
    });
  });
});

describe('the cdk-nag harness', () => {
  it('catches a finding nobody acknowledged (so a clean report means something)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cval-nag-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Probe');
      new Queue(stack, 'Plain');
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const { findings, error } = synthesize(app, outdir);
      expect(findings.map((f) => f.rule)).toEqual(
        expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
      );
      expect(error).toBeDefined();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
