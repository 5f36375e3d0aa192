import { randomUUID } from 'node:crypto';
import { type HeaderAliasOverrides, headerAliasesOf } from '../../core/exports/headers.ts';
import { fileKeyOfManifest, isManifestKey } from '../../core/exports/identity.ts';
import { type ExportKind, isExportKind } from '../../core/exports/kinds.ts';
import { isGzip } from '../../core/text/detect.ts';
import { awsClients } from '../adapters/aws-clients.ts';
import type { Item } from '../adapters/item-store.ts';
import { readSettings } from '../adapters/settings.ts';
import { type EventGuard, eventGuard } from './event-guard.ts';
import { listExports, listPointers, readExport } from './export-registry.ts';
import {
  claimIsLive,
  eventIdentity,
  handleObjectEvent,
  type IngestOutcome,
  type IngestPorts,
  MAX_LOAD_ATTEMPTS,
  nowOf,
  type ObjectEvent,
  withdrawExport,
} from './ingest-export.ts';
import { lakeKeys } from './lake-keys.ts';
import { manifestsToRecheck } from './late-manifest.ts';
import { currentVersionEvent, exportIdOf, versionOf } from './object-version.ts';

const NOT_COUNTING = new Set(['replaced', 'withdrawn', 'superseded', 'failed']);

export interface ReconcileResult {
  /** Objects of the bucket the registry did not have at their current version, now handled. */
  outcomes: IngestOutcome[];
  /**
   * Objects whose text may be above HandOff's size, handed to the ingest function instead of
   * loaded here, and why (`gzip`: its text may be up to DEFLATE_MAX_RATIO times its bytes).
   */
  handedOff: { key: string; bytes: number; gzip: boolean; why: string }[];
  /** Exports that could not be loaded (left out of the run), with the reason. */
  failed: { key: string; reason: string }[];
  /** Half-done steps of earlier, interrupted invocations that were finished. */
  repaired: string[];
  /** Files loaded again that counted for nothing before (a lost curated folder, a header now mapped), and why. */
  reloaded: string[];
}

/**
 * Where a reconciliation sends the objects too large to load in its own function: the ingest
 * function (through its queue), which loads them as it loads any upload, in a function of its own.
 */
export interface HandOff {
  /** Objects whose text may be larger than this are handed off. */
  aboveBytes: number;
  send(event: ObjectEvent): Promise<void>;
}

/**
 * Brings the registry in line with the exports bucket: a notification is a hint, the bucket is
 * the truth. Every object whose current version the registry does not stand for is ingested (a
 * missed or lost notification, an upload interrupted by a crash, a restore), every key the bucket
 * no longer has is withdrawn, a claim left by a dead invocation is taken over, and a load that
 * fails is retried up to MAX_LOAD_ATTEMPTS times, then left out with its reason, and an export
 * whose manifest changed unseen is held to it (see recheckManifest). Reads are one listing of the
 * bucket and a few Queries; a run where nothing changed writes nothing and reads no object.
 *
 * Each object handled runs under an idempotency record as a notification does (event-guard.ts),
 * named after this reconciliation: it is never a redelivery of anything (reconciliation acts on
 * what differs between the bucket and the registry now), but the record tells other handlings
 * whether the export this one claims is still being loaded. Without `ports.guard` the records go
 * to the table the environment names (TABLE_NAME), kept in progress for `ports.claimMs`.
 */
