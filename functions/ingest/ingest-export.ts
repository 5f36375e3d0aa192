import type { Config } from '../../core/config.ts';
import type { ControlTotalsReport } from '../../core/exports/control-totals.ts';
import { exportId, isManifestKey, kindOfKey, manifestKeyFor } from '../../core/exports/identity.ts';
import { EXPORT_KINDS, type ExportKind, isExportKind } from '../../core/exports/kinds.ts';
import { checkManifest, parseManifest } from '../../core/exports/manifest.ts';
import type { ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { curateExport } from './curate-export.ts';
import {
  type ExportStatus,
  exportKey,
  FINAL_STATUSES,
  readPointer,
  sequencerIsNewer,
  setExportStatus,
  sourceKey,
} from './export-registry.ts';
import { lakeKeys } from './lake-keys.ts';

export interface IngestPorts {
  exports: ObjectStore;
  lake: ObjectStore;
  items: ItemStore;
  config: Config;
  now?: () => Date;
}

export interface ObjectEvent {
  type: 'created' | 'removed';
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  sequencer?: string;
}

export type IngestOutcome =
  | { action: 'ignored'; key: string; reason: string }
  | { action: 'duplicate'; key: string; exportId: string; status: string }
  | { action: 'ingested'; key: string; exportId: string; status: ExportStatus; report: IngestReport }
  | { action: 'withdrawn'; key: string; exportId: string | null };

export interface IngestReport {
  export_id: string;
  kind: string;
  bucket: string;
  s3_key: string;
  version: string;
  status: ExportStatus;
  status_reason: string;
  encoding: string | null;
  delimiter: string | null;
  compressed: boolean;
  header: string[];
  ignored_columns: string[];
  control_totals: ControlTotalsReport | null;
  manifest: { checked: boolean; problems: string[] };
  quarantine_key: string | null;
  curated_keys: string[];
  received_at: string;
}

export async function handleObjectEvent(ports: IngestPorts, event: ObjectEvent): Promise<IngestOutcome> {
  if (isManifestKey(event.key)) {
    return { action: 'ignored', key: event.key, reason: 'manifests are read with the export they describe' };
  }
  if (event.key.endsWith('/')) return { action: 'ignored', key: event.key, reason: 'folder marker' };
  return event.type === 'removed' ? withdrawKey(ports, event) : ingestObject(ports, event);
}

async function ingestObject(ports: IngestPorts, event: ObjectEvent): Promise<IngestOutcome> {
  const version = event.versionId ?? event.etag?.replaceAll('"', '');
  if (!version) throw new Error(`event for ${event.key} carries neither a version id nor an ETag`);
  const id = exportId({ bucket: event.bucket, key: event.key, version });
  const receivedAt = (ports.now ?? (() => new Date()))();
  const claim = await claimExport(ports, id, event.key, receivedAt);
  if (claim !== 'claimed') return { action: 'duplicate', key: event.key, exportId: id, status: claim };
  const kindSegment = kindOfKey(event.key);
  let report: IngestReport;
  try {
    report = await (kindSegment && isExportKind(kindSegment)
      ? loadExport(ports, event, id, version, kindSegment, receivedAt)
      : Promise.resolve(
          emptyReport(
            event,
            id,
            version,
            kindSegment ?? '',
            receivedAt,
            'rejected',
            unknownKindReason(kindSegment),
          ),
        ));
  } catch (error) {
    // Release the claim so the redelivered message can start again at once (staging is cleared then).
    await ports.items.put({
      ...exportKey(id),
      export_id: id,
      s3_key: event.key,
      status: 'failed',
      status_reason: String(error),
    });
    throw error;
  }
  await ports.lake.put(lakeKeys.ingestReport(id), JSON.stringify(report, null, 2), 'application/json');
  await ports.items.put({ ...exportKey(id), ...exportItem(report) });
  await replaceEarlierVersion(ports, event, id, report);
  const status = (await ports.items.get(`EXPORT#${id}`, 'META'))?.status as ExportStatus;
  return { action: 'ingested', key: event.key, exportId: id, status, report: { ...report, status } };
}

/** Lambda runs at most 15 minutes: a `loading` claim older than this was left by a dead invocation. */
const CLAIM_EXPIRES_MS = 16 * 60 * 1000;

/**
 * Takes the export for this invocation with a conditional write, so concurrent deliveries of the
 * same notification cannot both load it. Returns the final status when it is already done; throws
 * while another invocation holds a live claim, so the queue redelivers the message later.
 */
async function claimExport(
  ports: IngestPorts,
  id: string,
  key: string,
  now: Date,
): Promise<'claimed' | string> {
  const claimed = await ports.items.putIf(
    { ...exportKey(id), export_id: id, s3_key: key, status: 'loading', claimed_at: now.getTime() },
    'attribute_not_exists(PK) OR #status = :failed OR (#status = :loading AND claimed_at < :expired)',
    { ':failed': 'failed', ':loading': 'loading', ':expired': now.getTime() - CLAIM_EXPIRES_MS },
    { '#status': 'status' },
  );
  if (claimed) return 'claimed';
  const existing = await ports.items.get(`EXPORT#${id}`, 'META');
  if (existing && FINAL_STATUSES.has(String(existing.status))) return String(existing.status);
  throw new Error(`export ${id} (${key}) is being ingested by another invocation; retry later`);
}

function unknownKindReason(kind: string | null): string {
  return kind
    ? `unknown export kind "${kind}": the first folder must be one of ${EXPORT_KINDS.join(', ')}`
    : `the file must sit in a folder named after its kind (${EXPORT_KINDS.join(', ')})`;
}

function emptyReport(
  event: ObjectEvent,
  id: string,
  version: string,
  kind: string,
  receivedAt: Date,
  status: ExportStatus,
  reason: string,
): IngestReport {
  return {
    export_id: id,
    kind,
    bucket: event.bucket,
    s3_key: event.key,
    version,
    status,
    status_reason: reason,
    encoding: null,
    delimiter: null,
    compressed: false,
    header: [],
    ignored_columns: [],
    control_totals: null,
    manifest: { checked: false, problems: [] },
    quarantine_key: null,
    curated_keys: [],
    received_at: receivedAt.toISOString(),
  };
}

async function loadExport(
  ports: IngestPorts,
  event: ObjectEvent,
  id: string,
  version: string,
  kind: ExportKind,
  receivedAt: Date,
): Promise<IngestReport> {
  const report = emptyReport(event, id, version, kind, receivedAt, 'loading', '');
  const staging = lakeKeys.curatedStaging(kind, id);
  // A previous attempt may have died midway: start from an empty staging folder.
  await ports.lake.deletePrefix(staging);
  const source = await ports.exports.openStream(event.key, event.versionId);
  const curated = await curateExport(
    source.body,
    kind,
    ports.config,
    (index, bytes) => ports.lake.put(lakeKeys.part(staging, index), bytes, 'application/vnd.apache.parquet'),
    { sizeHint: source.size },
  );
  Object.assign(report, curated.reading);
  if (!curated.ok) {
    await ports.lake.deletePrefix(staging);
    return finish(report, 'rejected', curated.reason);
  }
  report.header = curated.header;
  report.ignored_columns = curated.ignoredColumns;
  report.control_totals = curated.totals;
  if (curated.quarantineCsv) {
    report.quarantine_key = lakeKeys.quarantine(kind, id);
    await ports.lake.put(report.quarantine_key, curated.quarantineCsv, 'text/csv; charset=utf-8');
  }
  const manifestProblems = await checkSidecar(ports, event, report);
  if (manifestProblems.length > 0) {
    await ports.lake.deletePrefix(staging);
    return finish(report, 'blocked', manifestProblems.join('; '));
  }
  if (!curated.totals.balanced) {
    await ports.lake.deletePrefix(staging);
    return finish(report, 'blocked', 'control totals do not balance');
  }
  report.curated_keys = await ports.lake.publishFolder(staging, lakeKeys.curatedFolder(kind, id));
  const quarantined = curated.totals.rows_quarantined;
  return finish(report, 'loaded', quarantined > 0 ? `${quarantined} row(s) quarantined` : '');
}

function finish(report: IngestReport, status: ExportStatus, reason: string): IngestReport {
  report.status = status;
  report.status_reason = reason;
  return report;
}

async function checkSidecar(ports: IngestPorts, event: ObjectEvent, report: IngestReport): Promise<string[]> {
  const text = await ports.exports.getText(manifestKeyFor(event.key));
  if (text === null || !report.control_totals) return [];
  report.manifest.checked = true;
  const parsed = parseManifest(text);
  report.manifest.problems = parsed.ok
    ? checkManifest(parsed.manifest, report.control_totals)
    : [parsed.reason];
  return report.manifest.problems;
}

function exportItem(report: IngestReport): Record<string, unknown> {
  const totals = report.control_totals;
  return {
    export_id: report.export_id,
    kind: report.kind,
    s3_key: report.s3_key,
    bucket: report.bucket,
    version: report.version,
    status: report.status,
    status_reason: report.status_reason,
    rows_in: totals?.rows_in ?? 0,
    rows_curated: totals?.rows_curated ?? 0,
    rows_quarantined: totals?.rows_quarantined ?? 0,
    control_totals: JSON.stringify(totals?.amounts ?? {}),
    quarantine_key: report.quarantine_key,
    received_at: report.received_at,
  };
}

/**
 * A new version of a key replaces what the key contributed before; an out-of-order older event
 * (lower sequencer) is superseded instead, so the newest upload always wins.
 */
async function replaceEarlierVersion(
  ports: IngestPorts,
  event: ObjectEvent,
  id: string,
  report: IngestReport,
) {
  const sequencer = event.sequencer ?? '';
  const pointer = await readPointer(ports.items, event.bucket, event.key);
  if (pointer && pointer.export_id === id) return;
  if (pointer && sequencer && pointer.sequencer && !sequencerIsNewer(sequencer, pointer.sequencer)) {
    await withdrawExport(
      ports,
      report.kind,
      id,
      'superseded',
      'a newer version of the file had already arrived',
    );
    return;
  }
  await ports.items.put({
    ...sourceKey(event.bucket, event.key),
    export_id: id,
    kind: report.kind,
    sequencer,
  });
  if (pointer?.export_id) {
    await withdrawExport(ports, pointer.kind, pointer.export_id, 'replaced', `replaced by export ${id}`);
  }
}

async function withdrawExport(
  ports: IngestPorts,
  kind: string,
  id: string,
  status: ExportStatus,
  reason: string,
) {
  await ports.lake.deletePrefix(lakeKeys.curatedFolder(kind, id));
  await setExportStatus(ports.items, id, status, reason);
}

async function withdrawKey(ports: IngestPorts, event: ObjectEvent): Promise<IngestOutcome> {
  const pointer = await readPointer(ports.items, event.bucket, event.key);
  const sequencer = event.sequencer ?? '';
  if (pointer && sequencer && pointer.sequencer && !sequencerIsNewer(sequencer, pointer.sequencer)) {
    return { action: 'ignored', key: event.key, reason: 'the removal is older than the current version' };
  }
  const kind = pointer?.kind ?? kindOfKey(event.key) ?? '';
  await ports.items.put({ ...sourceKey(event.bucket, event.key), export_id: null, kind, sequencer });
  if (pointer?.export_id) {
    await withdrawExport(
      ports,
      kind,
      pointer.export_id,
      'withdrawn',
      'the file was deleted from the exports bucket',
    );
  }
  return { action: 'withdrawn', key: event.key, exportId: pointer?.export_id ?? null };
}
