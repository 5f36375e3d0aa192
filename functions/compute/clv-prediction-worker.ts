import {
  type ClvModelConfig,
  type ClvSummaries,
  type CompactPredictionResult,
  fromPortablePrediction,
  type PortablePrediction,
  portablePredictionArrays,
  predictFromSummaries,
  toPortablePrediction,
} from '../../core/clv/index.ts';
import { moduleWorkerPort, ownBuffers, startModuleWorker } from '../adapters/module-worker.ts';

/**
 * Predicts CLV (the models' fits and every customer's prediction, a third of the nightly job's
 * CPU) on a second thread from the customer summaries, while the calling thread computes
 * profitability: the two read nothing of each other's. The worker runs this same module (see
 * startModuleWorker); it is started for one prediction and ended after it, so that an idle thread
 * holds no heap between runs.
 */
const ROLE = 'customer-value clv prediction';

interface PredictRequest {
  summaries: ClvSummaries;
  config: ClvModelConfig;
}

type PredictReply = { prediction: PortablePrediction } | { error: string };

export async function predictOnWorker(
  summaries: ClvSummaries,
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
      // Copied, not moved: the summaries' arrays stay the caller's.
      worker.postMessage({ summaries, config } satisfies PredictRequest);
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
      prediction = toPortablePrediction(predictFromSummaries(request.summaries, request.config));
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      return;
    }
    port.postMessage({ prediction } satisfies PredictReply, ownBuffers(portablePredictionArrays(prediction)));
  });
}
