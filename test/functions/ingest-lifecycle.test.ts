import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import { handleObjectEvent, type IngestPorts } from '../../functions/ingest/ingest-export.ts';
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
    ...Array.from({ length: n }, (_, i) => `O${i},C${i % 7},2025-01-01,1.00`),
  ].join('\n');

/** A lake whose n-th Parquet write fails, as a crash or a throttle midway would. */
function failingLake(ports: IngestPorts, failOnPart: number): ObjectStore {
  const lake = ports.lake;
  let parts = 0;
  return Object.assign(Object.create(Object.getPrototypeOf(lake)), lake, {
    put: async (key: string, body: Uint8Array | string, type: string) => {
      if (key.endsWith('.parquet') && ++parts === failOnPart) throw new Error('simulated failure midway');
      return lake.put(key, body, type);
    },
  }) as ObjectStore;
}

describe('export lifecycle', () => {
  it('a failure midway leaves no curated data visible, and the retry loads everything', async () => {
    const event = fromS3Records((await env.upload('transactions/big.csv', rows(250))).Records as never)[0];
    if (!event) throw new Error('no event');
    const ports = { ...env.ports(), config: { ...env.ports().config, rows_per_part: 100 } };
    await expect(handleObjectEvent({ ...ports, lake: failingLake(ports, 2) }, event)).rejects.toThrow(
      'simulated',
    );
    expect(await ports.lake.list('curated/transactions/')).toEqual([]);

    const retry = await handleObjectEvent(ports, event);
    if (retry.action !== 'ingested') throw new Error(`expected an ingest, got ${retry.action}`);
    expect(retry.status).toBe('loaded');
    expect(retry.report.curated_keys).toHaveLength(3);
    expect(retry.report.control_totals).toMatchObject({ rows_in: 250, rows_curated: 250 });
    expect(await ports.lake.list('staging/')).toEqual([]);
  });

  it('a manifest that disagrees blocks the export; one that agrees lets it load', async () => {
    await env.upload(
      'transactions/checked.csv.manifest.json',
      JSON.stringify({ rows: 3, totals: { revenue: '3.00' } }),
    );
    const blocked = await ingest((await env.upload('transactions/checked.csv', rows(4))) as never);
    expect(blocked.outcomes[0]).toMatchObject({
      action: 'ingested',
      status: 'blocked',
      report: {
        status_reason:
          'manifest says 3 rows, the file has 4; manifest says revenue totals 3.00, the file totals 4.00',
      },
    });
    const exportId = blocked.outcomes[0]?.action === 'ingested' ? blocked.outcomes[0].exportId : '';
    expect(await env.ports().lake.list(`curated/transactions/export_id=${exportId}/`)).toEqual([]);

    const agreed = await ingest((await env.upload('transactions/checked.csv', rows(3))) as never);
    expect(agreed.outcomes[0]).toMatchObject({ action: 'ingested', status: 'loaded' });
  });

  it('an older version arriving after a newer one is superseded, not published', async () => {
    const older = await env.upload('customers/order.csv', 'customer_id,acquired_on\nOLD,2025-01-01\n');
    const newer = await env.upload('customers/order.csv', 'customer_id,acquired_on\nNEW,2025-01-01\n');
    const setSequencer = (event: Record<string, unknown>, sequencer: string) => {
      const record = (event.Records as { s3: { object: { sequencer: string } } }[])[0];
      if (record) record.s3.object.sequencer = sequencer;
      return event;
    };
    const first = await ingest(setSequencer(newer, '00000000000000000200') as never);
    const late = await ingest(setSequencer(older, '00000000000000000100') as never);
    expect(first.outcomes[0]).toMatchObject({ status: 'loaded' });
    expect(late.outcomes[0]).toMatchObject({ status: 'superseded' });
    const keys = await env.ports().lake.list('curated/customers/');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toContain(first.outcomes[0]?.action === 'ingested' ? first.outcomes[0].exportId : 'x');
  });

  it('an export in a folder that is not a kind is rejected with the list of kinds', async () => {
    const result = await ingest((await env.upload('invoices/x.csv', 'a\n1\n')) as never);
    expect(result.outcomes[0]).toMatchObject({
      status: 'rejected',
      report: { status_reason: expect.stringMatching(/^unknown export kind "invoices"/) },
    });
  });

  it('concurrent deliveries: the second waits for the first instead of loading twice', async () => {
    const event = fromS3Records((await env.upload('transactions/race.csv', rows(5))).Records as never)[0];
    if (!event) throw new Error('no event');
    const ports = env.ports();
    await ports.items.put({ PK: 'EXPORTS', SK: 'EXPORT#placeholder' });
    const [a, b] = await Promise.allSettled([
      handleObjectEvent(ports, event),
      handleObjectEvent(ports, event),
    ]);
    const outcomes = [a, b];
    expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.action === 'ingested')).toHaveLength(1);
    const other = outcomes.find((o) => !(o.status === 'fulfilled' && o.value.action === 'ingested'));
    if (other?.status === 'rejected')
      expect(String(other.reason)).toMatch(/being ingested by another invocation/);
    else expect(other?.status === 'fulfilled' && other.value.action).toBe('duplicate');
  });
});
