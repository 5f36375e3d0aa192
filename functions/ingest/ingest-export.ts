import type { Config } from '../../core/config.ts';
import type { ControlTotalsReport } from '../../core/exports/control-totals.ts';
import { type HeaderAliasOverrides, headerAliasesOf } from '../../core/exports/headers.ts';
import { isManifestKey, kindOfKey, manifestKeyFor } from '../../core/exports/identity.ts';
import { EXPORT_KINDS, type ExportKind, isExportKind } from '../../core/exports/kinds.ts';
import { manifestProblems } from '../../core/exports/manifest.ts';
import type { Item, ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { type CurateResult, curateExport, tooLarge } from './curate-export.ts';
import type { EventGuard, RecordedOutcome } from './event-guard.ts';
import {
  type ExportStatus,
  exportKey,
  FINAL_STATUSES,
  locationSk,
  objectKeyFields,
  objectKeyOf,
  readExport,
  readPointer,
  type SourcePointer,
  sequencerIsNewer,
  setExportStatus,
  writePointer,
} from './export-registry.ts';
import { lakeKeys } from './lake-keys.ts';
import { recheckManifest } from './late-manifest.ts';
import { currentVersionEvent, exportIdOf, versionOf } from './object-version.ts';

/** What ingest reads of the exports bucket (reconciliation lists it too). */
export type ExportsBucket = Pick<
  ObjectStore,
  'bucket' | 'openStream' | 'getText' | 'head' | 'listObjects' | 'firstBytes'
>;
/** What ingest writes to the lake: staged parts published as a folder, quarantine, reports. */
export type LakeWriter = Pick<ObjectStore, 'put' | 'list' | 'deletePrefix' | 'publishFolder' | 'openUpload'>;
/** What ingest needs of the table: conditional claims, the registry's reads and writes. */
export type IngestTable = Pick<ItemStore, 'get' | 'put' | 'putIf' | 'query' | 'deleteAll'>;

export interface IngestPorts {
  exports: ExportsBucket;
  lake: LakeWriter;
  items: IngestTable;
  config: Config;
  now?: () => Date;
  /**
   * The idempotency records each handling runs under (event-guard.ts). Without them (tests that
   * call handleObjectEvent directly) nothing tells whether another handler is alive, so an export
   * another handler left `loading` is never taken over.
   */
  guard?: EventGuard;
  /**
   * The time this process has left, in ms (a Lambda's remaining time; 0 in local mode): how long
   * the idempotency record of a handling stays in progress should the process die. Reconciliation
   * builds its guard from it when it is given none.
   */
  claimMs?: () => number;
  /**
   * The time the invocation has left, in ms (a Lambda's remaining time), when it has a limit: the
   * reading of an export stops while `timeMargin` is still left, and the export is rejected with a
   * reason saying how far it got, never killed mid-read by the timeout. Absent in
   * local mode and for reconciliation's loads, which have no such limit.
   */
  remainingMs?: () => number;
}

/**
 * What a load leaves itself after its reading is stopped for lack of time: staging to clear, the
 * quarantine upload to abort, the report and registry item to write (a few requests), with room
 * for a slow S3 or DynamoDB.
 */
export const INGEST_TIME_MARGIN_MS = 60_000;

/** The margin a load keeps: a minute, or a quarter of the time left as it starts when that is less. */
export function timeMargin(remainingMs: number): number {
  return Math.min(INGEST_TIME_MARGIN_MS, remainingMs / 4);
}

/** The time by the ports' clock (tests set one), else the system's. */
export function nowOf(ports: Pick<IngestPorts, 'now'>): Date {
  return (ports.now ?? (() => new Date()))();
}

/**
 * A load that failed this many times in a row is marked `failed` and left out of the runs, until
 * the file is uploaded again or RETRY_FAILED_AFTER_MS have passed (the next night tries once
 * more, so a fix deployed in between loads the file without anyone re-uploading it).
 */
export const MAX_LOAD_ATTEMPTS = 3;
export const RETRY_FAILED_AFTER_MS = 6 * 60 * 60 * 1000;

export interface ObjectEvent {
  type: 'created' | 'removed';
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  sequencer?: string;
  /**
   * Load again even when its export is done: a reconciliation handing the ingest function an
   * export whose curated folder the lake lost (too large to load in the run itself).
   */
  reload?: boolean;
}

/** What a handling did: the actions of IngestOutcome. */
type HandlingAction = 'ignored' | 'duplicate' | 'ingested' | 'withdrawn';

export type IngestOutcome =
  | { action: 'ignored'; key: string; reason: string; replayOf?: HandlingAction }
  | { action: 'duplicate'; key: string; exportId: string; status: string; replayOf?: HandlingAction }
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
  /** The sidecar manifest: whether there was one to check, what differs, and its ETag (null: none). */
  manifest: { checked: boolean; problems: string[]; etag: string | null };
  /**
   * For an export rejected for its header: the kind's header_aliases it was read with (canonical,
   * headerAliasesOf), so that reconciliation reads it again once they change.
   */
  rejected_header_aliases?: string;
  /**
   * A loaded transactions export's sample of its order lines (KeySketch): runs compare them to
   * warn of two exports that share their lines, such as a revised file under a new name.
   */
  key_sketch?: string;
  quarantine_key: string | null;
  curated_keys: string[];
  received_at: string;
  /** Things finance should know that did not stop the load (e.g. the same content under two names). */
  warnings: string[];
}