export async function reconcileExports(
  inputPorts: IngestPorts,
  onObject: (key: string, index: number, total: number) => void = () => {},
  handOff: HandOff | null = null,
): Promise<ReconcileResult> {
  const ports: IngestPorts = { ...inputPorts, guard: inputPorts.guard ?? lazyGuard(inputPorts.claimMs) };
  const run = randomUUID();
  const bucket = ports.exports.bucket;
  const result: ReconcileResult = { outcomes: [], handedOff: [], failed: [], repaired: [], reloaded: [] };
  const pointers = await listPointers(ports.items, bucket);
  const listed = await ports.exports.listObjects();
  const manifests = new Map(
    listed.filter((object) => isManifestKey(object.key)).map((object) => [object.key, object.etag]),
  );
  const objects = listed.filter((object) => !isManifestKey(object.key) && !object.key.endsWith('/'));
  const changed = objects.filter((object) => {
    const pointer = pointers.get(object.key);
    return !pointer?.export_id || (pointer.etag ?? pointer.version) !== object.etag;
  });
  const present = new Set(objects.map((object) => object.key));
  const removed = [...pointers].filter(([key, pointer]) => pointer.export_id && !present.has(key));
  const total = changed.length + removed.length;
  let index = 0;
  for (const object of changed) {
    onObject(object.key, ++index, total);
    // The version is read at the moment of loading: listing and head may straddle an upload,
    // and the newer version is the one that should count.
    const head = await ports.exports.head(object.key);
    if (!head) continue;
    const event = currentVersionEvent(bucket, object.key, head);
    const tooLarge = handOff && (await tooLargeToLoadHere(ports, handOff, object.key, object.size));
    if (handOff && tooLarge) {
      // A file the ingest function already gave up on rests, as a load that failed here would.
      const id = exportIdOf(event);
      const before = id ? await readExport(ports.items, id) : null;
      if (before?.status === 'failed') {
        result.failed.push({ key: object.key, reason: failedReason(before.status_reason) });
        continue;
      }
      await handOver(
        handOff,
        event,
        tooLarge,
        result,
        'was not loaded yet (its notification was lost or late)',
      );
      continue;
    }
    await handle(ports, event, run, result);
  }
  for (const [key] of removed) {
    onObject(key, ++index, total);
    await handle(ports, { type: 'removed', bucket, key }, run, result);
  }
  result.repaired.push(...(await finishInterruptedWithdrawals(ports, bucket)));
  result.repaired.push(...(await releaseDeadClaimsOfGoneFiles(ports, bucket, present)));
  // Last, on the exports as the steps above left them: manifests uploaded, changed or deleted
  // whose notification was lost, then (the registry read again: a manifest may have blocked an
  // export and taken its folder) curated folders the lake lost. A file past the hand-off size is
  // loaded again by the ingest function, as a file found not loaded is.
  const sizes = new Map(objects.map((object) => [object.key, object.size]));
  const tooLarge = async (fileKey: string) =>
    handOff ? await tooLargeToLoadHere(ports, handOff, fileKey, sizes.get(fileKey) ?? 0) : null;
  for (const event of manifestsToRecheck(bucket, manifests, await exportsByKey(ports, bucket))) {
    const size = await tooLarge(fileKeyOfManifest(event.key));
    if (handOff && size) await handOver(handOff, event, size, result, 'has a manifest that changed unseen');
    else await handle(ports, event, run, result);
  }
  // A file read again: by the ingest function past the hand-off size, else here, said in `reloaded`.
  const reload = async (event: ObjectEvent, why: { handedOff: string; reloaded: string }) => {
    const size = await tooLarge(event.key);
    if (handOff && size) return handOver(handOff, event, size, result, why.handedOff);
    const handled = result.outcomes.length;
    await handle(ports, event, run, result);
    reportReload(result, handled, event.key, why.reloaded);
  };
  for (const event of await lostCuratedFolders(ports, bucket, await exportsByKey(ports, bucket)))
    await reload(event, {
      handedOff: 'lost its curated folder (the lake restored?)',
      reloaded: 'its curated folder was missing (the lake restored?)',
    });
  const aliasesChanged = 'was rejected for its header, and header_aliases have changed since';
  for (const event of await headerRejectionsToRetry(ports, bucket, await exportsByKey(ports, bucket)))
    await reload(event, { handedOff: aliasesChanged, reloaded: aliasesChanged });
  return result;
}

/**
 * What a reload the run made came to, for its warnings: loaded again, or read again and still not
 * loaded, with why (a file still rejected under the new header_aliases must not read as loaded).
 */
function reportReload(result: ReconcileResult, handled: number, key: string, why: string): void {
  const outcome = result.outcomes[handled];
  if (result.outcomes.length <= handled || outcome === undefined) return;
  if (outcome.action === 'ingested' && outcome.status !== 'loaded')
    result.reloaded.push(
      `${key} ${why}: read again, still ${outcome.status}: ${outcome.report.status_reason}`,
    );
  else result.reloaded.push(`${key} ${why}: loaded again`);
}

/** The curated folders the lake holds a part in, each as `<kind>/<export id>` (one listing). */
async function curatedFolders(ports: IngestPorts): Promise<Set<string>> {
  const folders = new Set<string>();
  for (const key of await ports.lake.list('curated/')) {
    const match = /^curated\/([^/]+)\/export_id=([^/]+)\//.exec(key);
    if (match) folders.add(`${match[1]}/${match[2]}`);
  }
  return folders;
}

/**
 * Deflate writes at least one bit per 258 bytes repeated, so a gzip holds at most about 1,032
 * times its own size in text. Ingest reads a gzip whatever its name (by its bytes).
 */
