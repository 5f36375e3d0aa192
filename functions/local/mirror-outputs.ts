import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';

const PUBLISHED_PREFIXES = ['curated/', 'results/', 'quarantine/', 'reports/'];

/** Copies the published lake (not staging) to `<out>/lake`, replacing what was there. */
export async function mirrorLake(lake: ObjectStore, outDir: string): Promise<number> {
  const target = join(outDir, 'lake');
  await rm(target, { recursive: true, force: true });
  let count = 0;
  for (const prefix of PUBLISHED_PREFIXES) {
    for (const key of await lake.list(prefix)) {
      const path = join(target, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await lake.getBytes(key));
      count += 1;
    }
  }
  return count;
}

/**
 * Dumps every DynamoDB item, one JSON object a line, ordered by key, to `<out>/dynamodb.jsonl`.
 * Written line by line: a million customers' items joined into one string would pass the longest
 * string JavaScript can hold.
 */
export async function dumpItems(items: ItemStore, outDir: string): Promise<number> {
  const all = [];
  for await (const page of items.dumpTable()) all.push(...page);
  all.sort((a, b) => (a.PK === b.PK ? (a.SK < b.SK ? -1 : 1) : a.PK < b.PK ? -1 : 1));
  const lines = (async function* () {
    for (const item of all)
      yield `${JSON.stringify(item, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
  })();
  await pipeline(Readable.from(lines), createWriteStream(join(outDir, 'dynamodb.jsonl')));
  return all.length;
}
