import type { MessagePort, Worker } from 'node:worker_threads';
import { Money } from '../../core/money.ts';
import { moduleWorkerPort, ownBuffers, startModuleWorker } from '../adapters/module-worker.ts';
import { partArrays, TransactionBatchReader } from './transaction-batches.ts';
import {
  fromWireCents,
  type LaidOutPart,
  layOutPart,
  type PartitionJob,
  type PartitionJobResult,
  PartStaging,
  type TransactionPart,
  toWireCents,
  type Wired,
  withAmounts,
  writePartitionJob,
} from './transaction-partitions.ts';

/**
 * Decodes one load's curated transaction parts on a worker thread, a batch of row groups at a
 * time, while the calling thread lays out the batches before (decoding the Parquet pages was a
 * third of the load, and the compute function has more than one core); then keys, sorts and writes
 * a share of the partitions (writePartitions). The worker keys the categories, so their codes agree
 * across all parts. At most MAX_BATCHES_AHEAD batches wait for the calling thread, which bounds
 * memory; rather than wait itself, the worker then lays out the next one (a LaidOutPart in shared
 * memory): decoding had become quicker than laying out.
 */
const ROLE = 'customer-value transaction decoder';

/**
 * One: with two, the worker waited at the end of the load while the calling thread laid out the
 * last two batches, and both threads idled for longer in all.
 */
const MAX_BATCHES_AHEAD = 1;

export interface DecoderSettings {
  /**
   * Which batches the worker lays out itself (see layOutPart): 'when-behind', those that would
   * otherwise wait behind MAX_BATCHES_AHEAD for the calling thread; 'every-batch' (to test the
   * worker's layout), every batch, none joined.
   */
  layOut: 'when-behind' | 'every-batch';
}

type ToDecoder =
  | { type: 'part'; key: string; bytes: Uint8Array }
  | { type: 'taken' }
  | { type: 'free'; buffers: ArrayBuffer[] }
  | { type: 'end' }
  | { type: 'write'; job: PartitionJob };

type WirePart = Wired<TransactionPart>;

type WireLaidOut = Omit<LaidOutPart, 'lines' | 'exact'> & {
  lines: Wired<LaidOutPart['lines']>;
  exact: (Omit<LaidOutPart['exact'][number], 'amount'> & { amount: string })[];
};

export type DecoderMessage =
  | { type: 'batch'; part: TransactionPart }
  | { type: 'laid'; laid: LaidOutPart }
  | { type: 'part-done' }
  | { type: 'categories'; categories: (string | null)[] }
  | { type: 'written'; result: PartitionJobResult };

type FromDecoder =
  | { type: 'batch'; part: WirePart }
  | { type: 'laid'; laid: WireLaidOut }
  | { type: 'part-done' }
  | { type: 'categories'; categories: (string | null)[] }
  | { type: 'written'; result: PartitionJobResult }
  | { type: 'error'; message: string };