/** The event as a handling names it: type, bucket, key, version (or ETag) and S3's sequencer. */
export function eventIdentity(event: ObjectEvent): string {
  const identity = [event.type, event.bucket, event.key, versionOf(event), event.sequencer ?? null];
  // A hand-off to load again is its own handling, not a redelivery of the upload's.
  return JSON.stringify(event.reload ? [...identity, 'reload'] : identity);
}

/**
 * Names the handling of one S3 notification: the export identity (bucket, key, version) and the
 * sequencer S3 gave the event, so a redelivery of the notification is the same handling and a
 * newer upload (or the deletion and restore of the same bytes) is not.
 */
export function notificationHolder(event: ObjectEvent): string {
  return `s3 ${eventIdentity(event)}`;
}

/**
 * Handles one object event under its idempotency record (`holder` names the handling; by default
 * the S3 notification it came in): at most one handling of a notification at a time, and a
 * redelivery after it was handled gets the recorded outcome back.
 */
export async function handleObjectEvent(
  ports: IngestPorts,
  event: ObjectEvent,
  holder: string = notificationHolder(event),
): Promise<IngestOutcome> {
  if (event.key.endsWith('/')) return { action: 'ignored', key: event.key, reason: 'folder marker' };
  const handle = () =>
    isManifestKey(event.key)
      ? recheckManifest(ports, event, {
          reload: (file) => ingestObject(ports, { ...file, reload: true }, holder),
          heldByLiveHandling: (item) => claimIsLive(ports, item, nowOf(ports), holder),
        })
      : event.type === 'removed'
        ? withdrawKey(ports, event, holder)
        : ingestObject(ports, event, holder);
  if (!ports.guard) return handle();
  const handled = await ports.guard.once(holder, handle);
  return 'outcome' in handled ? handled.outcome : replayed(ports, handled.recorded);
}

/**
 * What a redelivery of a handled notification returns, without loading anything: the export it
 * recorded, with its status now (a later upload or deletion may have replaced or withdrawn it),
 * and what the first handling did (`replayOf`: a redelivery after the handling changed the lake
 * but its invocation failed afterwards, asking for the compute run, must ask again).
 */
