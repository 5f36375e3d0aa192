import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { exportId } from '../../core/exports/identity.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { compute } from '../../functions/compute/handler.ts';
import { runCompute } from '../../functions/compute/run-compute.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import { MAX_LOAD_ATTEMPTS, type ObjectEvent, withdrawExport } from '../../functions/ingest/ingest-export.ts';
import { reconcileExports } from '../../functions/ingest/reconcile-exports.ts';
import { toMessageBody } from '../../functions/shared/object-events.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
  process.env.CVAL_CONFIG = '{}';
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});
beforeEach(async () => {
  // Each test starts from an empty bucket and registry as the run sees them.
  const ports = env.ports();
  for (const key of await ports.exports.list('')) await env.remove(key);
  await reconcileExports(ports);
  env.stack.takeExportEvents();
});

const orders = (prefix: string, revenue: string) =>
  `order_id,customer_id,order_date,revenue\n${prefix}1,${prefix}C,2025-01-10,${revenue}\n`;

/** The exports the run counted, as customer -> revenue. */
async function revenueByCustomer(asOf = '2025-03-31') {
  const run = await compute({ as_of: asOf });
  const items = env.ports().items;
  const out: Record<string, unknown> = {};
  for (const id of ['AC', 'BC', 'CC', 'DC']) {
    const item = await items.get(`CUSTOMER#${id}`, 'LATEST');
    if (item) out[id] = Number(item.revenue);
  }
  return { run, revenue: out };
}