/** The calling thread's side: send parts in order, then `end`; read what comes back with `next`. */
export class TransactionDecoder {
  private readonly worker: Worker;
  private readonly inbox: FromDecoder[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(settings: DecoderSettings) {
    this.worker = startModuleWorker(import.meta.url, ROLE, settings);
    this.worker.on('message', (message: FromDecoder) => this.receive(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) =>
      this.fail(new Error(`the transaction decoder stopped (exit code ${code})`)),
    );
  }

  /**
   * Hands a part's file bytes over: moved, not copied, so the caller's array is emptied (it owns
   * it: see ObjectStore.getBytes); a view into a larger buffer is copied.
   */
  send(key: string, bytes: Uint8Array): void {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const sent = whole ? bytes : bytes.slice();
    this.worker.postMessage({ type: 'part', key, bytes: sent } satisfies ToDecoder, ownBuffers([sent]));
  }

  /** Sends the arrays of batches laid out (see TransactionPartitions.add) back, for batches to come. */
  giveBack(parts: readonly TransactionPart[]): void {
    if (parts.length === 0) return;
    const buffers = ownBuffers(parts.flatMap(partArrays));
    this.worker.postMessage({ type: 'free', buffers } satisfies ToDecoder, buffers);
  }

  /** No more parts: the categories follow the last batch. */
  end(): void {
    this.worker.postMessage({ type: 'end' } satisfies ToDecoder);
  }

  /**
   * After the categories: keys, sorts and writes a share of the partitions on the worker (see
   * TransactionPartitions.finishSplit), which has nothing else to do by then.
   */
  async writePartitions(job: PartitionJob): Promise<PartitionJobResult> {
    this.worker.postMessage({ type: 'write', job } satisfies ToDecoder);
    const message = await this.next();
    if (message.type !== 'written') throw new Error(`the transaction decoder answered ${message.type}`);
    return message.result;
  }

  /** The next batch, end of a part, or (last) the categories; a decoding error is thrown here. */
  async next(): Promise<DecoderMessage> {
    for (;;) {
      const message = this.inbox.shift();
      if (message) {
        if (message.type === 'error') throw new Error(message.message);
        if (message.type === 'laid') return { type: 'laid', laid: fromWireLaidOut(message.laid) };
        if (message.type !== 'batch') return message;
        this.worker.postMessage({ type: 'taken' } satisfies ToDecoder);
        return { type: 'batch', part: withAmounts(message.part, fromWireCents) };
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /**
   * Ends the worker. It is not kept for the next load: an idle worker may not collect garbage for a
   * long time, and its heap still refers to the shared segments of the partitions it wrote (the
   * facts step peaked at 2.73 GB instead of 2.35 GB while it was kept).
   */
  async close(): Promise<void> {
    this.failure ??= new Error('the transaction decoder was closed');
    await this.worker.terminate();
  }

  private receive(message: FromDecoder): void {
    this.inbox.push(message);
    this.wake?.();
    this.wake = null;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
    this.wake = null;
  }
}

/** The worker's side: decodes the parts in the order sent (see deliver for where each batch is laid out). */
function serve(port: MessagePort, settings: DecoderSettings): void {
  const reader = new TransactionBatchReader();
  const parts: { key: string; bytes: Uint8Array }[] = [];
  let ended = false;
  let ahead = 0;
  let wake: (() => void) | null = null;
  const wait = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  port.on('message', (message: ToDecoder) => {
    if (message.type === 'write') {
      // After the categories: the load is over, so this runs on its own.
      try {
        port.postMessage({ type: 'written', result: writePartitionJob(message.job) } satisfies FromDecoder);
      } catch (error) {
        port.postMessage({
          type: 'error',
          message: error instanceof Error ? error.message : String(error),
        } satisfies FromDecoder);
      }
      return;
    }
    if (message.type === 'part') parts.push({ key: message.key, bytes: message.bytes });
    else if (message.type === 'taken') ahead -= 1;
    else if (message.type === 'free') reader.releaseBuffers(message.buffers);
    else ended = true;
    const waiting = wake;
    wake = null;
    waiting?.();
  });
  /**
   * Hands a batch over, or lays it out here when the calling thread has MAX_BATCHES_AHEAD to lay
   * out still, rather than wait for it; `used` are the batches it was joined from, whose arrays are
   * free once it is.
   */
  const deliver = (unit: TransactionPart, used: readonly TransactionPart[]) => {
    const joined = used.length !== 1 || used[0] !== unit;
    if (joined) for (const batch of used) reader.release(batch);
    if (settings.layOut === 'every-batch' || ahead >= MAX_BATCHES_AHEAD) {
      port.postMessage({ type: 'laid', laid: toWireLaidOut(layOutPart(unit)) } satisfies FromDecoder);
      reader.release(unit);
      return;
    }
    ahead += 1;
    port.postMessage(
      { type: 'batch', part: withAmounts(unit, toWireCents) } satisfies FromDecoder,
      ownBuffers(partArrays(unit)),
    );
  };
  /**
   * The load: its parts, then its categories (codes agree across the load's parts). Batches too
   * small to lay out alone (parts of 100,000 rows, the ends of big parts) are joined here first,
   * so the calling thread never has to wait for a join.
   */
  const load = async () => {
    const staging = new PartStaging();
    for (;;) {
      const next = parts.shift();
      if (!next) {
        if (ended) break;
        await wait();
        continue;
      }
      for await (const batch of reader.batches(next.key, next.bytes)) {
        const ready = settings.layOut === 'every-batch' ? { unit: batch, used: [batch] } : staging.add(batch);
        if (ready) deliver(ready.unit, ready.used);
      }
      port.postMessage({ type: 'part-done' } satisfies FromDecoder);
    }
    const rest = staging.flush();
    if (rest) deliver(rest.unit, rest.used);
    port.postMessage({ type: 'categories', categories: reader.categories() } satisfies FromDecoder);
  };
  // After an error the caller ends this worker.
  load().catch((error: unknown) => {
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
    } satisfies FromDecoder);
  });
}

/** A laid-out part as it crosses threads: its lines are shared memory already. */
function toWireLaidOut(laid: LaidOutPart): WireLaidOut {
  return {
    ...laid,
    lines: withAmounts(laid.lines, toWireCents),
    exact: laid.exact.map((entry) => ({ ...entry, amount: entry.amount.toString() })),
  };
}

function fromWireLaidOut(wire: WireLaidOut): LaidOutPart {
  return {
    ...wire,
    lines: withAmounts(wire.lines, fromWireCents),
    exact: wire.exact.map((entry) => ({ ...entry, amount: new Money(entry.amount) })),
  };
}

const worker = moduleWorkerPort(ROLE);
if (worker) serve(worker.port, worker.settings as DecoderSettings);
