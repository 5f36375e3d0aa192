import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExport, readPointer } from '../../functions/ingest/export-registry.ts';
import {
  handleObjectEvent,
  type IngestPorts,
  type ObjectEvent,
} from '../../functions/ingest/ingest-export.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
});
afterAll(async () => {
  await env?.close();
});

const KEY = 'customers/versions.csv';
const BODY = 'customer_id,acquired_on\nC1,2025-01-01\n';

/**
 * The embedded S3 server keeps no versions: the exports bucket as a versioned bucket shows it, its
 * current version named by `current` (null: the key is gone), the bytes those of the one object.
 */
function versionedExports(ports: IngestPorts, current: { versionId: string | null }): IngestPorts {
  const exports = ports.exports;
  return {
    ...ports,
    exports: Object.assign(Object.create(Object.getPrototypeOf(exports)), exports, {
      head: async (key: string) => {
        const head = await exports.head(key);
        return head && current.versionId ? { ...head, versionId: current.versionId } : null;
      },
    }),
  };
}

const created = (versionId: string, sequencer: string, etag: string): ObjectEvent => ({
  type: 'created',
  bucket: env.ports().exports.bucket,
  key: KEY,
  versionId,
  etag,
  sequencer,
});

async function curatedOf(exportId: string): Promise<string[]> {
  return env.ports().lake.list(`curated/customers/export_id=${exportId}/`);
}

