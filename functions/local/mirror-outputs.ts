import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Item, ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { itemKeysOf } from '../compute/result-items.ts';
import { RUNS_PK } from '../compute/run-registry.ts';
import { EVENTS_PK } from '../ingest/event-guard.ts';
import { EXPORTS_PK, SOURCES_PK } from '../ingest/export-registry.ts';
import { CONTENTS_PK } from '../ingest/ingest-export.ts';
import { eachBounded } from '../shared/each-bounded.ts';
import { readManifest, TARGET_RUNS_PK } from '../targets/target-runs.ts';
import { ITEMS_DUMP } from './dumped-item.ts';
import { replaceFile } from './replace-file.ts';

const PUBLISHED_PREFIXES = ['curated/', 'results/', 'quarantine/', 'reports/'];

/**
 * Copies the published lake (not staging) to `<out>/lake`, replacing what was there. The copy is
 * written beside it and swapped in by two renames: a `cval` killed while copying (or a `cval query`
 * reading meanwhile) finds the previous mirror whole, never one with tables or days missing.
 */
export async function mirrorLake(lake: ObjectStore, outDir: string): Promise<number> {
  const target = join(outDir, 'lake');
  const next = join(outDir, `.lake-next-${process.pid}`);
  const previous = join(outDir, `.lake-previous-${process.pid}`);
  // What a killed copy left (the --out lock lets one writer in at a time).
  for (const name of existsSync(outDir) ? await readdir(outDir) : [])
    if (name.startsWith('.lake-next-') || name.startsWith('.lake-previous-'))
      await rm(join(outDir, name), { recursive: true, force: true });
  let count = 0;
  for (const prefix of PUBLISHED_PREFIXES) {
    for (const key of await lake.list(prefix)) {
      const path = join(next, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await lake.getBytes(key));
      count += 1;
    }
  }
  await mkdir(next, { recursive: true });
  await rm(previous, { recursive: true, force: true });
  if (existsSync(target)) await rename(target, previous);
  await rename(next, target);
  await rm(previous, { recursive: true, force: true });
  return count;
}

/**
 * Partitions with a fixed key, one Query each: the registries and bookkeeping (README "DynamoDB
 * items"). A new family of items needs its partition (or its ids' source, below) added here:
 * test/functions/dump-items.test.ts compares the dump with a Scan of the table, made by the test.
 */
export const FIXED_PARTITIONS = [EXPORTS_PK, SOURCES_PK, CONTENTS_PK, RUNS_PK, TARGET_RUNS_PK, EVENTS_PK];

/** Queries in flight at most while dumping. */
const QUERY_CONCURRENCY = 16;

/**
 * Dumps every DynamoDB item, one JSON object a line, ordered by key, to `<out>/dynamodb.jsonl`.
 *
 * With Queries only, never a Scan (design.md: every read is a GetItem or a Query): one per partition
 * key, every page, at most QUERY_CONCURRENCY at a time. The keys come from what wrote the items:
 * - the fixed partitions above;
 * - `CUSTOMER#<id>` and `COHORT#<dimension>#<cohort>`: every customer and cohort of every compute
 *   run's customer_metrics and cohort_metrics in the lake, published (`results/`) or staged and never
 *   published (`staging/results/<run>/`): a run stages its tables before it writes their items;
 * - `TARGET#...`: every key in every weekly targets run's item manifest
 *   (`reports/targets/as_of=<monday>/items-*.json.gz`), written before the run writes items.
 * A customer or cohort that a re-run of the newest day no longer has leaves no trace in the lake
 * once that re-run rewrote the day's tables, and no item either: the re-run deleted its item
 * (LookupHolders in functions/compute/run-compute.ts).
 *
 * Written line by line: a million customers' items joined into one string would pass the longest
 * string JavaScript can hold.
 */
export async function dumpItems(
  items: Pick<ItemStore, 'query'>,
  lake: Pick<ObjectStore, 'list' | 'getBytes'>,
  outDir: string,
): Promise<number> {
  const partitions = new Set<string>(FIXED_PARTITIONS);
  for (const id of await stringsOf(lake, 'customer_metrics', ['customer_id']))
    partitions.add(`CUSTOMER#${id}`);
  for (const key of await stringsOf(lake, 'cohort_metrics', ['cohort_dimension', 'cohort']))
    partitions.add(`COHORT#${key}`);
  for (const pk of await targetPartitions(lake)) partitions.add(pk);

  const all: Item[] = [];
  await eachBounded([...partitions], QUERY_CONCURRENCY, async (pk) => {
    all.push(...(await items.query(pk)));
  });
  all.sort((a, b) => (a.PK === b.PK ? (a.SK < b.SK ? -1 : 1) : a.PK < b.PK ? -1 : 1));
  const lines = (async function* () {
    for (const item of all)
      yield `${JSON.stringify(item, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
  })();
  await replaceFile(join(outDir, ITEMS_DUMP), lines);
  return all.length;
}

/** The item keys (see itemKeysOf) of every file of `table` any compute run published or staged. */
async function stringsOf(
  lake: Pick<ObjectStore, 'list' | 'getBytes'>,
  table: string,
  columns: string[],
): Promise<Set<string>> {
  const published = await lake.list(`results/${table}/`);
  // staging/results/<run>/<table>/as_of=<date>/part-*.parquet
  const staged = (await lake.list('staging/results/')).filter((key) => key.split('/')[3] === table);
  const values = new Set<string>();
  for (const key of [...published, ...staged]) {
    if (!key.endsWith('.parquet')) continue;
    const keys = await itemKeysOf(await lake.getBytes(key), columns);
    if (keys === null)
      throw new Error(`${key}: expected string columns ${columns.join(', ')} to list the items to dump`);
    for (const found of keys) values.add(found);
  }
  return values;
}

/** Every TARGET# partition key in the targets runs' item manifests. */
async function targetPartitions(lake: Pick<ObjectStore, 'list' | 'getBytes'>): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const key of await lake.list('reports/targets/')) {
    if (!/\/items-[^/]*\.json\.gz$/.test(key)) continue;
    const manifest = await readManifest(lake, key);
    for (const pk of manifest?.keys() ?? []) keys.add(pk);
  }
  return keys;
}
