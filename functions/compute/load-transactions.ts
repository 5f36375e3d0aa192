import { TransactionPartitions } from '../../core/profitability/transaction-partitions.ts';
import type { TransactionColumns } from '../../core/records.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { TransactionDecoder } from './transaction-decoder.ts';

/**
 * Reads the curated transaction parts straight into TransactionColumns: no row objects, no string
 * or Decimal per line. A worker thread decodes the Parquet pages (see TransactionDecoder) while
 * this thread lays the batches before out by customer partition; customer and order ids stay
 * bytes and are keyed partition by partition (see TransactionPartitions), so only each distinct
 * customer id and category ever becomes a string.
 */
export async function loadTransactionColumns(
  lake: ObjectStore,
  keys: readonly string[],
): Promise<TransactionColumns> {
  const partitions = new TransactionPartitions();
  if (keys.length === 0) return partitions.finish([]);
  const decoder = TransactionDecoder.acquire();
  try {
    // A part is fetched and sent when the one before starts to arrive decoded: two parts' file
    // bytes at most are held at once.
    let sent = 0;
    let sending: Promise<void> = Promise.resolve();
    const sendNext = () => {
      if (sent >= keys.length) return;
      const key = keys[sent++] as string;
      const last = sent === keys.length;
      sending = sending.then(async () => {
        decoder.send(key, await lake.getBytes(key));
        if (last) decoder.end();
      });
      // A failed fetch is thrown where `sending` is awaited; it must not count as unhandled meanwhile.
      sending.catch(() => undefined);
    };
    sendNext();
    const started = new Set<string>();
    for (;;) {
      const message = await Promise.race([decoder.next(), sending.then(() => new Promise<never>(() => {}))]);
      if (message.type === 'categories') return partitions.finish(message.categories);
      // A part without rows gives no batch, only its end.
      if (!started.has(message.key)) {
        started.add(message.key);
        sendNext();
      }
      if (message.type === 'batch') partitions.add(message.part);
    }
  } finally {
    await decoder.release();
  }
}
