import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import { parseConfig } from '../core/config.ts';
import { firstSkippedDay } from './skipped-local-time.ts';

/**
 * Per-stage settings, read from the CDK context: `stages.<stage>` in cdk.json, selected with
 * `-c stage=dev|prod` (default dev). Any setting can be overridden on the command line with a
 * top-level context key of the same name, e.g. `-c alarmEmail=ops@example.com`.
 */
export interface StageConfig {
  stage: string;
  /** EventBridge Scheduler expression of the nightly compute run. */
  computeSchedule: string;
  /** EventBridge Scheduler expression of the weekly targets run. */
  targetsSchedule: string;
  /** IANA time zone of both schedules and of the business day (BUSINESS_TIME_ZONE). */
  timeZone: string;
  logRetention: RetentionDays;
  /** Where alarms are e-mailed; none when absent. */
  alarmEmail: string | undefined;
  removalPolicy: RemovalPolicy;
  /** Athena workgroup per-query cutoff, in bytes scanned. */
  athenaBytesScannedCutoff: number;
  /** Handler configuration, passed as CVAL_CONFIG (JSON). */
  config: Record<string, unknown>;
  /** BatchWriteItem calls each function keeps in flight at most (DYNAMODB_WRITE_CONCURRENCY). */
  dynamodbWriteConcurrency: number;
  /**
   * Warm throughput of the table (units per second it serves at once, ahead of on-demand scaling);
   * undefined leaves DynamoDB's default for a new on-demand table (4,000 writes/s, 12,000 reads/s).
   */
  dynamodbWarmWriteUnitsPerSecond: number | undefined;
  dynamodbWarmReadUnitsPerSecond: number | undefined;
  /**
   * Buckets the nightly state machine's Distributed Maps (Summarise, WriteCustomers) run at once: each is
   * a scale-out function invocation of 10 GB, drawn from the account's Lambda concurrency.
   */
  scaleOutMaxConcurrency: number;
}

const DEFAULTS = {
  // 03:00 exists every day in most zones with daylight-saving time, where 02:00 does not; not in
  // EET (Helsinki, Athens: 03:00 -> 04:00), which the check below refuses with a time that does.
  computeSchedule: 'cron(0 3 * * ? *)',
  targetsSchedule: 'cron(0 6 ? * MON *)',
  timeZone: 'Asia/Shanghai',
  logRetentionDays: 30,
  removalPolicy: 'destroy',
  athenaBytesScannedCutoff: 10 * 1024 ** 3,
  // The handlers' own default when the variable is absent (functions/adapters/settings.ts).
  dynamodbWriteConcurrency: 16,
  scaleOutMaxConcurrency: 8,
};

/**
 * What a new on-demand table serves at once without warming. Warm throughput can only be raised
 * (DynamoDB never lowers it), so a setting below these would either fail or do nothing.
 */
export const ON_DEMAND_WARM_DEFAULTS = { writeUnitsPerSecond: 4_000, readUnitsPerSecond: 12_000 };

/** A warm throughput setting: absent (or `-c name=` empty) for the default, else at least `minimum`. */
const warmUnits = (minimum: number) =>
  z.preprocess(
    (value) => (value === '' || value === null ? undefined : value),
    z.coerce
      .number()
      .int('must be a whole number of units per second')
      .min(minimum, `must be at least ${minimum.toLocaleString('en')} (a new on-demand table starts there)`)
      .optional(),
  );

const RETENTION_VALUES = new Set<number>(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);

const scheduleExpression = z
  .string()
  .regex(/^(cron|rate|at)\(.+\)$/, 'must be a scheduler expression such as cron(0 3 * * ? *)');

