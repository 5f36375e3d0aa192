import { gunzipSync, gzipSync } from 'node:zlib';
import type { Item, ItemKey, ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { readRawColumns } from '../adapters/parquet-columns.ts';
import { eachBounded } from '../shared/each-bounded.ts';
import { targetPk } from './target-items.ts';

/**
 * Bookkeeping of the weekly target runs, so a run writes only the items that changed:
 * - `TARGET_RUNS` / `AS_OF#<monday>`: a completed run (written last), with the lake key of its
 *   item manifest and `expires_at` (TTL) about 400 days out;
 * - `TARGET_RUNS` / `WRITING`: the run writing items now, or the last one that did, with the
 *   manifests of every run that started writing since the last completed run;
 * - the manifest, `reports/targets/as_of=<monday>/items-<started>.json.gz`: every TARGET# key the
 *   run planned with a digest of its content. A key is never reused, so a crashed rerun cannot
 *   overwrite the manifest a completed run points to.
 * All of it is read with one Query and a few GetObjects, never a Scan or a read per item; only a
 * manifest the lake lost costs more (see lostRuns).
 */
export const TARGET_RUNS_PK = 'TARGET_RUNS';
export const WRITING_SK = 'WRITING';
export const runSk = (asOf: string) => `AS_OF#${asOf}`;
const RUN_RETENTION_DAYS = 400;

/** What the bookkeeping reads and writes of the table: the TARGET_RUNS records (one Query, a Put each). */
export type RunsTable = Pick<ItemStore, 'query' | 'put'>;
/** What the bookkeeping reads and writes of the lake: the item manifests. */
export type ManifestLake = Pick<ObjectStore, 'put' | 'getBytes'>;

/** Digest per SK, per PK. */
export type Manifest = Map<string, Map<string, string>>;

export interface RunState {
  /** The newest completed run (by completion, so a re-run of an older week counts as newest). */
  completed: Item | undefined;
  /** Manifests of runs that started writing after it and never completed (their writes may be in the table). */
  pending: string[];
}

export async function readRunState(items: Pick<RunsTable, 'query'>): Promise<RunState> {
  const records = await items.query(TARGET_RUNS_PK);
  let completed: Item | undefined;
  for (const record of records) {
    if (!record.SK.startsWith('AS_OF#')) continue;
    if (!completed || String(record.completed_at) > String(completed.completed_at)) completed = record;
  }
  const writing = records.find((r) => r.SK === WRITING_SK);
  const crashed = writing && (!completed || String(writing.started_at) > String(completed.completed_at));
  return { completed, pending: crashed ? ((writing.manifests as string[] | undefined) ?? []) : [] };
}

export const manifestKey = (asOf: string, startedAt: string) =>
  `reports/targets/as_of=${asOf}/items-${startedAt.replace(/[:.]/g, '')}.json.gz`;

export async function writeManifest(
  lake: Pick<ManifestLake, 'put'>,
  key: string,
  manifest: Manifest,
): Promise<void> {
  const plain: Record<string, Record<string, string>> = {};
  for (const [pk, sks] of manifest) plain[pk] = Object.fromEntries(sks);
  await lake.put(key, gzipSync(JSON.stringify(plain)), 'application/json');
}

/** The manifest at `key`; undefined when it is missing (treated as "anything may be there"). */
export async function readManifest(
  lake: Pick<ManifestLake, 'getBytes'>,
  key: string,
): Promise<Manifest | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await lake.getBytes(key);
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
  const plain = JSON.parse(gunzipSync(bytes).toString('utf8')) as Record<string, Record<string, string>>;
  return new Map(Object.entries(plain).map(([pk, sks]) => [pk, new Map(Object.entries(sks))]));
}

export interface PreviousRuns {
  /** The manifest of each state the table may be in (see itemDiff); undefined when unknown. */
  states: (Manifest | undefined)[];
  /** Manifests the run records name that the lake no longer has. */
  lost: string[];
}

