import type { Item, ItemStore } from '../adapters/item-store.ts';

/**
 * DynamoDB bookkeeping of exports: `EXPORT#<id>`/`META` per export and `SOURCE#<bucket>/<key>`/
 * `CURRENT` pointing at the export that currently stands for an object key.
 */
export type ExportStatus =
  | 'loading'
  | 'loaded'
  | 'rejected'
  | 'blocked'
  | 'replaced'
  | 'withdrawn'
  | 'superseded';

export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'loaded',
  'rejected',
  'blocked',
  'replaced',
  'withdrawn',
  'superseded',
]);

export const exportKey = (exportId: string) => ({ PK: `EXPORT#${exportId}`, SK: 'META' });
export const sourceKey = (bucket: string, key: string) => ({ PK: `SOURCE#${bucket}/${key}`, SK: 'CURRENT' });

export interface SourcePointer {
  export_id: string | null;
  kind: string;
  sequencer: string;
}

/** S3 sequencers are hex strings of varying length: compare them right-aligned. */
export function sequencerIsNewer(candidate: string, current: string): boolean {
  const width = Math.max(candidate.length, current.length);
  return candidate.padStart(width, '0') > current.padStart(width, '0');
}

export async function readPointer(
  items: ItemStore,
  bucket: string,
  key: string,
): Promise<SourcePointer | undefined> {
  const item = await items.get(sourceKey(bucket, key).PK, 'CURRENT');
  return item as (Item & SourcePointer) | undefined;
}

export async function setExportStatus(
  items: ItemStore,
  exportId: string,
  status: ExportStatus,
  reason: string,
) {
  const existing = await items.get(`EXPORT#${exportId}`, 'META');
  if (existing) await items.put({ ...existing, status, status_reason: reason });
}
