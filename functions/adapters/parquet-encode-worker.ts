import type { Worker } from 'node:worker_threads';
import type { BatchColumn, TakenBatch } from '../../core/exports/curated-batch.ts';
import { moduleWorkerPort, ownBuffers, startModuleWorker } from './module-worker.ts';
import { encodeCuratedBatch, warmUpEncoder } from './parquet-encoder.ts';

/**
 * Encodes curated batches as Parquet on a worker thread, so that the thread reading an export goes
 * on parsing rows while the last part is encoded. The encoder takes about 1.2 µs of CPU a row, a
 * third of ingest's row path: with a core free for it (Lambda's ingest has about 1.7 vCPU), that
 * time comes off the ingest. On the shared 2-core benchmark machine the gain over encoding on the
 * reading thread ranged from a fifth (1M rows: 3.1-3.4 s against 3.5-4.3 s) to nothing when other
 * work held the second core, for about 100-150 MB more peak RSS (the worker's own heap). The
 * worker runs this same module (see startModuleWorker).
 */
const ROLE = 'customer-value parquet encoder';

interface EncodeRequest {
  id: number;
  batch: TakenBatch;
}

type EncodeReply = { id: number; bytes: Uint8Array } | { id: number; error: string };

export class ParquetEncodeWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (bytes: Uint8Array) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | null = null;

  constructor() {
    this.worker = startModuleWorker(import.meta.url, ROLE);
    // An idle encoder must not keep a CLI or a test process alive.
    this.worker.unref();
    this.worker.on('message', (reply: EncodeReply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the Parquet encoder stopped (exit code ${code})`)));
  }

  /** The batch as Parquet file bytes. The batch's arrays are copied, so the caller may reuse them at once. */
  encode(batch: TakenBatch): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const copy = compactCopy(batch);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      const request: EncodeRequest = { id, batch: copy };
      this.worker.postMessage(request, transferables(copy));
    });
  }

  private settle(reply: EncodeReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) waiting.reject(new Error(`encoding a Parquet part failed: ${reply.error}`));
    else waiting.resolve(reply.bytes);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    if (shared === this) shared = null;
  }
}

let shared: ParquetEncodeWorker | null = null;

/** The process's encoder, started on first use and kept for the next export (a warm Lambda's too). */
export function sharedParquetEncodeWorker(): ParquetEncodeWorker {
  shared ??= new ParquetEncodeWorker();
  return shared;
}

/** The batch's columns copied to arrays of their exact length, which the worker then owns. */
function compactCopy(batch: TakenBatch): TakenBatch {
  const columns = batch.columns.map(
    (column): BatchColumn =>
      'bytes' in column
        ? { ...column, bytes: column.bytes.slice(), ends: column.ends.slice(), nulls: column.nulls.slice() }
        : {
            ...column,
            values: column.values.slice(),
            nulls: column.nulls.slice(),
            large: new Map(column.large),
          },
  );
  return { rows: batch.rows, columns };
}

function transferables(batch: TakenBatch): ArrayBuffer[] {
  return ownBuffers(
    batch.columns.flatMap((column): ArrayBufferView[] =>
      'bytes' in column ? [column.bytes, column.ends, column.nulls] : [column.values, column.nulls],
    ),
  );
}

const port = moduleWorkerPort(ROLE)?.port;
if (port) {
  warmUpEncoder();
  port.on('message', (request: EncodeRequest) => {
    // Encoded and compressed on this thread: the main one goes on reading the export.
    let bytes: Uint8Array;
    try {
      bytes = encodeCuratedBatch(request.batch);
    } catch (error) {
      port.postMessage({ id: request.id, error: String(error) } satisfies EncodeReply);
      return;
    }
    // The file's bytes have a buffer of their own (see encodeCuratedBatch), which moves rather than copies.
    port.postMessage({ id: request.id, bytes } satisfies EncodeReply, [bytes.buffer as ArrayBuffer]);
  });
}
