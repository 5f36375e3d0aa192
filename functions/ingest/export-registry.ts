import { createHash } from 'node:crypto';
import type { Item, ItemStore } from '../adapters/item-store.ts';

/** What the registry needs of the table: reads by key and Query, single puts. */
export type RegistryTable = Pick<ItemStore, 'get' | 'put' | 'query'>;

/**
 * DynamoDB bookkeeping of exports, under keys read with a Query, never a Scan:
 * - `EXPORTS` / `EXPORT#<id>`: one item per export ingest has seen (status, control totals);
 * - `SOURCES` / `<bucket>/<key>`: which export currently stands for an object key (null once the
 *   key is deleted), with the S3 sequencer of the event that set it.
 * Both item collections grow with the number of exports, never with customers or nights.
 */
export type ExportStatus =
  | 'loading'
  | 'loaded'
  | 'rejected'
  | 'blocked'
  | 'replaced'
  | 'withdrawn'
  | 'superseded'
  | 'failed';

/** Statuses after which the same export identity is never loaded again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'loaded',
  'rejected',
  'blocked',
  'replaced',
  'withdrawn',
  'superseded',
]);

export const EXPORTS_PK = 'EXPORTS';
export const SOURCES_PK = 'SOURCES';

export const exportKey = (exportId: string) => ({ PK: EXPORTS_PK, SK: `EXPORT#${exportId}` });
export const sourceKey = (bucket: string, key: string) => ({
  PK: SOURCES_PK,
  SK: locationSk('', bucket, key),
});

/** DynamoDB takes a sort key of at most 1,024 bytes. */
const MAX_SORT_KEY_BYTES = 1024;

/**
 * `<prefix><bucket>/<key>`, the sort key of an item about an object, or, past DynamoDB's 1,024
 * bytes, `<prefix><bucket>/#sha256:<hex of the key>` (the item then carries `s3_key`, see
 * objectKeyOf): S3 keys may be 1,024 bytes themselves, and such a file's pointer was refused, so
 * it failed three times and was left out every night.
 */
