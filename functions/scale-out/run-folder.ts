import type { ObjectStore } from '../adapters/object-store.ts';
import type { UnwrittenLookups } from '../shared/lookup-keys.ts';

/**
 * What the scale-out steps hand each other, under `staging/scale-out/<run_id>/` in the lake: each
 * step reads what the steps before it wrote and writes its own keys whole, so any step rerun by
 * the state machine's retries (or by the next night) writes the same objects again.
 */
export const RUN_FOLDERS = 'staging/scale-out/';
export const runFolder = (runId: string) => `${RUN_FOLDERS}${runId}/`;

export const runKeys = {
  plan: (runId: string) => `${runFolder(runId)}plan.json`,
  partitionQueries: (runId: string) => `${runFolder(runId)}partition-queries.json`,
  transactions: (runId: string) => `${runFolder(runId)}transactions/`,
  bucketTransactions: (runId: string, bucket: number) => `${runFolder(runId)}transactions/bucket=${bucket}/`,
  customers: (runId: string) => `${runFolder(runId)}customers/`,
  bucketCustomers: (runId: string, bucket: number) => `${runFolder(runId)}customers/bucket=${bucket}/`,
  totals: (runId: string, bucket: number) => `${runFolder(runId)}totals/bucket=${bucket}.json`,
  pass: (runId: string, bucket: number) => `${runFolder(runId)}pass/bucket=${bucket}.json`,
  serviceCosts: (runId: string, result: string) => `${runFolder(runId)}service-costs/${result}/`,
  combined: (runId: string) => `${runFolder(runId)}combined.json`,
  gone: (runId: string, bucket: number) => `${runFolder(runId)}gone/bucket=${bucket}.json`,
  ledger: (runId: string, bucket: number) => `${runFolder(runId)}ledger/bucket=${bucket}.json`,
  customersWritten: (runId: string, bucket: number) => `${runFolder(runId)}written/bucket=${bucket}.json`,
};

/** One of the run folder's files, written by an earlier step (`step`, named in the error). */
export async function readRunText(
  lake: Pick<ObjectStore, 'getText'>,
  key: string,
  step = 'the step before it',
): Promise<string> {
  const text = await lake.getText(key);
  if (text === null) throw new Error(`scale-out: ${key} is missing (was ${step} run?)`);
  return text;
}

/** One of the run folder's JSON files, written by an earlier step. */
export async function readRunJson<T>(lake: Pick<ObjectStore, 'getText'>, key: string): Promise<T> {
  return JSON.parse(await readRunText(lake, key)) as T;
}

export const readRunPlan = (lake: Pick<ObjectStore, 'getText'>, runId: string) =>
  readRunJson<RunPlan>(lake, runKeys.plan(runId));

/** plan.json */
export interface RunPlan {
  as_of: string;
  run_id: string;
  export_ids: string[];
  buckets: number;
  /** Exports left out of the run, the same file loaded twice (the run's first warnings). */
  export_warnings: string[];
  /**
   * The earlier runs' as_of dates tonight's backtest scores (clv.backtestDays), so each bucket
   * counts its customers' actuals since them; absent in a plan written before buckets passed.
   */
  backtest_from?: string[];
  /**
   * The control totals of the run's curated transactions as ingest recorded them (the registry):
   * the buckets' lines must add up to them.
   */
  transaction_totals?: LineTotals;
  /** The rows of the run's curated customers exports as ingest recorded them: the buckets' must add up to them. */
  customer_rows?: number;
}

/** Lines and their amounts, as exact decimal text. */
export interface LineTotals {
  lines: number;
  revenue: string;
  cost: string;
  returned_amount: string;
}

/** totals/bucket=<b>.json: the control totals of a bucket's transaction lines and customers rows. */
export interface BucketTotals extends LineTotals {
  bucket: number;
  customers: number;
  /** The rows of the customers exports the partition gave the bucket (every row, before the last wins). */
  customer_rows: number;
}

/** written/bucket=<b>.json: what a bucket's write step wrote. */
export interface BucketCustomersWritten {
  /** customer_metrics rows in the bucket's part. */
  rows: number;
  /** LATEST items written and deleted (none unless the run is the newest). */
  written: number;
  deleted: number;
  /** Items left unwritten for their key's length (absent from a file written before they were counted). */
  unwritten?: UnwrittenLookups;
}

/** combined.json */
export interface CombinedRun {
  tables: Record<string, number>;
  warnings: string[];
  export_warnings: string[];
  is_latest: boolean;
  stranded: string[];
  /** Cohort LATEST items, written by the combine step (a few hundred). */
  cohort_items: number;
  /**
   * Cohort LATEST items deleted by the combine step: cohorts gone since the newest run (absent
   * from a combined.json written before the combine step deleted any).
   */
  cohort_items_deleted?: number;
  /** Cohort items left unwritten for their key's length (see lookup-keys.ts). */
  cohort_items_unwritten?: UnwrittenLookups;
}