async function replayed(ports: IngestPorts, recorded: RecordedOutcome): Promise<IngestOutcome> {
  const replayOf = recorded.action;
  if (recorded.exportId === null || recorded.status === null)
    return { action: 'ignored', key: recorded.key, reason: `handled before (${recorded.action})`, replayOf };
  const now = await readExport(ports.items, recorded.exportId);
  return {
    action: 'duplicate',
    key: recorded.key,
    exportId: recorded.exportId,
    status: String(now?.status ?? recorded.status),
    replayOf,
  };
}

/** Whether a handling changed what counts (or is the redelivery of one that did). */
export function changedExports(outcome: IngestOutcome): boolean {
  const did = (action: HandlingAction | undefined) => action === 'ingested' || action === 'withdrawn';
  return did(outcome.action) || ('replayOf' in outcome && did(outcome.replayOf));
}

/**
 * Loads the object an event names, unless its export is done (loaded, rejected, ...) or held by
 * another handling; an event with `reload` loads it again even when done and counting (its
 * manifest changed, its curated folder lost).
 */
async function ingestObject(ports: IngestPorts, event: ObjectEvent, holder: string): Promise<IngestOutcome> {
  const id = exportIdOf(event);
  if (!id) throw new Error(`event for ${event.key} carries neither a version id nor an ETag`);
  const version = versionOf(event);
  const now = nowOf(ports);
  const pointer = await readPointer(ports.items, event.bucket, event.key);
  const before = await readExport(ports.items, id);
  // When the export first arrived, kept through its reloads: targets planning takes the later
  // received of two files giving the same target, and a reload must not make an old file the later.
  const first = Date.parse(String(before?.received_at ?? ''));
  const receivedAt = Number.isNaN(first) ? now : new Date(first);
  const claim = await claimExport(
    ports,
    id,
    event,
    now,
    event.reload === true || mayReload(event, id, pointer),
    holder,
    before,
  );
  if (!claim.claimed) {
    // A crash after the export was recorded but before its key pointed at it leaves that last
    // step undone; finishing it here is a no-op when it was done.
    if (claim.status === 'loaded' || claim.status === 'rejected' || claim.status === 'blocked')
      await replaceEarlierVersion(ports, event, id, String(claim.item?.kind ?? ''));
    // Loaded by a handling that may have died before asking for the compute run: asked again.
    return {
      action: 'duplicate',
      key: event.key,
      exportId: id,
      status: claim.status,
      ...(claim.status === 'loaded' ? { replayOf: 'ingested' as const } : {}),
    };
  }
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
    // A reload (its manifest changed) that ends blocked or rejected leaves no curated folder of an
    // earlier load behind: Athena's curated tables read every folder there.
    if (report.status !== 'loaded' && kindSegment && isExportKind(kindSegment))
      await ports.lake.deletePrefix(lakeKeys.curatedFolder(kindSegment, id));
    report.warnings.push(...(await sameContentElsewhere(ports, event, report)));
  } catch (error) {
    if (isGone(error)) {
      // The notification outlived its object (deleted or overwritten since, unversioned bucket):
      // nothing to load, and no fault of the file's. The removal or the newer upload counts.
      await ports.lake.deletePrefix(lakeKeys.curatedStaging(kindSegment ?? '', id));
      if (before) await ports.items.put(before);
      else await ports.items.deleteAll([exportKey(id)]);
      return { action: 'ignored', key: event.key, reason: 'the object is no longer in the bucket' };
    }
    // Release the claim so the redelivered message can start again at once (staging is cleared
    // then); after MAX_LOAD_ATTEMPTS the export stays `failed` with its reason until the file changes.
    const existing = await readExport(ports.items, id);
    await ports.items.put({
      ...(existing ?? {}),
      ...exportKey(id),
      export_id: id,
      kind: kindSegment ?? '',
      bucket: event.bucket,
      s3_key: event.key,
      version,
      status: 'failed',
      status_reason: String((error as Error)?.message ?? error),
      failed_at: now.getTime(),
      received_at: receivedAt.toISOString(),
    });
    throw error;
  }
  await ports.lake.put(lakeKeys.ingestReport(id), JSON.stringify(report, null, 2), 'application/json');
  const existing = await readExport(ports.items, id);
  await ports.items.put({
    ...exportKey(id),
    ...exportItem(report),
    etag: event.etag?.replaceAll('"', '') ?? version,
    attempts: existing?.attempts ?? 1,
    // Kept: until this handling has pointed the key at the export, a reconciliation must tell a
    // load finishing from one whose handling died (see finishInterruptedWithdrawals).
    ...(typeof existing?.claimed_by === 'string' ? { claimed_by: existing.claimed_by } : {}),
  });
  if (report.status === 'loaded') await ports.items.put(contentItem(event, report));
  await replaceEarlierVersion(ports, event, id, report.kind);
  const finished = await readExport(ports.items, id);
  // The key points at it now: the claim has done its work, and the item reads the same whichever
  // handling loaded it. Only if nothing changed it meanwhile (a reload claiming it keeps its claim).
  if (finished && typeof finished.claimed_by === 'string') {
    const { claimed_by: _done, ...released } = finished;
    await ports.items.putIf(released, ...unchangedSince(finished));
  }
  const status = finished?.status as ExportStatus;
  return { action: 'ingested', key: event.key, exportId: id, status, report: { ...report, status } };
}

