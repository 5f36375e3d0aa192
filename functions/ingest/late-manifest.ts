import type { ControlTotalsReport } from '../../core/exports/control-totals.ts';
import { fileKeyOfManifest, manifestKeyFor } from '../../core/exports/identity.ts';
import { manifestProblems } from '../../core/exports/manifest.ts';
import type { Item } from '../adapters/item-store.ts';
import { readExport } from './export-registry.ts';
import type { IngestOutcome, IngestPorts, ObjectEvent } from './ingest-export.ts';
import { currentVersionEvent, exportIdOf } from './object-version.ts';

/**
 * A manifest uploaded, replaced or deleted after the file it describes (senders usually write it
 * last), from its notification or from reconciliation (which compares the bucket's manifests with
 * the ETag each export recorded, see manifestsToRecheck): the export of the file's current version
 * in the bucket is held to it as a load would have been. A loaded export it disagrees with, and a
 * blocked one it now agrees with (or that has no manifest any more), is loaded again through
 * `reload` (the file read again, the manifest checked at its end); so is one left `loading` by a
 * handling that died, or `failed` (the claim's attempts and rest decide). One being loaded now
 * fails this handling, to be delivered again once the load is done (the load may have looked for
 * the manifest before it was there). Otherwise nothing changes and nothing is read but the
 * registry and the manifest, which is read as it is now.
 */
export async function recheckManifest(
  ports: IngestPorts,
  event: ObjectEvent,
  handling: {
    /** Loads the file's current version again (its manifest checked at the end). */
    reload: (file: ObjectEvent) => Promise<IngestOutcome>;
    /** Whether the handling that left the export `loading` may still be running (claimIsLive). */
    heldByLiveHandling: (item: Item) => Promise<boolean>;
  },
): Promise<IngestOutcome> {
  const key = event.key;
  const fileKey = fileKeyOfManifest(key);
  const ignored = (reason: string): IngestOutcome => ({ action: 'ignored', key, reason });
  const head = await ports.exports.head(fileKey);
  if (!head) return ignored(`${fileKey} is not in the bucket: its load, when it comes, reads the manifest`);
  const file = currentVersionEvent(event.bucket, fileKey, head);
  const id = exportIdOf(file) as string;
  const item = await readExport(ports.items, id);
  if (!item) return ignored(`${fileKey} has not started loading: its load reads the manifest`);
  const status = String(item.status ?? '');
  if (status === 'loading') {
    if (await handling.heldByLiveHandling(item))
      throw new Error(`export ${id} (${fileKey}) is being loaded; its manifest is checked again later`);
    // Left loading by a handling that died (a reload a manifest started, killed midway).
    return handling.reload(file);
  }
  // A reload that failed: tried again as a first load that failed is (attempts, then a rest).
  if (status === 'failed') return handling.reload(file);
  if (status !== 'loaded' && status !== 'blocked')
    return ignored(`export ${id} of ${fileKey} is ${status}: the manifest changes nothing`);
  // The ETag before the text, as a load reads them (see checkSidecar).
  const manifest = await ports.exports.head(key);
  const text = manifest ? await ports.exports.getText(key) : null;
  const agrees = manifestProblems(text, recordedTotals(item)).length === 0;
  if (agrees !== (status === 'loaded')) return handling.reload(file);
  // Recorded, so that reconciliation does not check this manifest again (only while the export
  // is as read: a reload that claimed it meanwhile records its own).
  const etag = text === null ? null : (manifest?.etag ?? '').replaceAll('"', '');
  if ((item.manifest_etag ?? null) !== etag)
    await ports.items.putIf(
      { ...item, manifest_etag: etag },
      '#s = :s',
      { ':s': status },
      { '#s': 'status' },
    );
  return ignored(
    `export ${id} of ${fileKey} stays ${status}: the manifest ${agrees ? 'agrees' : 'disagrees'}`,
  );
}

/** The control totals a load recorded on the export's registry item, as checkManifest reads them. */
function recordedTotals(item: Item): ControlTotalsReport {
  return {
    rows_in: Number(item.rows_in ?? 0),
    rows_curated: Number(item.rows_curated ?? 0),
    rows_quarantined: Number(item.rows_quarantined ?? 0),
    amounts: JSON.parse(String(item.control_totals ?? '{}')),
    balanced: true,
  };
}

/**
 * The manifest events reconciliation replays: one for each export that counts or is blocked whose
 * manifest in the bucket (its ETag, or none) is not the one it recorded, as if its notification
 * had arrived (an upload, or a removal when it is gone), and one for each export a key points at
 * that is left `loading` or `failed` by a reload (taken over, or tried again).
 */
export function manifestsToRecheck(
  bucket: string,
  listed: ReadonlyMap<string, string>,
  exports: readonly { key: string; item: Item }[],
): ObjectEvent[] {
  const events: ObjectEvent[] = [];
  for (const { key, item } of exports) {
    // `loading` or `failed` while the key points at it: a reload (its manifest changed, its
    // curated folder lost) that died or failed; recheckManifest takes it over or tries it again.
    const retried = item.status === 'loading' || item.status === 'failed';
    if (item.status !== 'loaded' && item.status !== 'blocked' && !retried) continue;
    const manifestKey = manifestKeyFor(key);
    const etag = listed.get(manifestKey) ?? null;
    if (!retried && etag === (item.manifest_etag ?? null)) continue;
    events.push(
      etag === null
        ? { type: 'removed', bucket, key: manifestKey }
        : { type: 'created', bucket, key: manifestKey, etag },
    );
  }
  return events;
}
