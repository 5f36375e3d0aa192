import { exportId } from '../../core/exports/identity.ts';
import type { ObjectEvent } from './ingest-export.ts';

/** The version an event names: its version id, else its ETag (an unversioned bucket). */
export function versionOf(event: Pick<ObjectEvent, 'versionId' | 'etag'>): string {
  return event.versionId ?? event.etag?.replaceAll('"', '') ?? '';
}

/** The export an object event stands for; null when it carries neither a version id nor an ETag. */
export function exportIdOf(event: ObjectEvent): string | null {
  const version = versionOf(event);
  return version ? exportId({ bucket: event.bucket, key: event.key, version }) : null;
}

/**
 * An upload of the key's current version as HeadObject reports it: what a look at the bucket
 * (reconciliation, a removal, a late manifest) hands on to be loaded, as if S3 had announced it
 * (no sequencer: the bucket, not an event's order, is the truth here).
 */
export function currentVersionEvent(
  bucket: string,
  key: string,
  head: { versionId?: string; etag: string },
): ObjectEvent {
  return {
    type: 'created',
    bucket,
    key,
    etag: head.etag,
    ...(head.versionId ? { versionId: head.versionId } : {}),
  };
}