describe('every run reconciles the exports bucket with the registry', () => {
  it('loads a file whose notification never arrived', async () => {
    await env.upload('transactions/a.csv', orders('A', '100.00'));
    env.stack.takeExportEvents(); // lost
    const { revenue } = await revenueByCustomer();
    expect(revenue).toEqual({ AC: 100 });
  });

  it('holds a loaded export to a manifest whose notification never arrived, and loads it again once it agrees', async () => {
    const file = 'transactions/m.csv';
    await ingest((await env.upload(file, orders('A', '100.00'))) as never);
    await env.upload(`${file}.manifest.json`, JSON.stringify({ rows: 1, totals: { revenue: '99.00' } }));
    env.stack.takeExportEvents(); // lost
    // One reload, which blocks it; its folder gone with the block is no folder the lake lost.
    const blocking = await reconcileExports(env.ports());
    expect(blocking.outcomes).toEqual([expect.objectContaining({ action: 'ingested', status: 'blocked' })]);
    expect(blocking.reloaded).toEqual([]);
    expect((await revenueByCustomer()).revenue).toEqual({});
    await env.upload(`${file}.manifest.json`, JSON.stringify({ rows: 1, totals: { revenue: '100.00' } }));
    env.stack.takeExportEvents(); // lost
    expect((await revenueByCustomer()).revenue).toEqual({ AC: 100 });
    // Nothing changed since: the manifest is not read again.
    const ports = env.ports();
    const reads: string[] = [];
    const exports = Object.assign(Object.create(Object.getPrototypeOf(ports.exports)), ports.exports, {
      getText: async (key: string) => {
        reads.push(key);
        return ports.exports.getText(key);
      },
    });
    const quiet = await reconcileExports({ ...ports, exports });
    expect(quiet.outcomes).toEqual([]);
    expect(reads).toEqual([]);
    // Its deletion lost too: nothing to hold the export to, and it still counts.
    await env.remove(`${file}.manifest.json`);
    expect((await revenueByCustomer()).revenue).toEqual({ AC: 100 });
  });

  it('loads again an export whose curated folder the lake lost (a restore to before it loaded)', async () => {
    const file = 'transactions/restored.csv';
    const loaded = await ingest((await env.upload(file, orders('A', '100.00'))) as never);
    const id = loaded.outcomes[0]?.action === 'ingested' ? loaded.outcomes[0].exportId : '';
    const { lake } = env.ports();
    await lake.deletePrefix(`curated/transactions/export_id=${id}/`);
    expect((await revenueByCustomer()).revenue).toEqual({ AC: 100 });
    expect(await lake.list(`curated/transactions/export_id=${id}/`)).not.toEqual([]);
    // Nothing lost since: nothing loaded again.
    const quiet = await reconcileExports(env.ports());
    expect(quiet.outcomes).toEqual([]);
  });

  it('withdraws a file whose deletion notification never arrived', async () => {
    await ingest((await env.upload('transactions/b.csv', orders('B', '7.00'))) as never);
    expect((await revenueByCustomer()).revenue).toEqual({ BC: 7 });
    await env.remove('transactions/b.csv'); // notification lost
    expect((await revenueByCustomer()).revenue).toEqual({});
  });

  it('reloads a file put back after it was deleted (same bytes, same key)', async () => {
    const body = orders('C', '42.00');
    await ingest((await env.upload('transactions/c.csv', body)) as never);
    await ingest((await env.remove('transactions/c.csv')) as never);
    expect((await revenueByCustomer()).revenue).toEqual({});
    const restored = await ingest((await env.upload('transactions/c.csv', body)) as never);
    expect(restored.outcomes[0]).toMatchObject({ action: 'ingested', status: 'loaded' });
    expect((await revenueByCustomer()).revenue).toEqual({ CC: 42 });
  });

  it('a redelivered old notification of a deleted file does not bring it back', async () => {
    const upload = await env.upload('transactions/d.csv', orders('D', '5.00'));
    const record = (upload.Records as { s3: { object: { sequencer: string } } }[])[0];
    if (record) record.s3.object.sequencer = '0000000000000000A0';
    await ingest(upload as never);
    const removal = await env.remove('transactions/d.csv');
    const removed = (removal.Records as { s3: { object: { sequencer: string } } }[])[0];
    if (removed) removed.s3.object.sequencer = '0000000000000000B0';
    await ingest(removal as never);
    const again = await ingest(upload as never);
    expect(again.outcomes[0]).toMatchObject({ action: 'duplicate', status: 'withdrawn' });
    expect(await env.ports().lake.list('curated/transactions/')).toEqual([]);
  });

  it('takes over an export left `loading` by an invocation that died, once its claim ran out', async () => {
    await env.upload('transactions/a.csv', orders('A', '9.00'));
    env.stack.takeExportEvents();
    const ports = env.ports();
    const id = await idOfKey('transactions/a.csv');
    const claim = (expiresIn: number) => ({
      PK: 'EXPORTS',
      SK: `EXPORT#${id}`,
      export_id: id,
      s3_key: 'transactions/a.csv',
      kind: 'transactions',
      status: 'loading',
      attempts: 1,
      claim_expires_at: Date.now() + expiresIn,
    });
    // A live claim: another invocation is loading it; the run goes on without it and says so.
    await ports.items.put(claim(10 * 60_000));
    const live = await revenueByCustomer();
    expect(live.revenue).toEqual({});
    expect(live.run.warnings.filter((w) => w.startsWith('transactions/'))).toEqual([
      expect.stringMatching(
        /^transactions\/a.csv is left out of this run: export \w+ .* is being ingested by another invocation/,
      ),
    ]);
    // The holder died: its claim ran out, and the next run loads the file.
    await ports.items.put(claim(-1));
    const { run, revenue } = await revenueByCustomer();
    expect(revenue).toEqual({ AC: 9 });
    expect(run.warnings.filter((w) => w.startsWith('transactions/'))).toEqual([]);
  });

  it('an export left loading whose file was then deleted is marked withdrawn, and the run goes on', async () => {
    await env.upload('transactions/a.csv', orders('A', '9.00'));
    env.stack.takeExportEvents();
    const ports = env.ports();
    const id = await idOfKey('transactions/a.csv');
    await ports.items.put({
      PK: 'EXPORTS',
      SK: `EXPORT#${id}`,
      export_id: id,
      bucket: ports.exports.bucket,
      s3_key: 'transactions/a.csv',
      kind: 'transactions',
      status: 'loading',
      attempts: 1,
      claim_expires_at: Date.now() - 1,
    });
    await env.remove('transactions/a.csv');
    env.stack.takeExportEvents();
    const { run, revenue } = await revenueByCustomer();
    expect(revenue).toEqual({});
    expect(run.export_warnings).toEqual([]);
    expect(await ports.items.get('EXPORTS', `EXPORT#${id}`)).toMatchObject({
      status: 'withdrawn',
      status_reason: 'the file was deleted before it finished loading',
    });
  });

  it('a load that keeps failing is retried, then marked failed and left out; the rest still runs', async () => {
    await env.upload('transactions/a.csv', orders('A', '1.00'));
    await env.upload('transactions/b.csv', orders('B', '2.00'));
    env.stack.takeExportEvents();
    const ports = env.ports();
    const broken = failingFor(ports.lake, await idOfKey('transactions/b.csv'));
    const config = parseConfig({});
    const warnings: string[][] = [];
    for (let run = 0; run < MAX_LOAD_ATTEMPTS + 1; run++) {
      const summary = await runCompute({ ...ports, lake: broken, config }, '2025-03-31');
      warnings.push(summary.warnings.filter((w) => w.startsWith('transactions/b.csv')));
    }
    expect(warnings[0]).toEqual(['transactions/b.csv is left out of this run: simulated failure midway']);
    expect(warnings.at(-1)?.[0]).toMatch(
      new RegExp(
        `failed ${MAX_LOAD_ATTEMPTS} times, left out until the file is uploaded again or the next night: simulated failure midway`,
      ),
    );
    const b = await ports.items.get('EXPORTS', `EXPORT#${await idOfKey('transactions/b.csv')}`);
    expect(b).toMatchObject({ status: 'failed', attempts: MAX_LOAD_ATTEMPTS });
    expect(await ports.items.get('CUSTOMER#AC', 'LATEST')).toMatchObject({ revenue: 1 });
    expect(await ports.items.get('CUSTOMER#BC', 'LATEST')).toBeUndefined();
    // A new version of the file is a new export and loads.
    await env.upload('transactions/b.csv', orders('B', '3.00'));
    expect((await revenueByCustomer()).revenue).toEqual({ AC: 1, BC: 3 });
  });

  it('hands a file too large to load in the run to the ingest function, which loads it for the next run', async () => {
    await env.upload('transactions/small.csv', orders('A', '1.00'));
    const big = `${orders('B', '2.00')}${Array.from({ length: 20 }, (_, i) => `B${i + 2},BC,2025-01-11,3.00\n`).join('')}`;
    await env.upload('transactions/big file.csv', big);
    env.stack.takeExportEvents(); // both notifications lost
    const sent: ObjectEvent[] = [];
    const handOff = { aboveBytes: 200, send: async (event: ObjectEvent) => void sent.push(event) };
    const config = parseConfig({});
    const summary = await runCompute({ ...env.ports(), config, handOff }, '2025-03-31');
    expect(sent).toEqual([
      expect.objectContaining({
        type: 'created',
        key: 'transactions/big file.csv',
        etag: expect.any(String),
      }),
    ]);
    expect(summary.warnings.filter((w) => w.startsWith('transactions/big file.csv'))).toEqual([
      expect.stringMatching(/handed to the ingest function and counts from the next run/),
    ]);
    expect(await env.ports().items.get('CUSTOMER#BC', 'LATEST')).toBeUndefined();
    // The ingest function takes the message off its queue as it takes S3's own.
    await ingest({
      Records: [{ eventSource: 'aws:sqs', messageId: 'm1', body: toMessageBody(sent[0] as ObjectEvent) }],
    } as never);
    expect((await revenueByCustomer()).revenue).toEqual({ AC: 1, BC: 62 });
  });

  it('hands off a small gzip whose text may be far larger, by its bytes whatever its name; plain small files load in the run', async () => {
    // Deflate packs up to 1,032 bytes of text in one: a 100 KB gzip may hold 100 MB, which the
    // run loaded within its own time limit because only the compressed size was compared.
    const text = `${orders('B', '2.00')}${Array.from({ length: 40 }, (_, i) => `B${i + 2},BC,2025-01-11,3.00\n`).join('')}`;
    const packed = gzipSync(text);
    expect(packed.length).toBeLessThan(200);
    await env.upload('transactions/packed.csv.gz', packed);
    await env.upload('transactions/packed-too.csv', gzipSync(orders('C', '4.00')));
    await env.upload('transactions/small.csv', orders('A', '1.00'));
    env.stack.takeExportEvents(); // every notification lost
    const sent: ObjectEvent[] = [];
    const handOff = { aboveBytes: 200, send: async (event: ObjectEvent) => void sent.push(event) };
    const summary = await runCompute({ ...env.ports(), config: parseConfig({}), handOff }, '2025-03-31');
    expect(sent.map((event) => event.key).sort()).toEqual([
      'transactions/packed-too.csv',
      'transactions/packed.csv.gz',
    ]);
    expect(summary.warnings.filter((w) => w.startsWith('transactions/packed.csv.gz'))).toEqual([
      expect.stringMatching(
        /a gzip, which may hold up to 1,032 times as much text.*handed to the ingest function/,
      ),
    ]);
    expect(await env.ports().items.get('CUSTOMER#AC', 'LATEST')).toMatchObject({ revenue: 1 });
  });

  it('loads again a file rejected for its header once header_aliases map it; not while they stay the same', async () => {
    const file = 'transactions/renamed.csv';
    await ingest(
      (await env.upload(
        file,
        'order_id,customer_id,order_date,net_amount\nA1,AC,2025-01-10,7.00\n',
      )) as never,
    );
    const rejected = (await env.ports().items.query('EXPORTS')).find((i) => i.s3_key === file);
    expect(rejected).toMatchObject({
      status: 'rejected',
      status_reason: expect.stringMatching(/missing required column revenue/),
    });
    const unchanged = await runCompute({ ...env.ports(), config: parseConfig({}) }, '2025-03-31');
    expect(unchanged.warnings.join('\n')).not.toMatch(/renamed\.csv.*(loaded|read) again/);
    // Aliases changed for another column: read again, and said to be still rejected, not loaded.
    const other = parseConfig({ header_aliases: { transactions: { cost: ['unit_cost'] } } });
    const still = await runCompute({ ...env.ports(), config: other }, '2025-03-31');
    expect(still.warnings).toContainEqual(
      expect.stringMatching(
        /^transactions\/renamed\.csv .*: read again, still rejected: missing required column revenue/,
      ),
    );
    // The finance team adds the alias instead of uploading the file again.
    const config = parseConfig({ header_aliases: { transactions: { revenue: ['net_amount'] } } });
    const fixed = await runCompute({ ...env.ports(), config }, '2025-03-31');
    expect(fixed.warnings).toContainEqual(
      expect.stringMatching(/^transactions\/renamed\.csv .*header_aliases.*loaded again/),
    );
    expect(await env.ports().items.get('CUSTOMER#AC', 'LATEST')).toMatchObject({ revenue: 7 });
    // Loaded now, it is not loaded again by the next run.
    const next = await runCompute({ ...env.ports(), config }, '2025-03-31');
    expect(next.warnings.join('\n')).not.toMatch(/renamed\.csv.*loaded again/);
  });

  it('warns of a revised export uploaded under a new name beside the old one: their shared lines count twice', async () => {
    const lines = (revenue: string, count: number) =>
      `order_id,customer_id,order_date,revenue\n${Array.from({ length: count }, (_, i) => `M${i},AC,2025-03-0${1 + (i % 9)},${revenue}`).join('\n')}\n`;
    await ingest((await env.upload('transactions/march.csv', lines('1.00', 30))) as never);
    await ingest((await env.upload('transactions/march (revised).csv', lines('1.10', 29))) as never);
    await ingest((await env.upload('transactions/april.csv', orders('B', '5.00'))) as never);
    const summary = await runCompute({ ...env.ports(), config: parseConfig({}) }, '2025-03-31');
    expect(summary.warnings.filter((w) => w.includes('share'))).toEqual([
      expect.stringMatching(
        /^transactions\/march \(revised\)\.csv and transactions\/march\.csv share 29 order lines .*counted twice/,
      ),
    ]);
  });

  it('names a copy of the same file once, as a copy, not again as sharing order lines', async () => {
    await ingest((await env.upload('transactions/jan.csv', orders('A', '1.00'))) as never);
    await ingest((await env.upload('transactions/jan (copy).csv', orders('A', '1.00'))) as never);
    const summary = await runCompute({ ...env.ports(), config: parseConfig({}) }, '2025-03-31');
    expect(summary.warnings.filter((w) => w.includes('jan'))).toEqual([
      'the same file is loaded 2 times (transactions/jan (copy).csv, transactions/jan.csv): each copy counts',
    ]);
  });

  it("keeps the registry of a file whose name is near S3's 1,024 bytes within DynamoDB's 1,024-byte sort keys", async () => {
    // bucket/key made the pointer's sort key: past 1,024 bytes DynamoDB refused it, the file failed
    // three times and was left out every night. (The local table server takes such keys.)
    // In folders of 198 bytes: the local S3 server keeps objects as files (255 bytes a name).
    const folders = `transactions/${Array.from({ length: 5 }, () => '客'.repeat(66)).join('/')}/12345`;
    const key = `${folders}.csv`;
    expect(Buffer.byteLength(key)).toBe(1017);
    await ingest((await env.upload(key, orders('A', '6.00'))) as never);
    await ingest((await env.upload(`${folders}2.csv`, orders('A', '6.00'))) as never);
    const { items } = env.ports();
    for (const pk of ['SOURCES', 'CONTENTS'])
      for (const item of await items.query(pk)) expect(Buffer.byteLength(item.SK)).toBeLessThanOrEqual(1024);
    const summary = await runCompute({ ...env.ports(), config: parseConfig({}) }, '2025-03-31');
    expect(summary.export_ids).toHaveLength(2);
    expect(summary.warnings.filter((w) => w.includes('客'))).toEqual([
      expect.stringMatching(/^the same file is loaded 2 times/),
    ]);
    // The pointer is found again by its key: the next run reloads nothing.
    const again = await reconcileExports(env.ports());
    expect(again.outcomes).toEqual([]);
  });

  it('a large file whose loads all failed is not handed off again, night after night: it rests as failed', async () => {
    await env.upload('transactions/big.csv', orders('B', '2.00'));
    env.stack.takeExportEvents();
    const ports = env.ports();
    const broken = failingFor(ports.lake, await idOfKey('transactions/big.csv'));
    const config = parseConfig({});
    for (let run = 0; run < MAX_LOAD_ATTEMPTS; run++)
      await runCompute({ ...ports, lake: broken, config }, '2025-03-31');
    const sent: ObjectEvent[] = [];
    const handOff = { aboveBytes: 10, send: async (event: ObjectEvent) => void sent.push(event) };
    const summary = await runCompute({ ...ports, config, handOff }, '2025-03-31');
    expect(sent).toEqual([]);
    expect(summary.warnings.filter((w) => w.startsWith('transactions/big.csv'))).toEqual([
      expect.stringMatching(
        new RegExp(`failed ${MAX_LOAD_ATTEMPTS} times, left out until the file is uploaded again`),
      ),
    ]);
  });

  it('a hand-off that fails leaves the file out of the run with the reason; the rest still runs', async () => {
    await env.upload('transactions/small.csv', orders('A', '1.00'));
    await env.upload('transactions/big.csv', `${orders('B', '2.00')}${'#'.repeat(300)}\n`);
    env.stack.takeExportEvents();
    const handOff = {
      aboveBytes: 200,
      send: async () => {
        throw new Error('queue unavailable');
      },
    };
    const summary = await runCompute({ ...env.ports(), config: parseConfig({}), handOff }, '2025-03-31');
    expect(summary.warnings.filter((w) => w.startsWith('transactions/big.csv'))).toEqual([
      'transactions/big.csv is left out of this run: it could not be handed to the ingest function: queue unavailable',
    ]);
    expect(await env.ports().items.get('CUSTOMER#AC', 'LATEST')).toMatchObject({ revenue: 1 });
  });

  it('finishes a withdrawal that died midway: the old data does not count and its folder goes', async () => {
    await ingest((await env.upload('transactions/a.csv', orders('A', '4.00'))) as never);
    const ports = env.ports();
    const [exportItem] = (await ports.items.query('EXPORTS')).filter(
      (i) => i.status === 'loaded' && i.s3_key === 'transactions/a.csv',
    );
    // The key was deleted and the pointer cleared, then the invocation died.
    await env.remove('transactions/a.csv');
    env.stack.takeExportEvents();
    await ports.items.put({
      PK: 'SOURCES',
      SK: `${ports.exports.bucket}/transactions/a.csv`,
      export_id: null,
      kind: 'transactions',
      sequencer: '',
    });
    expect(await ports.lake.list(`curated/transactions/export_id=${exportItem?.export_id}/`)).not.toEqual([]);
    expect((await revenueByCustomer()).revenue).toEqual({});
    expect(await ports.lake.list(`curated/transactions/export_id=${exportItem?.export_id}/`)).toEqual([]);
    expect(await ports.items.get('EXPORTS', `EXPORT#${exportItem?.export_id}`)).toMatchObject({
      status: 'withdrawn',
    });
  });

  it('the same file under a second name is loaded with a warning in its report and in the run', async () => {
    const body = orders('A', '8.00');
    await ingest((await env.upload('transactions/a.csv', body)) as never);
    const second = await ingest((await env.upload('transactions/copy of a.csv', body)) as never);
    const outcome = second.outcomes[0];
    if (outcome?.action !== 'ingested') throw new Error('expected an ingest');
    expect(outcome.report.warnings).toEqual([
      'the same content is also loaded from transactions/a.csv: both count; delete one if it was dropped twice',
    ]);
    const { run } = await revenueByCustomer();
    expect(run.warnings).toContain(
      'the same file is loaded 2 times (transactions/a.csv, transactions/copy of a.csv): each copy counts',
    );
  });

  it('leaves alone a load that is finishing: its handling marked it loaded and is about to point the key at it', async () => {
    await ingest((await env.upload('transactions/a.csv', orders('A', '5.00'))) as never);
    const ports = env.ports();
    const [loaded] = (await ports.items.query('EXPORTS')).filter(
      (i) => i.status === 'loaded' && i.s3_key === 'transactions/a.csv',
    );
    const id = String(loaded?.export_id);
    // The moment between the two writes of a load: the export loaded, the key's pointer not yet
    // moved to it (here: cleared), the handling still running.
    const pointer = { PK: 'SOURCES', SK: `${ports.exports.bucket}/transactions/a.csv` };
    const before = await ports.items.get(pointer.PK, pointer.SK);
    await ports.items.put({ ...pointer, export_id: null, kind: 'transactions', sequencer: '' });
    await ports.items.put({
      ...(loaded as Record<string, unknown>),
      PK: 'EXPORTS',
      SK: `EXPORT#${id}`,
      claimed_by: 'handling-1',
    });
    const guard = (running: boolean) => ({
      once: async () => {
        throw new Error('not used');
      },
      isRunning: async (holder: string) => running && holder === 'handling-1',
    });
    await reconcileExports({ ...ports, guard: guard(true) } as never);
    expect(await ports.items.get('EXPORTS', `EXPORT#${id}`)).toMatchObject({ status: 'loaded' });
    expect(await ports.lake.list(`curated/transactions/export_id=${id}/`)).not.toEqual([]);
    // Once that handling has stopped (it died before moving the pointer), the repair withdraws it.
    await reconcileExports({ ...ports, guard: guard(false) } as never);
    expect(await ports.items.get('EXPORTS', `EXPORT#${id}`)).toMatchObject({ status: 'withdrawn' });
    await ports.items.put(before as never);
  });

  it("withdrawing an export leaves the same content's pointer when a newer version of its key owns it", async () => {
    // A versioned bucket: the same bytes uploaded again under the same key are a new export (a new
    // version) with the same ETag, so both versions' content pointers are one item, the newer's.
    const ports = env.ports();
    const bucket = ports.exports.bucket;
    const pointer = { PK: 'CONTENTS', SK: `transactions#e1#${bucket}/transactions/a.csv` };
    await ports.items.put({ ...pointer, export_id: 'new' });
    for (const id of ['old', 'new'])
      await ports.items.put({
        PK: 'EXPORTS',
        SK: `EXPORT#${id}`,
        export_id: id,
        kind: 'transactions',
        status: 'loaded',
        bucket,
        s3_key: 'transactions/a.csv',
        etag: 'e1',
      });
    await withdrawExport(ports, 'transactions', 'old', 'replaced', 'replaced by export new');
    expect(await ports.items.get(pointer.PK, pointer.SK)).toMatchObject({ export_id: 'new' });
    await withdrawExport(ports, 'transactions', 'new', 'withdrawn', 'deleted');
    expect(await ports.items.get(pointer.PK, pointer.SK)).toBeUndefined();
  });

  it('a sum past DECIMAL(18,2) stops the run before anything is published; the previous run stays', async () => {
    await ingest((await env.upload('transactions/a.csv', orders('A', '6.00'))) as never);
    const before = await compute({ as_of: '2025-04-30' });
    const ports = env.ports();
    const published = await ports.lake.getBytes(
      'results/customer_metrics/as_of=2025-04-30/part-00000.parquet',
    );
    const huge =
      'order_id,customer_id,order_date,revenue\nX1,AC,2025-01-10,9000000000000000.00\nX2,AC,2025-01-11,9000000000000000.00\n';
    await ingest((await env.upload('transactions/huge.csv', huge)) as never);
    await expect(compute({ as_of: '2025-04-30' })).rejects.toThrow(
      /revenue: .* does not fit DECIMAL\(18,2\)/,
    );
    expect(await ports.lake.getBytes('results/customer_metrics/as_of=2025-04-30/part-00000.parquet')).toEqual(
      published,
    );
    expect(await ports.items.get('CUSTOMER#AC', 'LATEST')).toMatchObject({ revenue: 6 });
    expect(await ports.items.get('RUNS', 'LATEST')).toMatchObject({ run_id: before.run_id });
  });
});

/** The export id the key's current object has (bucket + key + ETag in the unversioned local bucket). */
async function idOfKey(key: string): Promise<string> {
  const ports = env.ports();
  const head = await ports.exports.head(key);
  return exportId({ bucket: ports.exports.bucket, key, version: head?.versionId ?? head?.etag ?? '' });
}

/** A lake where loading one key's export always fails (its curated parts cannot be written). */
function failingFor(lake: ObjectStore, id: string): ObjectStore {
  return Object.assign(Object.create(Object.getPrototypeOf(lake)), lake, {
    put: async (key: string, body: Uint8Array | string, type: string) => {
      if (key.startsWith('staging/curated/') && key.includes(id)) throw new Error('simulated failure midway');
      return lake.put(key, body, type);
    },
  }) as ObjectStore;
}
