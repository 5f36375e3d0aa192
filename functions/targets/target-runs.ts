import { gunzipSync, gzipSync } from 'node:zlib';
import type { Item, ItemKey, ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';

/**
 * Bookkeeping of the weekly target runs, so a run writes only the items that changed:
 * - `TARGET_RUNS` / `AS_OF#<monday>`: a completed run (written last), with the lake key of its
 *   item manifest and `expires_at` (TTL) about 400 days out;
 * - `TARGET_RUNS` / `WRITING`: the run writing items now, or the last one that did, with the
 *   manifests of every run that started writing since the last completed run;
 * - the manifest, `reports/targets/as_of=<monday>/items-<started>.json.gz`: every TARGET# key the
 *   run planned with a digest of its content. A key is never reused, so a crashed rerun cannot
 *   overwrite the manifest a completed run points to.
 * All of it is read with one Query and a few GetObjects, never a Scan or a read per item.
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