const StageSchema = z.object({
  computeSchedule: scheduleExpression.default(DEFAULTS.computeSchedule),
  targetsSchedule: scheduleExpression.default(DEFAULTS.targetsSchedule),
  timeZone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai')
    .default(DEFAULTS.timeZone),
  logRetentionDays: z.coerce
    .number()
    .refine(
      (days) => RETENTION_VALUES.has(days),
      'must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, ...)',
    )
    .default(DEFAULTS.logRetentionDays),
  alarmEmail: z
    .string()
    .optional()
    .transform((email) => (email?.trim() ? email.trim() : undefined))
    .refine(
      (email) => email === undefined || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email),
      'must be an e-mail address',
    ),
  removalPolicy: z.enum(['destroy', 'retain']).default('destroy'),
  athenaBytesScannedCutoff: z.coerce
    .number()
    .int()
    .min(10_000_000)
    .default(DEFAULTS.athenaBytesScannedCutoff),
  config: z
    .preprocess(
      (value) => (typeof value === 'string' ? JSON.parse(value) : value),
      z.record(z.string(), z.unknown()),
    )
    .default({}),
  // The range functions/adapters/settings.ts accepts for DYNAMODB_WRITE_CONCURRENCY.
  dynamodbWriteConcurrency: z.coerce
    .number()
    .int('must be a whole number from 1 to 256')
    .min(1, 'must be a whole number from 1 to 256')
    .max(256, 'must be a whole number from 1 to 256')
    .default(DEFAULTS.dynamodbWriteConcurrency),
  dynamodbWarmWriteUnitsPerSecond: warmUnits(ON_DEMAND_WARM_DEFAULTS.writeUnitsPerSecond),
  dynamodbWarmReadUnitsPerSecond: warmUnits(ON_DEMAND_WARM_DEFAULTS.readUnitsPerSecond),
  // At most the Lambda concurrency of a new account (1,000): more would only be throttled.
  scaleOutMaxConcurrency: z.coerce
    .number()
    .int('must be a whole number from 1 to 1000')
    .min(1, 'must be a whole number from 1 to 1000')
    .max(1000, 'must be a whole number from 1 to 1000')
    .default(DEFAULTS.scaleOutMaxConcurrency),
});

/** The schedules' times of day must exist every day in the time zone (see firstSkippedDay). */
const StageWithSchedulesSchema = StageSchema.superRefine((stage, context) => {
  for (const name of ['computeSchedule', 'targetsSchedule'] as const) {
    const problem = skippedScheduleProblem(stage[name], stage.timeZone);
    if (problem) context.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

function skippedScheduleProblem(expression: string, timeZone: string): string | null {
  const time = /^cron\((\d{1,2}) (\d{1,2}) /.exec(expression);
  // A zone that is no zone is refused on its own.
  if (!time || !isTimeZone(timeZone)) return null;
  const [hour, minute] = [Number(time[2]), Number(time[1])];
  const year = new Date().getUTCFullYear();
  const day = firstSkippedDay(timeZone, hour, minute, year);
  if (!day) return null;
  const clock = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  // A suggestion the check itself takes: the first hour after the jump that exists every day.
  const fits = [hour + 1, hour + 2, hour + 3]
    .map((h) => h % 24)
    .find((h) => !firstSkippedDay(timeZone, h, minute, year));
  const instead = fits === undefined ? '' : `, such as ${clock(fits, minute)}`;
  return `${expression} runs at ${clock(hour, minute)}, which does not exist in ${timeZone} on ${day} (clocks go forward): EventBridge Scheduler skips that day's run; choose a time that exists every day${instead}`;
}

const OVERRIDABLE = Object.keys(StageSchema.shape);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The stage settings from the context of `node` (the app), with clear errors for bad values. */
export function readStageConfig(node: Node): StageConfig {
  const stage = String(node.tryGetContext('stage') ?? 'dev');
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) throw new Error(`context stage: "${stage}" is not a stage name`);
  const stages = (node.tryGetContext('stages') ?? {}) as Record<string, Record<string, unknown>>;
  const fromFile = stages[stage];
  if (fromFile === undefined && stage !== 'dev') {
    throw new Error(`context stage: no settings for "${stage}" under "stages" in cdk.json`);
  }
  const raw: Record<string, unknown> = { ...fromFile };
  for (const key of OVERRIDABLE) {
    const value = node.tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = StageWithSchedulesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`stage ${stage}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const settings = parsed.data;
  // The handlers' configuration is checked here too: a value they refuse (rows_per_part past its
  // bound, an unknown key) fails the synth, not every ingest and compute run after the deploy.
  try {
    parseConfig(settings.config);
  } catch (error) {
    throw new Error(`stage ${stage}: config: ${(error as Error).message}`);
  }
  return {
    stage,
    computeSchedule: settings.computeSchedule,
    targetsSchedule: settings.targetsSchedule,
    timeZone: settings.timeZone,
    logRetention: settings.logRetentionDays as RetentionDays,
    alarmEmail: settings.alarmEmail,
    removalPolicy: settings.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    athenaBytesScannedCutoff: settings.athenaBytesScannedCutoff,
    config: settings.config,
    dynamodbWriteConcurrency: settings.dynamodbWriteConcurrency,
    dynamodbWarmWriteUnitsPerSecond: settings.dynamodbWarmWriteUnitsPerSecond,
    dynamodbWarmReadUnitsPerSecond: settings.dynamodbWarmReadUnitsPerSecond,
    scaleOutMaxConcurrency: settings.scaleOutMaxConcurrency,
  };
}