/** The manifests of the last completed run and of the runs that crashed after it. */
export async function readPreviousRuns(
  lake: Pick<ManifestLake, 'getBytes'>,
  state: RunState,
): Promise<PreviousRuns> {
  const keys = [state.completed?.manifest as string | undefined, ...state.pending];
  const states = await Promise.all(
    keys.map((key) => (key ? readManifest(lake, key) : Promise.resolve(undefined))),
  );
  const lost = keys.filter((key, i): key is string => key !== undefined && states[i] === undefined);
  return { states, lost };
}

/** Queries in flight at most while looking for the items of a lost manifest (as local mode's dump). */
const QUERY_CONCURRENCY = 16;

export interface LostRuns {
  lost: string[];
  /** TARGET# partition keys the lake still lists for the lost runs (besides the plan's own). */
  partitions: Set<string>;
  /** The Parquet folders they were read from. */
  sources: string[];
}

/**
 * What the lake still says about the runs whose manifests it lost: the `plan` scopes of the
 * `targets` Parquet of their weeks. Those runs planned (published or staged) exactly that, so its
 * partitions are where their items are; a restore that took the week's folder too leaves the
 * newest earlier week, whose scopes are most of that run's. Read before this run clears its own
 * staging folder, which is a crashed rerun's when the run id is the same.
 */
