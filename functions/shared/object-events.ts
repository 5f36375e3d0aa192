import type { ObjectEvent } from '../ingest/ingest-export.ts';

/**
 * Turns whatever delivered the S3 notification (S3 directly, SQS carrying S3 notifications, or
 * EventBridge "Object Created"/"Object Deleted") into plain object events.
 */
interface S3Record {
  eventName?: string;
  /** Not S3's: set by a reconciliation handing off an export to load again (see ObjectEvent.reload). */
  reload?: boolean;
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; versionId?: string; eTag?: string; sequencer?: string };
  };
}

export function fromS3Records(records: readonly S3Record[]): ObjectEvent[] {
  const events: ObjectEvent[] = [];
  for (const record of records) {
    const bucket = record.s3?.bucket?.name;
    const rawKey = record.s3?.object?.key;
    if (!bucket || rawKey === undefined || !record.eventName) continue;
    // S3 notifications URL-encode keys with '+' for spaces.
    const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    const object = record.s3?.object ?? {};
    events.push({
      type: record.eventName.startsWith('ObjectRemoved') ? 'removed' : 'created',
      bucket,
      key,
      ...(object.versionId ? { versionId: object.versionId } : {}),
      ...(object.eTag ? { etag: object.eTag } : {}),
      ...(object.sequencer ? { sequencer: object.sequencer } : {}),
      ...(record.reload === true ? { reload: true } : {}),
    });
  }
  return events;
}

interface EventBridgeS3 {
  'detail-type'?: string;
  detail?: {
    bucket?: { name?: string };
    object?: { key?: string; 'version-id'?: string; etag?: string; sequencer?: string };
  };
}

export function fromEventBridge(event: EventBridgeS3): ObjectEvent[] {
  const bucket = event.detail?.bucket?.name;
  const key = event.detail?.object?.key;
  if (!bucket || !key) return [];
  const object = event.detail?.object ?? {};
  return [
    {
      type: event['detail-type'] === 'Object Deleted' ? 'removed' : 'created',
      bucket,
      key,
      ...(object['version-id'] ? { versionId: object['version-id'] } : {}),
      ...(object.etag ? { etag: object.etag } : {}),
      ...(object.sequencer ? { sequencer: object.sequencer } : {}),
    },
  ];
}

/**
 * An upload as the body of an S3 notification message (what the ingest queue carries), so that a
 * function can hand an object to the ingest function as if S3 had announced it (fromMessageBody
 * reads it back to the same event). Keys are URL-encoded with '+' for spaces and '/' kept, as S3
 * writes them.
 */
export function toMessageBody(event: ObjectEvent): string {
  const key = event.key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%20/g, '+'))
    .join('/');
  const object = {
    key,
    ...(event.versionId ? { versionId: event.versionId } : {}),
    ...(event.etag ? { eTag: event.etag } : {}),
    ...(event.sequencer ? { sequencer: event.sequencer } : {}),
  };
  const eventName = event.type === 'removed' ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put';
  const reload = event.reload ? { reload: true } : {};
  return JSON.stringify({
    Records: [{ eventName, ...reload, s3: { bucket: { name: event.bucket }, object } }],
  });
}

/** Events of one SQS message body; an s3:TestEvent yields none. */
export function fromMessageBody(body: string): ObjectEvent[] {
  const parsed = JSON.parse(body) as { Records?: S3Record[]; 'detail-type'?: string };
  if (parsed.Records) return fromS3Records(parsed.Records);
  if (parsed['detail-type']) return fromEventBridge(parsed as EventBridgeS3);
  return [];
}