/**
 * An export that was withdrawn, replaced or superseded loads again when the same bytes come back
 * at the same key (a restore, or a revert to an earlier version): the key no longer points at it,
 * and the event is newer than what the key points at now (or carries no order: reconciliation
 * found the object in the bucket, which is the truth). A redelivered old notification is older
 * than the removal that followed it, so it does not.
 */
function mayReload(event: ObjectEvent, id: string, pointer: SourcePointer | undefined): boolean {
  if (!pointer) return true;
  if (pointer.export_id === id) return false;
  if (!event.sequencer || !pointer.sequencer) return true;
  return sequencerIsNewer(event.sequencer, pointer.sequencer);
}

function isGone(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound';
}

type Claim = { claimed: true } | { claimed: false; status: string; item: Item | undefined };

/**
 * Takes the export for this handling (`holder`) with a conditional write, so two handlings of the
 * same export (a notification and reconciliation, or two uploads of the same bytes to an
 * unversioned bucket) cannot both load it. The write holds only while the registry item is as it
 * was read; if another handling changed it in between, the claim is decided again on what it is
 * now. Returns the final status when the export is already done; throws while another handling
 * that is still alive holds it (see claimIsLive), so the queue delivers the message again later. A
 * load that failed is retried until it has failed MAX_LOAD_ATTEMPTS times.
 */