export async function lostRuns(
  lake: Pick<ObjectStore, 'list' | 'getBytes'>,
  lost: string[],
): Promise<LostRuns> {
  const weeks = new Set(lost.flatMap((key) => /\/as_of=([^/]+)\//.exec(key)?.[1] ?? []));
  const published = new Map<string, string[]>();
  for (const key of await lake.list('results/targets/')) {
    const week = /^results\/targets\/as_of=([^/]+)\/[^/]*\.parquet$/.exec(key)?.[1];
    if (!week) continue;
    const keys = published.get(week) ?? [];
    keys.push(key);
    published.set(week, keys);
  }
  const staged = new Map<string, string[]>();
  for (const key of await lake.list('staging/results/')) {
    // staging/results/<run>/targets/as_of=<monday>/part-*.parquet
    const [, , , table, folder] = key.split('/');
    if (table !== 'targets' || !folder?.startsWith('as_of=') || !key.endsWith('.parquet')) continue;
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    const keys = staged.get(prefix) ?? [];
    keys.push(key);
    staged.set(prefix, keys);
  }
  const folders = new Map<string, string[]>();
  const publishedWeeks = [...published.keys()].sort();
  for (const week of weeks) {
    const newest = publishedWeeks.filter((w) => w <= week).at(-1);
    if (newest) folders.set(`results/targets/as_of=${newest}/`, published.get(newest) ?? []);
    for (const [prefix, keys] of staged) if (prefix.endsWith(`/as_of=${week}/`)) folders.set(prefix, keys);
  }
  const partitions = new Set<string>();
  for (const keys of folders.values()) {
    for (const key of keys)
      for (const pk of await planPartitions(await lake.getBytes(key), key)) partitions.add(pk);
  }
  return { lost, partitions, sources: [...folders.keys()] };
}

/** The TARGET# partition keys of the `plan` rows of a `targets` Parquet part. */
async function planPartitions(bytes: Uint8Array, key: string): Promise<Set<string>> {
  const names = ['scenario', 'scope', 'metric', 'fiscal_year'];
  const read = await readRawColumns(bytes, names);
  const [scenario, scope, metric, year] = names.map((name) => read.columns.get(name));
  if (
    scenario?.kind !== 'strings' ||
    scope?.kind !== 'strings' ||
    metric?.kind !== 'strings' ||
    year?.kind !== 'numbers'
  )
    throw new Error(`${key}: expected the targets table's scenario, scope, metric and fiscal_year columns`);
  const partitions = new Set<string>();
  let last = '';
  for (let row = 0; row < read.rows; row++) {
    if (scenario.values[row] !== 'plan') continue;
    // A series' rows are adjacent: its key is built once, not once per period.
    const id = `${scope.values[row]}\u0000${metric.values[row]}\u0000${year.values[row]}`;
    if (id === last) continue;
    last = id;
    partitions.add(
      targetPk(String(scope.values[row]), String(metric.values[row]), year.values[row] as number),
    );
  }
  return partitions;
}

/**
 * The items of `partitions` whose keys the plan does not hold, by one Query a partition: without
 * the lost manifests this is how the run finds what they listed, never by a Scan.
 */
export async function strayItems(
  items: Pick<ItemStore, 'query'>,
  partitions: Iterable<string>,
  planned: Manifest,
): Promise<ItemKey[]> {
  const stray: ItemKey[] = [];
  await eachBounded([...new Set(partitions)], QUERY_CONCURRENCY, async (pk) => {
    const sks = planned.get(pk);
    for (const item of await items.query(pk))
      if (!sks?.has(item.SK)) stray.push({ PK: item.PK, SK: item.SK });
  });
  return stray;
}

/** What a run whose previous manifests the lake lost tells the operator. */
export function lostManifestWarning(runs: LostRuns, plannedPartitions: number): string {
  const read =
    runs.sources.length > 0
      ? ` and ${runs.partitions.size} the targets Parquet of ${runs.sources.join(', ')} lists`
      : ' (the lake has no targets Parquet of those weeks to list more)';
  return (
    `item manifest(s) ${runs.lost.join(', ')} named by the TARGET_RUNS records are missing from the lake: ` +
    `the TARGET# items they listed were looked for by Query in the ${plannedPartitions} partitions this plan writes${read}, ` +
    'and those not planned were deleted; items in other partitions (scopes, reps or years no longer planned) ' +
    'cannot be found without a Scan and stay served: list scope, metric, fiscal_year of the plan in the targets ' +
    "table of earlier weeks (scenario = 'plan') and delete the TARGET#<scope>#<metric>#FY<year> partitions this plan no longer has"
  );
}

/** Marks that items are about to be written, listing every manifest whose writes may be in the table. */
export async function markWriting(
  items: Pick<RunsTable, 'put'>,
  asOf: string,
  startedAt: string,
  manifests: string[],
): Promise<void> {
  await items.put({ PK: TARGET_RUNS_PK, SK: WRITING_SK, as_of: asOf, started_at: startedAt, manifests });
}

export async function markCompleted(
  items: Pick<RunsTable, 'put'>,
  record: Record<string, unknown> & { as_of: string },
) {
  const completedAt = new Date();
  await items.put({
    PK: TARGET_RUNS_PK,
    SK: runSk(record.as_of),
    ...record,
    completed_at: completedAt.toISOString(),
    expires_at: Math.floor(completedAt.getTime() / 1000) + RUN_RETENTION_DAYS * 86_400,
  });
}

export interface ItemDiff {
  /** Keys whose planned content differs from what the table may hold. */
  changed: (pk: string, sk: string, digest: string) => boolean;
  /** Keys the table may hold that this run does not plan. */
  removed: (planned: Manifest) => ItemKey[];
}

/**
 * Compares this run's items with every state the table may be in: the last completed run's items,
 * overlaid by any run that crashed while writing. An item is written unless every one of those
 * states already holds exactly it; with no completed run (or a manifest gone missing) everything is
 * written.
 */
export function itemDiff(states: (Manifest | undefined)[]): ItemDiff {
  const known = states.length > 0 && states.every((s) => s !== undefined);
  const manifests = states.filter((s): s is Manifest => s !== undefined);
  return {
    changed(pk, sk, digest) {
      if (!known) return true;
      for (const m of manifests) if (m.get(pk)?.get(sk) !== digest) return true;
      return false;
    },
    removed(planned) {
      const keys: ItemKey[] = [];
      const seen = new Set<string>();
      for (const m of manifests) {
        for (const [pk, sks] of m) {
          const now = planned.get(pk);
          for (const sk of sks.keys()) {
            if (now?.has(sk)) continue;
            const id = `${pk}\u0000${sk}`;
            if (seen.has(id)) continue;
            seen.add(id);
            keys.push({ PK: pk, SK: sk });
          }
        }
      }
      return keys;
    },
  };
}