export const DEFLATE_MAX_RATIO = 1032;

interface ObjectSize {
  bytes: number;
  gzip: boolean;
}

/**
 * The object's size when its text may exceed what the run loads itself, else null. A gzip is
 * judged by the most text it can hold: its compressed size told little (a 100 KB gzip can hold
 * 100 MB), and the run, loading it with no time limit of its own, could outlast its function.
 */
async function tooLargeToLoadHere(
  ports: IngestPorts,
  handOff: HandOff,
  key: string,
  bytes: number,
): Promise<ObjectSize | null> {
  if (bytes > handOff.aboveBytes) return { bytes, gzip: false };
  if (bytes * DEFLATE_MAX_RATIO <= handOff.aboveBytes) return null;
  const gzip = isGzip(await ports.exports.firstBytes(key, 2));
  return gzip ? { bytes, gzip } : null;
}

/** Sends an event to the ingest function; a send that fails leaves the file out tonight, with why. */
async function handOver(
  handOff: HandOff,
  event: ObjectEvent,
  size: ObjectSize,
  result: ReconcileResult,
  why: string,
): Promise<void> {
  try {
    await handOff.send(event);
    result.handedOff.push({ key: event.key, ...size, why });
  } catch (error) {
    // Left out tonight with its reason, as a load that fails; the next run offers it again.
    const reason = String((error as Error)?.message ?? error);
    result.failed.push({
      key: event.key,
      reason: `it could not be handed to the ingest function: ${reason}`,
    });
  }
}

/**
 * Exports that count, with curated rows, whose curated folder holds no part: a lake restored to
 * before they loaded (the registry was not) would leave them out of every run without a word.
 * Each is loaded again from the exports bucket: an event of its current version with `reload`,
 * if the key still points at it. One listing of `curated/`.
 */
async function lostCuratedFolders(
  ports: IngestPorts,
  bucket: string,
  pointed: readonly { key: string; item: Item }[],
): Promise<ObjectEvent[]> {
  const counting = pointed.filter(
    ({ item }) => item.status === 'loaded' && Number(item.rows_curated ?? 0) > 0,
  );
  if (counting.length === 0) return [];
  const folders = await curatedFolders(ports);
  const events: ObjectEvent[] = [];
  for (const { key, item } of counting) {
    if (folders.has(`${item.kind}/${item.export_id}`)) continue;
    const event = await reloadOfExport(ports, bucket, key, item);
    if (event) events.push(event);
  }
  return events;
}

/**
 * Reloads of the files rejected for their header under other header_aliases than today's: a
 * finance team that adds the alias a file needs should not have to upload the file again. Once
 * read again, a file still rejected records today's aliases, and is not read again until they change.
 */
async function headerRejectionsToRetry(
  ports: IngestPorts,
  bucket: string,
  pointed: readonly { key: string; item: Item }[],
): Promise<ObjectEvent[]> {
  const aliases = ports.config.header_aliases as HeaderAliasOverrides;
  const events: ObjectEvent[] = [];
  for (const { key, item } of pointed) {
    if (item.status !== 'rejected' || typeof item.rejected_header_aliases !== 'string') continue;
    if (!isExportKind(String(item.kind))) continue;
    if (item.rejected_header_aliases === headerAliasesOf(item.kind as ExportKind, aliases)) continue;
    const event = await reloadOfExport(ports, bucket, key, item);
    if (event) events.push(event);
  }
  return events;
}

/** A reload of the export `item` stands for, if its key still holds that version (else none). */
async function reloadOfExport(
  ports: IngestPorts,
  bucket: string,
  key: string,
  item: Item,
): Promise<ObjectEvent | null> {
  const head = await ports.exports.head(key);
  if (!head) return null;
  const event = currentVersionEvent(bucket, key, head);
  return versionOf(event) === item.version ? { ...event, reload: true } : null;
}

/** Each key of the bucket with the registry item of the export it points at. */
async function exportsByKey(ports: IngestPorts, bucket: string): Promise<{ key: string; item: Item }[]> {
  const items = new Map((await listExports(ports.items)).map((item) => [String(item.export_id), item]));
  const exports: { key: string; item: Item }[] = [];
  for (const [key, pointer] of await listPointers(ports.items, bucket)) {
    const item = pointer.export_id ? items.get(pointer.export_id) : undefined;
    if (item) exports.push({ key, item });
  }
  return exports;
}

function failedReason(statusReason: unknown): string {
  return `failed ${MAX_LOAD_ATTEMPTS} times, left out until the file is uploaded again or the next night: ${String(statusReason ?? '')}`;
}

