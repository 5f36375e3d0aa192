import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKey, readExport } from '../../functions/ingest/export-registry.ts';
import { handleObjectEvent, type ObjectEvent } from '../../functions/ingest/ingest-export.ts';
import { reconcileExports } from '../../functions/ingest/reconcile-exports.ts';
import { fromS3Records } from '../../functions/shared/object-events.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
});
afterAll(async () => {
  await env?.close();
});

const rows = (n: number) =>
  [
    'order_id,customer_id,order_date,revenue',
    ...Array.from({ length: n }, (_, i) => `O${i},C${i},2025-01-01,1.00`),
  ].join('\n');

const eventOf = (notification: Record<string, unknown>): ObjectEvent => {
  const event = fromS3Records(notification.Records as never)[0];
  if (!event) throw new Error('no event');
  return event;
};

const upload = async (key: string, body: string) => eventOf(await env.upload(key, body));

async function curated(exportId: string): Promise<string[]> {
  return env.ports().lake.list(`curated/transactions/export_id=${exportId}/`);
}

describe('a manifest that arrives after its file', () => {
  it('blocks the loaded export when it disagrees, and a corrected or removed manifest loads it again', async () => {
    const ports = env.ports();
    const file = 'transactions/late-manifest.csv';
    const loaded = await handleObjectEvent(ports, await upload(file, rows(3)));
    if (loaded.action !== 'ingested') throw new Error(`expected a load, got ${loaded.action}`);
    expect(loaded.status).toBe('loaded');
    const id = loaded.exportId;
    const receivedAt = (await readExport(ports.items, id))?.received_at;

    // The usual order: the file first, its manifest last.
    const wrong = await handleObjectEvent(
      ports,
      await upload(`${file}.manifest.json`, JSON.stringify({ rows: 2, totals: { revenue: '2.00' } })),
    );
    expect(wrong).toMatchObject({ action: 'ingested', exportId: id, status: 'blocked' });
    expect(await readExport(ports.items, id)).toMatchObject({
      status: 'blocked',
      status_reason:
        'manifest says 2 rows, the file has 3; manifest says revenue totals 2.00, the file totals 3.00',
    });
    expect(await curated(id)).toEqual([]);

    const corrected = await handleObjectEvent(
      ports,
      await upload(`${file}.manifest.json`, JSON.stringify({ rows: 3, totals: { revenue: '3.00' } })),
    );
    expect(corrected).toMatchObject({ action: 'ingested', exportId: id, status: 'loaded' });
    expect(await curated(id)).not.toEqual([]);
    // Loaded twice more, received once: targets take the later-received of two files.
    expect((await readExport(ports.items, id))?.received_at).toBe(receivedAt);

    // Agreeing with what is loaded: nothing is read again.
    const before = await readExport(ports.items, id);
    const again = await handleObjectEvent(
      ports,
      await upload(`${file}.manifest.json`, JSON.stringify({ rows: 3, totals: { revenue: '3.00' } })),
    );
    expect(again).toMatchObject({ action: 'ignored' });
    expect(await readExport(ports.items, id)).toEqual(before);

    // Blocked again, then the manifest taken away: nothing to check, the file counts.
    await handleObjectEvent(ports, await upload(`${file}.manifest.json`, JSON.stringify({ rows: 9 })));
    expect((await readExport(ports.items, id))?.status).toBe('blocked');
    const removed = await handleObjectEvent(ports, eventOf(await env.remove(`${file}.manifest.json`)));
    expect(removed).toMatchObject({ action: 'ingested', exportId: id, status: 'loaded' });
    expect(await curated(id)).not.toEqual([]);
  });

  it('is waited for while its file is loading, and is no export of its own before the file', async () => {
    const ports = env.ports();
    const early = await handleObjectEvent(
      ports,
      await upload('transactions/not-yet.csv.manifest.json', JSON.stringify({ rows: 1 })),
    );
    expect(early).toMatchObject({ action: 'ignored' });

    const file = 'transactions/loading.csv';
    const loaded = await handleObjectEvent(ports, await upload(file, rows(2)));
    if (loaded.action !== 'ingested') throw new Error('expected a load');
    // Another handling holds the export (as while it reads the file): the manifest's handling
    // fails, so that its message is delivered again once the load is done.
    const item = await readExport(ports.items, loaded.exportId);
    await ports.items.put({
      ...item,
      ...exportKey(loaded.exportId),
      status: 'loading',
      claimed_by: 'elsewhere',
    });
    await expect(
      handleObjectEvent(ports, await upload(`${file}.manifest.json`, JSON.stringify({ rows: 1 }))),
    ).rejects.toThrow(/is being loaded/);
  });

  it('a reload it started that died midway is taken over: by its next notification, or by reconciliation', async () => {
    const ports = env.ports();
    const file = 'transactions/killed-reload.csv';
    const loaded = await handleObjectEvent(ports, await upload(file, rows(2)));
    if (loaded.action !== 'ingested') throw new Error('expected a load');
    const id = loaded.exportId;
    // What a reload killed after its claim leaves: the export loading, its holder gone (a claim
    // from before idempotency records, lapsed: no record says it is alive).
    const dying = async () => {
      const { claimed_by: _by, ...item } = (await readExport(ports.items, id)) as Record<string, unknown>;
      await ports.items.put({ ...item, ...exportKey(id), status: 'loading', claim_expires_at: 0 });
    };
    await dying();
    const manifest = await upload(`${file}.manifest.json`, JSON.stringify({ rows: 2 }));
    expect(await handleObjectEvent(ports, manifest)).toMatchObject({
      action: 'ingested',
      exportId: id,
      status: 'loaded',
    });
    // Its notification lost too: the nightly reconciliation finds it left loading.
    await dying();
    env.stack.takeExportEvents();
    const reconciled = await reconcileExports(ports);
    expect(reconciled.outcomes).toContainEqual(
      expect.objectContaining({ action: 'ingested', exportId: id, status: 'loaded' }),
    );
    expect((await readExport(ports.items, id))?.status).toBe('loaded');
    expect(await curated(id)).not.toEqual([]);
  });

  it('a reload it started that failed is tried again by its next notification and by reconciliation', async () => {
    const ports = env.ports();
    const file = 'transactions/failed-reload.csv';
    const loaded = await handleObjectEvent(ports, await upload(file, rows(2)));
    if (loaded.action !== 'ingested') throw new Error('expected a load');
    const id = loaded.exportId;
    const failing = async () => {
      const item = (await readExport(ports.items, id)) as Record<string, unknown>;
      await ports.items.put({
        ...item,
        ...exportKey(id),
        status: 'failed',
        attempts: 1,
        status_reason: 'SlowDown',
      });
    };
    await failing();
    const manifest = await upload(`${file}.manifest.json`, JSON.stringify({ rows: 2 }));
    expect(await handleObjectEvent(ports, manifest)).toMatchObject({
      action: 'ingested',
      exportId: id,
      status: 'loaded',
    });
    await failing();
    env.stack.takeExportEvents();
    const reconciled = await reconcileExports(ports);
    expect(reconciled.outcomes).toContainEqual(expect.objectContaining({ exportId: id, status: 'loaded' }));
  });
});