describe('removals in a versioned exports bucket', () => {
  it('a version that does not count deleted leaves the current one loaded; the current one deleted brings back the one before', async () => {
    await env.upload(KEY, BODY);
    const etag = (await env.ports().exports.head(KEY))?.etag ?? '';
    const current = { versionId: 'v2' as string | null };
    const ports = versionedExports(env.ports(), current);
    const v1 = await handleObjectEvent(ports, created('v1', '0001', etag));
    const v2 = await handleObjectEvent(ports, created('v2', '0002', etag));
    if (v1.action !== 'ingested' || v2.action !== 'ingested') throw new Error('expected two loads');
    expect((await readExport(ports.items, v1.exportId))?.status).toBe('replaced');

    // The old version v1 deleted for good (S3: ObjectRemoved:Delete with its version id): v2 is
    // still the key's current version, and still counts.
    const oldGone = await handleObjectEvent(ports, {
      type: 'removed',
      bucket: ports.exports.bucket,
      key: KEY,
      versionId: 'v1',
      sequencer: '0003',
    });
    expect(oldGone).toMatchObject({ action: 'ignored' });
    expect((await readExport(ports.items, v2.exportId))?.status).toBe('loaded');
    expect((await readPointer(ports.items, ports.exports.bucket, KEY))?.export_id).toBe(v2.exportId);
    expect(await curatedOf(v2.exportId)).not.toEqual([]);

    // v2 deleted for good: v1 is the current version again, and counts again at once.
    current.versionId = 'v1';
    const currentGone = await handleObjectEvent(ports, {
      type: 'removed',
      bucket: ports.exports.bucket,
      key: KEY,
      versionId: 'v2',
      sequencer: '0004',
    });
    expect(currentGone).toMatchObject({ action: 'ingested', exportId: v1.exportId, status: 'loaded' });
    expect((await readPointer(ports.items, ports.exports.bucket, KEY))?.export_id).toBe(v1.exportId);
    expect((await readExport(ports.items, v2.exportId))?.status).toBe('replaced');
    expect(await curatedOf(v2.exportId)).toEqual([]);
    expect(await curatedOf(v1.exportId)).not.toEqual([]);

    // A delete marker (no version left current): the key is withdrawn.
    current.versionId = null;
    const marker = await handleObjectEvent(ports, {
      type: 'removed',
      bucket: ports.exports.bucket,
      key: KEY,
      versionId: 'marker',
      sequencer: '0005',
    });
    expect(marker).toMatchObject({ action: 'withdrawn', exportId: v1.exportId });
    expect((await readExport(ports.items, v1.exportId))?.status).toBe('withdrawn');
    expect(await curatedOf(v1.exportId)).toEqual([]);
  });

  it('two versions handled at once: the newer one counts, whichever writes the key last', async () => {
    const key = 'customers/race.csv';
    await env.upload(key, BODY);
    const etag = (await env.ports().exports.head(key))?.etag ?? '';
    const event = (versionId: string, sequencer: string): ObjectEvent => ({
      ...created(versionId, sequencer, etag),
      key,
    });
    // The older version's handling reads the key's pointer (none yet) and is held just before it
    // writes it, until the newer version's handling has finished.
    let newerDone: () => void = () => {};
    const newerFinished = new Promise<void>((resolve) => {
      newerDone = resolve;
    });
    const base = env.ports();
    let held = false;
    const hold = async (item: { PK?: unknown }) => {
      if (item.PK === 'SOURCES' && !held) {
        held = true;
        await newerFinished;
      }
    };
    const slowItems = Object.assign(Object.create(Object.getPrototypeOf(base.items)), base.items, {
      put: async (item: Record<string, unknown>) => {
        await hold(item);
        return base.items.put(item as never);
      },
      putIf: async (item: Record<string, unknown>, ...rest: unknown[]) => {
        await hold(item);
        return (base.items.putIf as (...args: unknown[]) => Promise<boolean>)(item, ...rest);
      },
    });
    const older = handleObjectEvent({ ...base, items: slowItems }, event('v1', '0001'));
    const newer = await handleObjectEvent(base, event('v2', '0002'));
    newerDone();
    const olderOutcome = await older;
    if (newer.action !== 'ingested' || olderOutcome.action !== 'ingested')
      throw new Error('expected two loads');
    expect((await readPointer(base.items, base.exports.bucket, key))?.export_id).toBe(newer.exportId);
    expect((await readExport(base.items, olderOutcome.exportId))?.status).toBe('superseded');
    expect(await env.ports().lake.list(`curated/customers/export_id=${olderOutcome.exportId}/`)).toEqual([]);
    expect((await readExport(base.items, newer.exportId))?.status).toBe('loaded');
  });

  it('an export that no longer counts, and the pointer of a deleted key, expire after a year; one that counts again does not', async () => {
    const key = 'customers/expiring.csv';
    await env.upload(key, BODY);
    const etag = (await env.ports().exports.head(key))?.etag ?? '';
    const ports = env.ports();
    const before = Math.floor(Date.now() / 1000);
    const loaded = await handleObjectEvent(ports, { ...created('x1', '0001', etag), key });
    if (loaded.action !== 'ingested') throw new Error('expected a load');
    expect(await readExport(ports.items, loaded.exportId)).not.toHaveProperty('expires_at');
    await env.remove(key);
    await handleObjectEvent(ports, { type: 'removed', bucket: ports.exports.bucket, key, sequencer: '0002' });
    // The registry keeps a year of history (the exports table), not every export for ever.
    const year = 400 * 86_400;
    const gone = await readExport(ports.items, loaded.exportId);
    expect(gone?.status).toBe('withdrawn');
    expect(Number(gone?.expires_at)).toBeGreaterThanOrEqual(before + year);
    expect(Number(gone?.expires_at)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + year + 1);
    const pointer = await ports.items.get('SOURCES', `${ports.exports.bucket}/${key}`);
    expect(Number(pointer?.expires_at)).toBeGreaterThanOrEqual(before + year);
    // The same bytes back at the key: the export counts again, and expires no more.
    await env.upload(key, BODY);
    const back = await handleObjectEvent(ports, { ...created('x1', '0003', etag), key });
    expect(back).toMatchObject({ action: 'ingested', exportId: loaded.exportId, status: 'loaded' });
    expect(await readExport(ports.items, loaded.exportId)).not.toHaveProperty('expires_at');
    expect(await ports.items.get('SOURCES', `${ports.exports.bucket}/${key}`)).not.toHaveProperty(
      'expires_at',
    );
  });

  it('a handling killed after pointing the key at the new version withdraws the old one on its redelivery', async () => {
    const key = 'customers/killed-replace.csv';
    await env.upload(key, BODY);
    const etag = (await env.ports().exports.head(key))?.etag ?? '';
    const base = env.ports();
    const event = (versionId: string, sequencer: string): ObjectEvent => ({
      ...created(versionId, sequencer, etag),
      key,
    });
    const v1 = await handleObjectEvent(base, event('k1', '0001'));
    if (v1.action !== 'ingested') throw new Error('expected a load');
    // The process dies as it starts withdrawing v1: the key points at v2 already.
    const folderOfV1 = `curated/customers/export_id=${v1.exportId}/`;
    const dying = Object.assign(Object.create(Object.getPrototypeOf(base.lake)), base.lake, {
      deletePrefix: async (prefix: string) => {
        if (prefix === folderOfV1) throw new Error('killed');
        return base.lake.deletePrefix(prefix);
      },
    });
    await expect(handleObjectEvent({ ...base, lake: dying }, event('k2', '0002'))).rejects.toThrow('killed');
    expect((await readExport(base.items, v1.exportId))?.status).toBe('loaded');
    const again = await handleObjectEvent(base, event('k2', '0002'));
    expect(again).toMatchObject({ action: 'duplicate', status: 'loaded', replayOf: 'ingested' });
    expect((await readExport(base.items, v1.exportId))?.status).toBe('replaced');
    expect(await env.ports().lake.list(folderOfV1)).toEqual([]);
  });
});