/** The handling of one object by one reconciliation (`run`): never the same as another's. */
export function reconcileHolder(run: string, event: ObjectEvent): string {
  return `reconcile ${run} ${eventIdentity(event)}`;
}

/** The environment's guard, built on first use (a run that finds nothing to do needs none). */
function lazyGuard(claimMs: (() => number) | undefined): EventGuard {
  let guard: EventGuard | undefined;
  const get = () => {
    if (!guard) {
      const settings = readSettings();
      guard = eventGuard({
        client: awsClients().dynamodbClient,
        tableName: settings.tableName,
        remainingMs: claimMs ?? (() => settings.claimMs),
      });
    }
    return guard;
  };
  return {
    once: (holder, handle) => get().once(holder, handle),
    isRunning: (holder) => get().isRunning(holder),
  };
}

async function handle(
  ports: IngestPorts,
  event: ObjectEvent,
  run: string,
  result: ReconcileResult,
): Promise<void> {
  try {
    const outcome = await handleObjectEvent(ports, event, reconcileHolder(run, event));
    result.outcomes.push(outcome);
    if (outcome.action === 'duplicate' && outcome.status === 'failed') {
      const item = await readExport(ports.items, outcome.exportId);
      result.failed.push({ key: event.key, reason: failedReason(item?.status_reason) });
    }
  } catch (error) {
    result.failed.push({ key: event.key, reason: String((error as Error)?.message ?? error) });
  }
}

/**
 * A loaded export that its key no longer points at was replaced or withdrawn by an invocation
 * that died before marking it: mark it and remove its curated folder now.
 */
async function finishInterruptedWithdrawals(ports: IngestPorts, bucket: string): Promise<string[]> {
  const pointers = await listPointers(ports.items, bucket);
  const repaired: string[] = [];
  for (const item of await listExports(ports.items)) {
    if (item.status !== 'loaded' || item.bucket !== bucket) continue;
    const pointer = pointers.get(String(item.s3_key));
    if (pointer?.export_id === item.export_id) continue;
    // A load finishing: its handling has marked it loaded and is about to point the key at it.
    if (typeof item.claimed_by === 'string' && (await ports.guard?.isRunning(item.claimed_by))) continue;
    const id = String(item.export_id);
    const [status, reason] = pointer?.export_id
      ? (['replaced', `replaced by export ${pointer.export_id}`] as const)
      : (['withdrawn', 'the file was deleted from the exports bucket'] as const);
    await withdrawExport(ports, String(item.kind), id, status, reason);
    repaired.push(`${item.s3_key}: export ${id} marked ${status}`);
  }
  // Curated folders of exports that do not count, left by a withdrawal that died midway or by a
  // load that failed after publishing (a retry curates it again from the start).
  const gone = new Set(
    (await listExports(ports.items))
      .filter((item) => NOT_COUNTING.has(String(item.status)))
      .map((item) => `${item.kind}/${item.export_id}`),
  );
  const folders = [...(await curatedFolders(ports))].filter((folder) => gone.has(folder));
  for (const folder of folders) {
    const [kind, id] = folder.split('/') as [string, string];
    // Read again just before: a reload may have claimed the export since it was listed, and be
    // publishing this very folder.
    const now = await readExport(ports.items, id);
    if (!NOT_COUNTING.has(String(now?.status))) continue;
    await ports.lake.deletePrefix(lakeKeys.curatedFolder(kind, id));
    repaired.push(`curated folder of export ${id} removed`);
  }
  return repaired;
}

/**
 * An export left `loading` by an invocation that died, whose file has since been deleted, would
 * stay `loading` for ever (nothing will deliver its object again): once its holder's idempotency
 * record says it is no longer running it is marked withdrawn, so the registry and the exports
 * table say what happened.
 */
async function releaseDeadClaimsOfGoneFiles(
  ports: IngestPorts,
  bucket: string,
  present: ReadonlySet<string>,
): Promise<string[]> {
  const now = nowOf(ports);
  const released: string[] = [];
  for (const item of await listExports(ports.items)) {
    if (item.bucket !== bucket || item.status !== 'loading' || present.has(String(item.s3_key))) continue;
    if (await claimIsLive(ports, item, now)) continue;
    const id = String(item.export_id);
    await withdrawExport(
      ports,
      String(item.kind),
      id,
      'withdrawn',
      'the file was deleted before it finished loading',
    );
    released.push(`${item.s3_key}: export ${id} was left loading; marked withdrawn`);
  }
  return released;
}
