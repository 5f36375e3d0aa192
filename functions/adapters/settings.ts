import { type Config, parseConfig } from '../../core/config.ts';

/** What every handler needs from its environment, read and checked in one place. */
export interface Settings {
  exportsBucket: string;
  lakeBucket: string;
  tableName: string;
  /** BatchWriteItem calls in flight at most (DYNAMODB_WRITE_CONCURRENCY, set per stage in cdk.json). */
  writeConcurrency: number;
  /**
   * The time a process that is not a Lambda invocation says it has left (EXPORT_CLAIM_MS): how
   * long the idempotency record of an object event it handles stays in progress should it die
   * (functions/ingest/event-guard.ts). An invocation's own remaining time takes its place on
   * Lambda. Default 15 minutes, the longest a Lambda runs. Local mode sets 0: `cval` holds an
   * exclusive lock on its folder, so a record it finds in progress was left by a process that died.
   */
  claimMs: number;
  config: Config;
}

/** Lambda's longest timeout: 15 minutes. */
const LAMBDA_TIME_LIMIT_MS = 15 * 60 * 1000;

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const missing = ['EXPORTS_BUCKET', 'LAKE_BUCKET', 'TABLE_NAME'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`missing environment variable(s): ${missing.join(', ')}`);
  let config: Config;
  try {
    config = parseConfig(env.CVAL_CONFIG ? JSON.parse(env.CVAL_CONFIG) : {});
  } catch (error) {
    throw new Error(`CVAL_CONFIG: ${(error as Error).message}`);
  }
  const concurrency = env.DYNAMODB_WRITE_CONCURRENCY ?? '16';
  const writeConcurrency = Number(concurrency);
  if (!Number.isInteger(writeConcurrency) || writeConcurrency < 1 || writeConcurrency > 256)
    throw new Error(`DYNAMODB_WRITE_CONCURRENCY must be a whole number from 1 to 256, got "${concurrency}"`);
  return {
    exportsBucket: env.EXPORTS_BUCKET as string,
    lakeBucket: env.LAKE_BUCKET as string,
    tableName: env.TABLE_NAME as string,
    writeConcurrency,
    claimMs: Number(env.EXPORT_CLAIM_MS ?? LAMBDA_TIME_LIMIT_MS),
    config,
  };
}
