import {
  type ClvModelConfig,
  type ClvSummaries,
  type CompactPredictionResult,
  fromPortablePrediction,
  type PortablePrediction,
  portablePredictionArrays,
  predictFromSummaries,
  summarizeForClv,
  toPortablePrediction,
} from '../../core/clv/index.ts';
import type { IsoDate, TransactionColumns } from '../../core/records.ts';
import { moduleWorkerPort, ownBuffers, startModuleWorker } from '../adapters/module-worker.ts';

/**
 * Predicts CLV (the models' fits, every customer's prediction and the cash flows' per-customer
 * part, a third of the nightly job's CPU) on a second thread, while the calling thread computes
 * profitability: the two read nothing of each other's. The worker runs this same module (see
 * startModuleWorker); it is started for one prediction and ended after it, so that an idle thread
 * holds no heap between runs.
 */
const ROLE = 'customer-value clv prediction';

/**
 * What to predict from: the customer summaries, or the transaction columns to summarise there
 * (when they live in shared memory, see sharedColumns: then they cross without a copy and the
 * summarising pass leaves this thread too).
 */
export type PredictionSource = { summaries: ClvSummaries } | { columns: TransactionColumns; asOf: IsoDate };

type PredictRequest = PredictionSource & { config: ClvModelConfig };

type PredictReply = { prediction: PortablePrediction } | { error: string };

export async function predictOnWorker(
  source: PredictionSource,
  config: ClvModelConfig,
): Promise<CompactPredictionResult> {
  const worker = startModuleWorker(import.meta.url, ROLE);
  try {
    const reply = await new Promise<PredictReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`the CLV prediction thread stopped (exit code ${code})`)),
      );
      // Copied, not moved: the summaries' arrays stay the caller's (shared columns are not copied).
      worker.postMessage({ ...source, config } satisfies PredictRequest);
    });
    if ('error' in reply) throw new Error(`predicting CLV failed: ${reply.error}`);
    return fromPortablePrediction(reply.prediction);
  } finally {
    await worker.terminate();
  }
}

const port = moduleWorkerPort(ROLE)?.port;
if (port) {
  port.once('message', (request: PredictRequest) => {
    let prediction: PortablePrediction;
    try {
      const summaries =
        'summaries' in request
          ? request.summaries
          : summarizeForClv(request.columns, request.asOf, request.config);
      prediction = toPortablePrediction(predictFromSummaries(summaries, request.config));
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      return;
    }
    port.postMessage({ prediction } satisfies PredictReply, ownBuffers(portablePredictionArrays(prediction)));
  });
}

/**
 * Whether the columns can go to the worker as they are: every array in shared memory (the big
 * load's, see TransactionPartitions.finishSplit) and no exact amounts (Decimals, which structured
 * clone would turn into plain objects).
 */
export function sharedColumns(columns: TransactionColumns): boolean {
  const arrays = [
    columns.customer,
    columns.day,
    columns.orderStart,
    columns.category,
    columns.revenue.cents,
    columns.cost.cents,
    columns.returned.cents,
  ];
  const exact = columns.revenue.exact.size + columns.cost.exact.size + columns.returned.exact.size;
  return exact === 0 && arrays.every((array) => array.buffer instanceof SharedArrayBuffer);
}