async function claimExport(
  ports: IngestPorts,
  id: string,
  event: ObjectEvent,
  now: Date,
  reload: boolean,
  holder: string,
  existing: Item | undefined,
): Promise<Claim> {
  let current = existing;
  for (let round = 1; round <= 2; round++) {
    const attempts = Number(current?.attempts ?? 0);
    const status = current ? String(current.status) : undefined;
    const exhausted = status === 'failed' && attempts >= MAX_LOAD_ATTEMPTS;
    // Uploading the file again (a newer notification, not a redelivery) earns it new attempts, and
    // so does the passing of RETRY_FAILED_AFTER_MS.
    const uploadedAgain =
      exhausted &&
      !!event.sequencer &&
      !!current?.sequencer &&
      sequencerIsNewer(event.sequencer, String(current.sequencer));
    const rested = exhausted && now.getTime() - Number(current?.failed_at ?? 0) >= RETRY_FAILED_AFTER_MS;
    const reloading =
      (reload && status !== undefined && FINAL_STATUSES.has(status)) || uploadedAgain || rested;
    if (exhausted && !uploadedAgain && !rested) return { claimed: false, status: 'failed', item: current };
    if (!reloading && status !== undefined && FINAL_STATUSES.has(status))
      return { claimed: false, status, item: current };
    if (!reloading && status === 'loading' && (await claimIsLive(ports, current as Item, now, holder))) break;
    if (!reloading && status === 'loading' && attempts >= MAX_LOAD_ATTEMPTS) {
      // Its handlings died MAX_LOAD_ATTEMPTS times (each killed, e.g. by a time limit): failed,
      // like a load that threw, so it rests before it is tried again instead of stalling every
      // handling that takes it over.
      const failed = await ports.items.putIf(
        {
          ...current,
          ...exportKey(id),
          status: 'failed',
          status_reason: `its load died ${attempts} times before it finished (killed, e.g. by a time limit); tried again after a rest or when the file is uploaded again`,
          failed_at: now.getTime(),
        },
        ...unchangedSince(current),
      );
      if (failed) return { claimed: false, status: 'failed', item: await readExport(ports.items, id) };
      current = await readExport(ports.items, id);
      continue;
    }
    // Written by the claims before idempotency records (issue #20); a claim now lasts as long as its holder.
    // An expiry goes too: a withdrawn or replaced export loaded again counts, and must stay.
    const {
      claim_expires_at: _legacy,
      expires_at: _history,
      ...seen
    }: Record<string, unknown> = current ?? {};
    const claimed = await ports.items.putIf(
      {
        ...seen,
        ...exportKey(id),
        export_id: id,
        kind: kindOfKey(event.key) ?? '',
        bucket: event.bucket,
        s3_key: event.key,
        status: 'loading',
        status_reason: '',
        received_at: typeof current?.received_at === 'string' ? current.received_at : now.toISOString(),
        claimed_by: holder,
        attempts: reloading ? 1 : attempts + 1,
        sequencer: event.sequencer ?? current?.sequencer ?? '',
      },
      ...unchangedSince(current),
    );
    if (claimed) return { claimed: true };
    // Another handling changed the item between our read and our write (rare: a race, never a
    // plain redelivery, which its idempotency record answers): decide again on what it is now.
    current = await readExport(ports.items, id);
  }
  throw new Error(`export ${id} (${event.key}) is being ingested by another invocation; retry later`);
}

/** The fields a claim decides on: the claim's write holds only while they are as they were read. */
const CLAIM_FIELDS = ['status', 'attempts', 'claimed_by'] as const;

function unchangedSince(
  seen: Item | undefined,
): [condition: string, values: Record<string, unknown>, names: Record<string, string>] {
  if (!seen) return ['attribute_not_exists(PK)', {}, {}];
  const conditions: string[] = [];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  CLAIM_FIELDS.forEach((field, index) => {
    names[`#c${index}`] = field;
    if (seen[field] === undefined) conditions.push(`attribute_not_exists(#c${index})`);
    else {
      conditions.push(`#c${index} = :c${index}`);
      values[`:c${index}`] = seen[field];
    }
  });
  return [conditions.join(' AND '), values, names];
}

/**
 * Whether the handling that left an export `loading` may still be running. Its idempotency record
 * says so: in progress and within its holder's remaining time. The handling that asks for its own
 * holder holds that record itself, so the earlier handling of it died. Without idempotency records
 * (ports.guard absent) every other claim is taken to be alive. A claim written before the records
 * (issue #20) has no holder and stands until its `claim_expires_at`.
 */
