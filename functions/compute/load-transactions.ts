import type { TransactionColumns } from '../../core/records.ts';
import type { LakeReader } from './lake-reader.ts';
import { TransactionBatchReader } from './transaction-batches.ts';
import { type DecoderSettings, TransactionDecoder } from './transaction-decoder.ts';
import { TransactionPartitions } from './transaction-partitions.ts';

/**
 * Below about this many bytes of parts (the first part's size times their number), decoding on
 * this thread is quicker than starting the worker (a few hundred milliseconds); above it the
 * worker's decoding alongside the layout wins.
 */
const DECODE_ON_WORKER_FROM_BYTES = 64 * 1024 * 1024;

/**
 * Reads the curated transaction parts straight into TransactionColumns: no row objects, no string
 * or Decimal per line. Big loads are decoded on a worker thread (see TransactionDecoder) while this
 * thread lays the batches before out by customer partition; customer and order ids stay bytes and
 * are keyed partition by partition (see TransactionPartitions), so only each distinct customer id
 * and category ever becomes a string.
 */
export async function loadTransactionColumns(
  lake: Pick<LakeReader, 'getBytes'>,
  keys: readonly string[],
  options: { decodeOnWorkerFromBytes?: number; workerLaysOut?: DecoderSettings['layOut'] } = {},
): Promise<TransactionColumns> {
  const partitions = new TransactionPartitions();
  if (keys.length === 0) return partitions.finish([]);
  const first = await lake.getBytes(keys[0] as string);
  const onWorker =
    first.length * keys.length >= (options.decodeOnWorkerFromBytes ?? DECODE_ON_WORKER_FROM_BYTES);
  if (!onWorker) return partitions.finish(await decodeHere(lake, keys, first, partitions));
  return decodeOnWorker(lake, keys, first, partitions, { layOut: options.workerLaysOut ?? 'when-behind' });
}

async function decodeHere(
  lake: Pick<LakeReader, 'getBytes'>,
  keys: readonly string[],
  first: Uint8Array,
  partitions: TransactionPartitions,
): Promise<(string | null)[]> {
  const reader = new TransactionBatchReader();
  let bytes = first;
  for (let k = 0; k < keys.length; k++) {
    // The next part is fetched while this one is decoded.
    const next = k + 1 < keys.length ? lake.getBytes(keys[k + 1] as string) : null;
    next?.catch(() => undefined);
    for await (const part of reader.batches(keys[k] as string, bytes)) {
      for (const laid of partitions.add(part)) reader.release(laid);
    }
    if (next) bytes = await next;
  }
  return reader.categories();
}

/**
 * Decodes on the worker, which also lays out some batches, then keys, sorts and writes partitions
 * alongside this thread.
 */
async function decodeOnWorker(
  lake: Pick<LakeReader, 'getBytes'>,
  keys: readonly string[],
  first: Uint8Array,
  partitions: TransactionPartitions,
  settings: DecoderSettings,
): Promise<TransactionColumns> {
  const decoder = new TransactionDecoder(settings);
  try {
    // A part is fetched and sent when the one before starts to arrive decoded: two parts' file
    // bytes at most are held at once.
    let sent = 0;
    let sending: Promise<void> = Promise.resolve();
    const sendNext = () => {
      if (sent >= keys.length) return;
      const index = sent++;
      const key = keys[index] as string;
      sending = sending.then(async () => {
        decoder.send(key, index === 0 ? first : await lake.getBytes(key));
        if (index === keys.length - 1) decoder.end();
      });
      // A failed fetch is thrown where `sending` is awaited; it must not count as unhandled meanwhile.
      sending.catch(() => undefined);
    };
    sendNext();
    // Parts are decoded in the order sent: the first message after a part's end starts the next.
    let partsDone = 0;
    let partsStarted = 0;
    for (;;) {
      const message = await Promise.race([decoder.next(), sending.then(() => new Promise<never>(() => {}))]);
      if (message.type === 'categories')
        return await partitions.finishSplit(message.categories, (job) => decoder.writePartitions(job));
      if (partsStarted === partsDone) {
        partsStarted += 1;
        sendNext();
      }
      // A part without rows gives no batch, only its end.
      if (message.type === 'batch') decoder.giveBack(partitions.add(message.part));
      else if (message.type === 'laid') partitions.addLaidOut(message.laid);
      else partsDone += 1;
    }
  } finally {
    await decoder.close();
  }
}
