import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../adapters/aws-clients.ts';
import type { Item } from '../adapters/item-store.ts';
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
export async function dumpItems(tableName: string, outDir: string): Promise<number> {
  // The dump is a copy of the whole table, the one place a Scan is what is wanted; it lives here,
  // in local mode, so the table port the handlers use has no way to scan.
  const all: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await awsClients().dynamodb.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }),
    );
    all.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  all.sort((a, b) => (a.PK === b.PK ? (a.SK < b.SK ? -1 : 1) : a.PK < b.PK ? -1 : 1));
  const lines = (async function* () {
    for (const item of all)
      yield `${JSON.stringify(item, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
  })();
  await pipeline(Readable.from(lines), createWriteStream(join(outDir, 'dynamodb.jsonl')));
  return all.length;
}