export async function claimIsLive(
  ports: Pick<IngestPorts, 'guard'>,
  item: Item,
  now: Date,
  holder?: string,
): Promise<boolean> {
  const by = item.claimed_by;
  if (typeof by !== 'string') return Number(item.claim_expires_at ?? 0) >= now.getTime();
  if (!ports.guard) return true;
  if (by === holder) return false;
  return ports.guard.isRunning(by);
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
    manifest: { checked: false, problems: [], etag: null },
    quarantine_key: null,
    curated_keys: [],
    received_at: receivedAt.toISOString(),
    warnings: [],
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
  if (source.size !== null && source.size > ports.config.max_export_bytes) {
    source.body.destroy();
    return finish(report, 'rejected', tooLarge(ports.config.max_export_bytes, 'is'));
  }
  const quarantineKey = lakeKeys.quarantine(kind, id);
  let curated: CurateResult;
  try {
    curated = await curateExport(
      source.body,
      kind,
      ports.config,
      (index, bytes) =>
        ports.lake.put(lakeKeys.part(staging, index), bytes, 'application/vnd.apache.parquet'),
      {
        sizeHint: source.size,
        // Quarantined rows stream out as they are found: memory stays bounded however many fail.
        quarantine: () => ports.lake.openUpload(quarantineKey, 'text/csv; charset=utf-8'),
        // A file that cannot be read in the time left is rejected before the timeout kills the
        // function (which SQS would redeliver to the same end, again and again).
        deadline: ports.remainingMs
          ? { remainingMs: ports.remainingMs, marginMs: timeMargin(ports.remainingMs()) }
          : undefined,
      },
    );
  } finally {
    // Read to its end or not (stopped at the deadline, refused early, failed), the response is done
    // with: a body left open would hold its connection (a no-op once the body has ended).
    source.body.destroy();
  }
  Object.assign(report, curated.reading);
  if (!curated.ok) {
    await ports.lake.deletePrefix(staging);
    if (curated.forHeader)
      report.rejected_header_aliases = headerAliasesOf(
        kind,
        ports.config.header_aliases as HeaderAliasOverrides,
      );
    return finish(report, 'rejected', curated.reason);
  }
  report.header = curated.header;
  report.ignored_columns = curated.ignoredColumns;
  report.warnings.push(...curated.headerNotes);
  report.control_totals = curated.totals;
  if (curated.keySketch !== null) report.key_sketch = curated.keySketch;
  if (curated.quarantineWritten) report.quarantine_key = quarantineKey;
  const problems = await checkSidecar(ports, event, report);
  const blockedBy =
    problems.length > 0
      ? problems.join('; ')
      : curated.totals.balanced
        ? null
        : 'control totals do not balance';
  if (blockedBy) {
    await ports.lake.deletePrefix(staging);
    return finish(report, 'blocked', blockedBy);
  }
  report.curated_keys = await ports.lake.publishFolder(staging, lakeKeys.curatedFolder(kind, id));
  await ports.lake.deletePrefix(staging);
  const quarantined = curated.totals.rows_quarantined;
  return finish(report, 'loaded', quarantined > 0 ? `${quarantined} row(s) quarantined` : '');
}

function finish(report: IngestReport, status: ExportStatus, reason: string): IngestReport {
  report.status = status;
  report.status_reason = reason;
  return report;
}

async function checkSidecar(ports: IngestPorts, event: ObjectEvent, report: IngestReport): Promise<string[]> {
  const key = manifestKeyFor(event.key);
  // Its ETag before its text: replaced in between, the ETag recorded is the older one, and the
  // reconciliation checks the manifest once more (recorded after, a change could go unseen).
  const head = await ports.exports.head(key);
  const text = head ? await ports.exports.getText(key) : null;
  if (text === null || !report.control_totals) return [];
  report.manifest.etag = (head?.etag ?? '').replaceAll('"', '');
  report.manifest.checked = true;
  report.manifest.problems = manifestProblems(text, report.control_totals);
  return report.manifest.problems;
}

