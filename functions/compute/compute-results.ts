import { availableParallelism } from 'node:os';
import { type ClvSummaries, predictFromSummaries, summarizeForClv } from '../../core/clv/index.ts';
import { type Config, clvSettings } from '../../core/config.ts';
import { transactionColumnsOf } from '../../core/profitability/transaction-columns.ts';
import type { IsoDate, SnapshotInput } from '../../core/records.ts';
import {
  type ComputedResults,
  combineResults,
  computeProfitabilityResults,
  computeResults,
  type EarlierClvRun,
  type MergedTransactions,
} from '../../core/results.ts';
import { predictOnWorker, sharedColumns } from './clv-prediction-worker.ts';

/**
 * From about this many customers the CLV prediction runs on a second thread; below it, starting
 * the thread (and, from source, compiling the modules again there) costs more than it saves.
 */
export const PREDICT_ON_WORKER_FROM_CUSTOMERS = 50_000;

/** The customers from which the prediction runs on a worker thread. */
function workerFrom(options: { predictOnWorkerFromCustomers?: number }): number {
  // With one vCPU (a Lambda under 1,769 MB) a second thread only adds its start and copies.
  return (
    options.predictOnWorkerFromCustomers ??
    (availableParallelism() >= 2 ? PREDICT_ON_WORKER_FROM_CUSTOMERS : Number.POSITIVE_INFINITY)
  );
}

/**
 * computeResults on two threads: the customer summaries are made (from columns in shared memory,
 * on the worker; else here), the models are fitted, every customer predicted and the cash flows'
 * per-customer part made on a worker while this thread computes profitability, then both are
 * combined exactly as computeResults combines them (the same functions, the same order of sums).
 * At a million customers the prediction is about a third of the job's CPU.
 */
export async function computeResultsOnTwoThreads(
  snapshot: SnapshotInput,
  asOf: IsoDate,
  config: Config,
  earlier: readonly EarlierClvRun[] = [],
  options: { predictOnWorkerFromCustomers?: number } = {},
): Promise<ComputedResults> {
  const columns = transactionColumnsOf(snapshot);
  const withColumns: SnapshotInput = { ...snapshot, transactionColumns: columns };
  if (columns.customerIds.length < workerFrom(options))
    return computeResults(withColumns, asOf, config, earlier);
  const clv = clvSettings(config);
  const predicting = predictOnWorker(
    sharedColumns(columns) ? { columns, asOf } : { summaries: summarizeForClv(columns, asOf, clv) },
    clv,
  );
  // Awaited below, after profitability; until then a failure must not count as unhandled.
  predicting.catch(() => undefined);
  const profitability = computeProfitabilityResults(withColumns, asOf, config);
  return combineResults(profitability, await predicting, earlier);
}

/** A scaled-out run's transactions as its buckets passed them, merged (see mergeBucketPasses). */
export interface MergedBuckets extends MergedTransactions {
  clv: ClvSummaries;
}

/**
 * computeResultsOnTwoThreads for a scaled-out run: the transactions come as the buckets' merged
 * pass and CLV summaries, so nothing here reads a line. The models are fitted and every customer
 * predicted on a worker (from enough customers) while this thread computes profitability; the same
 * functions and order of sums as the embedded run, so the same tables.
 */
export async function computeResultsFromBuckets(
  snapshot: SnapshotInput,
  merged: MergedBuckets,
  asOf: IsoDate,
  config: Config,
  earlier: readonly EarlierClvRun[] = [],
  options: { predictOnWorkerFromCustomers?: number } = {},
): Promise<ComputedResults> {
  const clv = clvSettings(config);
  const onWorker = merged.pass.customers.customerIds.length >= workerFrom(options);
  const predicting = onWorker ? predictOnWorker({ summaries: merged.clv }, clv) : null;
  predicting?.catch(() => undefined);
  const profitability = computeProfitabilityResults(snapshot, asOf, config, merged);
  const prediction = predicting ? await predicting : predictFromSummaries(merged.clv, clv);
  return combineResults(profitability, prediction, earlier);
}
