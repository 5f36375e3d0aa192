import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Item, ItemKey } from '../adapters/item-store.ts';

/** The dump of the table's items every local run leaves in `--out` (mirror-outputs.ts writes it). */
export const ITEMS_DUMP = 'dynamodb.jsonl';

/**
 * One item of `<out>/dynamodb.jsonl`, the dump every local run leaves (mirror-outputs.ts), or
 * undefined when the dump or the item is missing. Read line by line: with a customer item each, the
 * dump can hold millions of lines, and starting the table's server to read one item costs more.
 */
export async function dumpedItem(outDir: string, key: ItemKey): Promise<Item | undefined> {
  const stream = createReadStream(join(outDir, ITEMS_DUMP), 'utf8');
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  // Parsing only the lines that mention the sort key keeps the read at the speed of the disk.
  const sortKey = JSON.stringify(key.SK);
  try {
    for await (const line of lines) {
      if (!line.includes(sortKey)) continue;
      const item = JSON.parse(line) as Item;
      if (item.PK === key.PK && item.SK === key.SK) return item;
    }
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  } finally {
    lines.close();
    stream.destroy();
  }
}