function exportItem(report: IngestReport): Record<string, unknown> {
  const totals = report.control_totals;
  const reading = report as IngestReport & { encoding_confidence?: string | number | null };
  return {
    export_id: report.export_id,
    kind: report.kind,
    s3_key: report.s3_key,
    bucket: report.bucket,
    version: report.version,
    status: report.status,
    status_reason: report.status_reason,
    encoding: report.encoding,
    encoding_confidence: reading.encoding_confidence ?? null,
    rows_in: totals?.rows_in ?? 0,
    rows_curated: totals?.rows_curated ?? 0,
    rows_quarantined: totals?.rows_quarantined ?? 0,
    control_totals: JSON.stringify(totals?.amounts ?? {}),
    quarantine_key: report.quarantine_key,
    // What reconciliation compares with the bucket's listing: a manifest whose notification was lost.
    manifest_etag: report.manifest.etag,
    ...(report.rejected_header_aliases ? { rejected_header_aliases: report.rejected_header_aliases } : {}),
    ...(report.key_sketch !== undefined ? { key_sketch: report.key_sketch } : {}),
    received_at: report.received_at,
    warnings: report.warnings,
  };
}

/**
 * `CONTENTS` / `<kind>#<etag>#<bucket>/<key>`: which keys hold a loaded export of the same bytes
 * (S3's ETag is the MD5 of a single-part upload), so the same file dropped under a second name is
 * pointed out instead of silently counting twice. One Query per load, sized by the copies.
 */
export const CONTENTS_PK = 'CONTENTS';
const contentPrefix = (kind: string, etag: string) => `${kind}#${etag}#`;

function contentItem(event: ObjectEvent, report: IngestReport) {
  const etag = event.etag?.replaceAll('"', '') ?? report.version;
  const sk = locationSk(contentPrefix(report.kind, etag), event.bucket, event.key);
  return { PK: CONTENTS_PK, SK: sk, ...objectKeyFields(sk, event.key), export_id: report.export_id };
}

async function sameContentElsewhere(
  ports: IngestPorts,
  event: ObjectEvent,
  report: IngestReport,
): Promise<string[]> {
  if (report.status !== 'loaded') return [];
  const etag = event.etag?.replaceAll('"', '') ?? report.version;
  const prefix = contentPrefix(report.kind, etag);
  const warnings: string[] = [];
  // Every copy is in the exports bucket (one Query of its prefix: other buckets are not ours).
  for (const item of await ports.items.query(CONTENTS_PK, `${prefix}${event.bucket}/`)) {
    const key = objectKeyOf(item, prefix, event.bucket);
    if (key === event.key) continue;
    const pointer = await readPointer(ports.items, event.bucket, key);
    if (pointer?.export_id !== item.export_id) continue;
    warnings.push(
      `the same content is also loaded from ${key}: both count; delete one if it was dropped twice`,
    );
  }
  return warnings;
}

/**
 * A new version of a key replaces what the key contributed before; an out-of-order older event
 * (lower sequencer) is superseded instead, so the newest upload always wins.
 */
async function replaceEarlierVersion(ports: IngestPorts, event: ObjectEvent, id: string, kind: string) {
  for (let round = 1; round <= POINTER_ROUNDS; round++) {
    const pointer = await readPointer(ports.items, event.bucket, event.key);
    if (pointer && pointer.export_id === id) {
      // The key points here already; a handling that died after pointing it may not have
      // withdrawn the export it replaced (both folders would count in Athena until the night).
      await finishReplacing(ports, pointer, id);
      return;
    }
    if (
      pointer &&
      event.sequencer &&
      pointer.sequencer &&
      !sequencerIsNewer(event.sequencer, pointer.sequencer)
    ) {
      await withdrawExport(ports, kind, id, 'superseded', 'a newer version of the file had already arrived');
      return;
    }
    const written = await writePointer(ports.items, event.bucket, event.key, pointer, {
      export_id: id,
      kind,
      // Reconciliation's events carry no sequencer: the pointer keeps the last one it knew.
      sequencer: event.sequencer ?? pointer?.sequencer ?? '',
      version: versionOf(event),
      etag: event.etag?.replaceAll('"', '') ?? null,
      replaced: pointer?.export_id ?? null,
    });
    // Another handling of the key wrote its pointer since ours was read: decide again on it.
    if (!written) continue;
    if (pointer?.export_id) {
      await withdrawExport(ports, pointer.kind, pointer.export_id, 'replaced', `replaced by export ${id}`);
    }
    return;
  }
  throw new Error(`${event.key} keeps changing under export ${id}'s handling; retry later`);
}

