import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { handleObjectEvent } from '../../functions/ingest/ingest-export.ts';
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
    ...Array.from({ length: n }, (_, i) => `O${i},C1,2025-01-01,1.00`),
  ].join('\n');

async function ingestWithLimit(key: string, body: string | Uint8Array, limit: number) {
  const event = fromS3Records((await env.upload(key, body)).Records as never)[0];
  if (!event) throw new Error('no event');
  const ports = { ...env.ports(), config: parseConfig({ max_export_bytes: limit }) };
  return handleObjectEvent(ports, event);
}

describe("ingest's own ceiling (max_export_bytes)", () => {
  it('rejects a file larger than one ingest function loads, up front, naming the limit', async () => {
    const outcome = await ingestWithLimit('transactions/big.csv', rows(40), 500);
    expect(outcome).toMatchObject({
      action: 'ingested',
      status: 'rejected',
      report: {
        status_reason:
          'the file is more than 500 bytes (max_export_bytes), more than one ingest function loads within its time limit: split it into smaller files of the same kind',
      },
    });
    expect(await env.ports().lake.list('curated/transactions/')).toEqual([]);
  });

  it('rejects a small gzip that holds more than the limit, once that much is read', async () => {
    const packed = gzipSync(rows(2000));
    expect(packed.length).toBeLessThan(20_000);
    const outcome = await ingestWithLimit('transactions/packed.csv.gz', packed, 20_000);
    expect(outcome).toMatchObject({
      status: 'rejected',
      report: {
        status_reason: expect.stringMatching(/^the file holds more than 20000 bytes \(max_export_bytes\)/),
      },
    });
  });

  it('loads a file within the limit', async () => {
    const outcome = await ingestWithLimit('transactions/small.csv', rows(3), 500);
    expect(outcome).toMatchObject({ status: 'loaded' });
  });
});
