import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { logger, metrics } from '../shared/logger.ts';
import type { IngestOutcome } from './ingest-export.ts';

/**
 * Each handling of an object event runs under a Powertools idempotency record in the single table:
 * `INGEST_EVENTS` / `ingest#<md5 of the holder>`, where the holder names the handling
 * (`notificationHolder` in ingest-export.ts, `reconcileHolder` in reconcile-exports.ts). The record
 * is INPROGRESS while the handling runs and lapses with the time the process has left (a Lambda's
 * remaining time), so a killed handling is taken over by the next delivery; a delivery that finds
 * it live fails with IdempotencyAlreadyInProgressError and SQS delivers it again later. Once the
 * handling is done the record is COMPLETED with the outcome, and a redelivery gets that outcome
 * back without loading anything. On failure the record is deleted, so the retry starts afresh.
 * The registry's `loading` claim names its holder (`claimed_by`), and this record is what says
 * whether that holder is still alive (isRunning).
 */
export const EVENTS_PK = 'INGEST_EVENTS';
const KEY_PREFIX = 'ingest';

/** The table's TTL attribute (infra/storage.ts TTL_ATTRIBUTE; test/infra checks they agree). */
export const RECORD_EXPIRY_ATTRIBUTE = 'expires_at';

/**
 * How long a completed record answers redeliveries: 4 days, the ingest queue's message retention
 * (infra/queues.ts workQueue), so no SQS redelivery of a handled notification loads it again. A
 * notification older than that (a dead-letter redrive) is answered by the registry's statuses, as
 * every delivery was before the records existed. DynamoDB's TTL then deletes the record.
 */
export const RECORD_SECONDS = 4 * 24 * 60 * 60;

/** What a completed record keeps of the outcome (the full ingest report is in the lake). */
export type RecordedOutcome = {
  action: IngestOutcome['action'];
  key: string;
  exportId: string | null;
  status: string | null;
};

/** A handling run now (its outcome), or one done before (what its record kept). */
export type Handled = { outcome: IngestOutcome } | { recorded: RecordedOutcome };

export interface EventGuard {
  /**
   * Runs `handle` for the handling `holder` names, at most one at a time: throws
   * IdempotencyAlreadyInProgressError while another holds it, returns the recorded outcome when
   * it was done before (without running it), and records the outcome when `handle` returns.
   */
  once(holder: string, handle: () => Promise<IngestOutcome>): Promise<Handled>;
  /** Whether the handling `holder` names is under way somewhere now (its record live and in progress). */
  isRunning(holder: string): Promise<boolean>;
}

export interface GuardOptions {
  client: DynamoDBClient;
  tableName: string;
  /**
   * The time this process has left, in ms: how long a record stays in progress if the process
   * dies. A Lambda's remaining time; 0 in local mode (`cval` holds its folder's lock, so a record
   * it finds in progress was left by a process that died).
   */
  remainingMs: () => number;
}

export function eventGuard(options: GuardOptions): EventGuard {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
    keyAttr: 'PK',
    sortKeyAttr: 'SK',
    staticPkValue: EVENTS_PK,
    expiryAttr: RECORD_EXPIRY_ATTRIBUTE,
  });
  const config = new IdempotencyConfig({ expiresAfterSeconds: RECORD_SECONDS });
  // Powertools takes a remaining time of 0 for "not known" and then keeps the record in progress
  // until it expires (days): 1 ms is the shortest it honours, the same as 0 for a process that died.
  config.registerLambdaContext({
    getRemainingTimeInMillis: () => Math.max(1, options.remainingMs()),
  } as Context);
  persistenceStore.configure({ config, keyPrefix: KEY_PREFIX });
  return {
    async once(holder, handle) {
      let outcome: IngestOutcome | undefined;
      const handleOnce = makeIdempotent(
        async (_holder: string): Promise<RecordedOutcome> => {
          outcome = await handle();
          return recordOf(outcome);
        },
        { persistenceStore, config, keyPrefix: KEY_PREFIX },
      );
      const result = await handleOnce(holder);
      if (outcome) return { outcome };
      // Not run: a completed record of this handling answered with what it kept.
      logger.info('object event handled before: its idempotency record answers', { holder, ...result });
      metrics.addMetric('EventsAlreadyHandled', 'Count', 1);
      return { recorded: result };
    },
    async isRunning(holder) {
      try {
        const record = await persistenceStore.getRecord(holder);
        if (record.getStatus() !== IdempotencyRecordStatus.INPROGRESS) return false;
        return (
          record.inProgressExpiryTimestamp === undefined || record.inProgressExpiryTimestamp >= Date.now()
        );
      } catch (error) {
        if (error instanceof IdempotencyItemNotFoundError) return false;
        throw error;
      }
    },
  };
}

/** A handling that found another delivery of the same event under way (SQS delivers it again). */
export function isInProgressElsewhere(error: unknown): boolean {
  return error instanceof IdempotencyAlreadyInProgressError;
}

function recordOf(outcome: IngestOutcome): RecordedOutcome {
  return {
    action: outcome.action,
    key: outcome.key,
    exportId: 'exportId' in outcome ? outcome.exportId : null,
    status: 'status' in outcome ? outcome.status : null,
  };
}