/**
 * Withdraws the export the pointer says `id` replaced, if it is still marked loaded and no live
 * handling holds it (one loading it again, about to point the key back at it, decides then).
 */
async function finishReplacing(ports: IngestPorts, pointer: SourcePointer, id: string): Promise<void> {
  if (!pointer.replaced) return;
  const replaced = await readExport(ports.items, pointer.replaced);
  const held = typeof replaced?.claimed_by === 'string' && (await claimIsLive(ports, replaced, nowOf(ports)));
  if (replaced?.status === 'loaded' && !held)
    await withdrawExport(
      ports,
      String(replaced.kind),
      pointer.replaced,
      'replaced',
      `replaced by export ${id}`,
    );
}

/** Rounds of read-decide-write a handling tries on a key's pointer while others keep writing it. */
const POINTER_ROUNDS = 5;

/** Takes an export's data out of the lake and records why; safe to repeat. */
export async function withdrawExport(
  ports: Pick<IngestPorts, 'lake' | 'items'>,
  kind: string,
  id: string,
  status: ExportStatus,
  reason: string,
) {
  await ports.lake.deletePrefix(lakeKeys.curatedFolder(kind, id));
  const existing = await readExport(ports.items, id);
  if (existing?.bucket && existing.s3_key) {
    const etag = String(existing.etag ?? existing.version ?? '');
    const sk = locationSk(contentPrefix(kind, etag), String(existing.bucket), String(existing.s3_key));
    // In a versioned bucket the same bytes uploaded again to the key are a newer export with the
    // same ETag: the pointer is then that export's, and stays. (Read, then deleted: a pointer lost
    // to a race would only drop the same-content hint of a later copy.)
    const pointer = await ports.items.get(CONTENTS_PK, sk);
    if (pointer && (pointer.export_id === undefined || pointer.export_id === id))
      await ports.items.deleteAll([{ PK: CONTENTS_PK, SK: sk }]);
  }
  await setExportStatus(ports.items, id, status, reason);
}

/**
 * A removal withdraws what the key contributed only when the key holds no object any more. In a
 * versioned bucket a removal may take a version that does not count (an old version deleted for
 * good: the current one still counts), or the current version, making the one before it current
 * again (loaded now, as reconciliation would), or a delete marker (the object is back); an upload
 * may also have come since. The bucket is the truth, as in reconciliation.
 */
async function withdrawKey(
  ports: IngestPorts,
  event: ObjectEvent,
  holder: string,
  round = 1,
): Promise<IngestOutcome> {
  const pointer = await readPointer(ports.items, event.bucket, event.key);
  if (
    pointer &&
    event.sequencer &&
    pointer.sequencer &&
    !sequencerIsNewer(event.sequencer, pointer.sequencer)
  ) {
    return { action: 'ignored', key: event.key, reason: 'the removal is older than the current version' };
  }
  const head = await ports.exports.head(event.key);
  if (head) {
    const now = currentVersionEvent(event.bucket, event.key, head);
    if (pointer?.export_id && versionOf(now) === pointer.version)
      return {
        action: 'ignored',
        key: event.key,
        reason: 'a version that does not count was removed; the key still holds the one that counts',
      };
    return ingestObject(ports, now, holder);
  }
  const kind = pointer?.kind ?? kindOfKey(event.key) ?? '';
  const written = await writePointer(ports.items, event.bucket, event.key, pointer, {
    export_id: null,
    kind,
    sequencer: event.sequencer ?? pointer?.sequencer ?? '',
    version: null,
  });
  if (!written) {
    // An upload's handling pointed the key at its export since ours was read: decide again.
    if (round >= POINTER_ROUNDS)
      throw new Error(`${event.key} keeps changing while it is withdrawn; retry later`);
    return withdrawKey(ports, event, holder, round + 1);
  }
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
