import type { ControlTotalsReport } from '../../core/exports/control-totals.ts';
import { manifestProblems } from '../../core/exports/manifest.ts';
import type { Item } from '../adapters/item-store.ts';
import { readExport, readPointer } from './export-registry.ts';
import type { IngestOutcome, IngestPorts, ObjectEvent } from './ingest-export.ts';

const MANIFEST_SUFFIX = '.manifest.json';

/**
 * A manifest uploaded, replaced or deleted after the file it describes (senders usually write it
 * last), from its notification or from reconciliation (which compares the bucket's manifests with
 * the ETag each export recorded, see manifestsToRecheck): the export its file counts with now is
 * held to it as a load would have been. A loaded
 * export it disagrees with, and a blocked one it now agrees with (or that has no manifest any
 * more), is loaded again through `reload` (the file read again, the manifest checked at its end);
 * otherwise nothing changes and nothing is read but the registry and the manifest. The manifest is
 * read as it is now, so the outcome does not depend on the order its notifications arrive in.
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
  const { reload } = handling;
  const key = event.key;
  const fileKey = key.slice(0, -MANIFEST_SUFFIX.length);
  const ignored = (reason: string): IngestOutcome => ({ action: 'ignored', key, reason });
  const pointer = await readPointer(ports.items, event.bucket, fileKey);
  if (!pointer?.export_id) return ignored(`no export of ${fileKey} counts yet: its load reads the manifest`);
  const item = await readExport(ports.items, pointer.export_id);
  const status = String(item?.status ?? '');
  if (status === 'loading') {
    // Its load may have looked for the manifest before it was there: checked again on redelivery.
    if (await handling.heldByLiveHandling(item as Item))
      throw new Error(
        `export ${pointer.export_id} (${fileKey}) is being loaded; its manifest is checked again later`,
      );
    // Left loading by a handling that died (a reload a manifest started, killed midway): loaded
    // again now, or it would count in no run until the file is uploaded again.
    return reloadFile(ports, event.bucket, fileKey, pointer.version, reload, ignored);
  }
  if (status !== 'loaded' && status !== 'blocked')
    return ignored(`export ${pointer.export_id} of ${fileKey} is ${status}: the manifest changes nothing`);
  // The ETag before the text, as a load reads them (see checkSidecar).
  const manifest = await ports.exports.head(key);
  const text = manifest ? await ports.exports.getText(key) : null;
  const agrees = manifestProblems(text, recordedTotals(item as Item)).length === 0;
  if (agrees === (status === 'loaded')) {
    // Recorded, so that reconciliation does not check this manifest again (only while the export
    // is as read: a reload that claimed it meanwhile records its own).
    const etag = text === null ? null : (manifest?.etag ?? '').replaceAll('"', '');
    if ((item?.manifest_etag ?? null) !== etag)
      await ports.items.putIf(
        { ...(item as Item), manifest_etag: etag },
        '#s = :s',
        { ':s': status },
        { '#s': 'status' },
      );
    return ignored(
      `export ${pointer.export_id} of ${fileKey} stays ${status}: the manifest ${agrees ? 'agrees' : 'disagrees'}`,
    );
  }
  return reloadFile(ports, event.bucket, fileKey, pointer.version, reload, ignored);
}

/** Loads the file again if its current version is still the one the key points at. */
async function reloadFile(
  ports: IngestPorts,
  bucket: string,
  fileKey: string,
  version: string | null | undefined,
  reload: (file: ObjectEvent) => Promise<IngestOutcome>,
  ignored: (reason: string) => IngestOutcome,
): Promise<IngestOutcome> {
  const head = await ports.exports.head(fileKey);
  if (!head) return ignored(`${fileKey} is no longer in the bucket`);
  if ((head.versionId ?? head.etag.replaceAll('"', '')) !== version)
    return ignored(`${fileKey} has changed since it loaded: its new version's load reads the manifest`);
  return reload({
    type: 'created',
    bucket,
    key: fileKey,
    etag: head.etag,
    ...(head.versionId ? { versionId: head.versionId } : {}),
  });
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
 * that is left `loading` (taken over when its handling died).
 */
export function manifestsToRecheck(
  bucket: string,
  listed: ReadonlyMap<string, string>,
  exports: readonly { key: string; item: Item }[],
): ObjectEvent[] {
  const events: ObjectEvent[] = [];
  for (const { key, item } of exports) {
    // `loading`: a reload its manifest started may have died there (recheckManifest takes it over).
    if (item.status !== 'loaded' && item.status !== 'blocked' && item.status !== 'loading') continue;
    const manifestKey = `${key}${MANIFEST_SUFFIX}`;
    const etag = listed.get(manifestKey) ?? null;
    if (item.status !== 'loading' && etag === (item.manifest_etag ?? null)) continue;
    events.push(
      etag === null
        ? { type: 'removed', bucket, key: manifestKey }
        : { type: 'created', bucket, key: manifestKey, etag },
    );
  }
  return events;
}