export function locationSk(prefix: string, bucket: string, key: string): string {
  const plain = `${prefix}${bucket}/${key}`;
  if (plain.length * 3 <= MAX_SORT_KEY_BYTES || Buffer.byteLength(plain, 'utf8') <= MAX_SORT_KEY_BYTES)
    return plain;
  return `${prefix}${bucket}/#sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** What an item about an object carries beside its key when its sort key is hashed (locationSk). */
export function objectKeyFields(sk: string, key: string): { s3_key?: string } {
  return sk.includes('/#sha256:') ? { s3_key: key } : {};
}

/** The object key an item about one stands for: its `s3_key` when its sort key is hashed, else from the key. */
export function objectKeyOf(item: Item, skPrefix: string, bucket: string): string {
  return typeof item.s3_key === 'string' ? item.s3_key : item.SK.slice(skPrefix.length + bucket.length + 1);
}

export interface SourcePointer {
  export_id: string | null;
  kind: string;
  sequencer: string;
  /** The object's version (or ETag) the pointer was set from; reconciliation compares it. */
  version?: string | null;
  /** The object's ETag when the pointer was set (the content fingerprint reconciliation compares). */
  etag?: string | null;
  /** Counts the pointer's writes, so that a write can hold only while the pointer is as read. */
  revision?: number;
  /** The export the key pointed at before this one, withdrawn by the handling that moved it. */
  replaced?: string | null;
}

/**
 * Writes a key's pointer only if it is still as `seen` was read (absent, or at the same revision):
 * two handlings of one key at once (two versions, a version and a removal) each decide on the
 * pointer they read, and the later write must not undo the earlier's decision unseen. False when
 * the pointer changed meanwhile: read it again and decide again.
 */
export async function writePointer(
  items: Pick<ItemStore, 'putIf'>,
  bucket: string,
  key: string,
  seen: SourcePointer | undefined,
  pointer: Omit<SourcePointer, 'revision'>,
): Promise<boolean> {
  const revision = seen?.revision;
  // A deleted key's pointer expires as the exports that no longer count do (see expiryOf).
  const location = sourceKey(bucket, key);
  const item = {
    ...location,
    ...objectKeyFields(location.SK, key),
    ...pointer,
    revision: (revision ?? 0) + 1,
    ...(pointer.export_id === null ? expiryOf('deleted') : {}),
  };
  if (!seen) return items.putIf(item, 'attribute_not_exists(PK)');
  if (revision === undefined) return items.putIf(item, 'attribute_not_exists(#r)', {}, { '#r': 'revision' });
  return items.putIf(item, '#r = :r', { ':r': revision }, { '#r': 'revision' });
}

/** S3 sequencers are hex strings of varying length: compare them right-aligned. */
export function sequencerIsNewer(candidate: string, current: string): boolean {
  const width = Math.max(candidate.length, current.length);
  return candidate.padStart(width, '0') > current.padStart(width, '0');
}

export async function readExport(items: RegistryTable, exportId: string): Promise<Item | undefined> {
  const { PK, SK } = exportKey(exportId);
  return items.get(PK, SK);
}

export async function readPointer(
  items: RegistryTable,
  bucket: string,
  key: string,
): Promise<SourcePointer | undefined> {
  const { PK, SK } = sourceKey(bucket, key);
  return (await items.get(PK, SK)) as (Item & SourcePointer) | undefined;
}

/** Every export the registry knows (one Query, paged). */
export async function listExports(items: RegistryTable): Promise<Item[]> {
  return items.query(EXPORTS_PK, 'EXPORT#');
}

/** Every object key's pointer for one bucket (one Query, paged). */
export async function listPointers(
  items: RegistryTable,
  bucket: string,
): Promise<Map<string, SourcePointer>> {
  const pointers = new Map<string, SourcePointer>();
  for (const item of await items.query(SOURCES_PK, `${bucket}/`)) {
    pointers.set(objectKeyOf(item, '', bucket), item as Item & SourcePointer);
  }
  return pointers;
}

export async function setExportStatus(
  items: RegistryTable,
  exportId: string,
  status: ExportStatus,
  reason: string,
) {
  const existing = await readExport(items, exportId);
  if (!existing) return;
  const { expires_at: _counting, ...item } = existing;
  await items.put({ ...item, status, status_reason: reason, ...expiryOf(status) });
}

/**
 * How long the registry keeps what no longer counts: an export replaced, withdrawn or superseded,
 * and the pointer of a deleted key, expire (`expires_at`, the table's TTL attribute) after
 * REGISTRY_HISTORY_DAYS, so the registry (and the `exports` table built from it) keeps a year of
 * history instead of growing with every upload, night after night. An export that counts again
 * loses its expiry (the claim of its reload, see claimExport).
 */
export const REGISTRY_HISTORY_DAYS = 400;

export function expiryOf(status: ExportStatus | 'deleted', now = Date.now()): { expires_at?: number } {
  return status === 'replaced' || status === 'withdrawn' || status === 'superseded' || status === 'deleted'
    ? { expires_at: Math.floor(now / 1000) + REGISTRY_HISTORY_DAYS * 86_400 }
    : {};
}

/**
 * The exports that count now: loaded, and the one their object key points at. Compute and
 * targets read exactly these (a curated folder left behind by a crash midway counts for nothing).
 */
export async function currentExports(items: RegistryTable): Promise<Map<string, Item>> {
  const pointed = new Set<string>();
  for (const pointer of await items.query(SOURCES_PK)) {
    if (typeof pointer.export_id === 'string') pointed.add(pointer.export_id);
  }
  const current = new Map<string, Item>();
  for (const item of await listExports(items)) {
    if (item.status === 'loaded' && pointed.has(String(item.export_id)))
      current.set(String(item.export_id), item);
  }
  return current;
}
