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

async function ingestWithConfig(key: string, body: string | Uint8Array, config: Record<string, unknown>) {
  const event = fromS3Records((await env.upload(key, body)).Records as never)[0];
  if (!event) throw new Error('no event');
  const ports = { ...env.ports(), config: parseConfig(config) };
  return handleObjectEvent(ports, event);
}

const ingestWithLimit = (key: string, body: string | Uint8Array, limit: number) =>
  ingestWithConfig(key, body, { max_export_bytes: limit });

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

describe("ingest's memory ceiling (max_transaction_rows)", () => {
  // The duplicate check holds every order line of a transactions export in memory (about 20 bytes
  // a line): 60M lines took 2.4 GB here, and a 10 GiB file holds 200M, so past the limit the
  // function ran out of memory on every retry and the export never got a reason.
  it('rejects a transactions export with more order lines than one function checks, naming the limit', async () => {
    const outcome = await ingestWithConfig('transactions/many-lines.csv', rows(1200), {
      max_transaction_rows: 1000,
      rows_per_part: 100,
    });
    expect(outcome).toMatchObject({
      status: 'rejected',
      report: {
        status_reason:
          'the export has more than 1,000 order lines (max_transaction_rows), more than one ingest function checks for duplicates within its memory: split it into smaller files of the same kind',
      },
    });
    const exportId = (outcome as { report: { export_id: string } }).report.export_id;
    expect(await env.ports().lake.list(`curated/transactions/export_id=${exportId}/`)).toEqual([]);
  });

  it('counts order lines, not rows: repeated lines are quarantined as duplicates within the limit', async () => {
    const repeated = [rows(800), ...Array.from({ length: 400 }, (_, i) => `O${i},C1,2025-01-01,1.00`)].join(
      '\n',
    );
    const outcome = await ingestWithConfig('transactions/repeats.csv', repeated, {
      max_transaction_rows: 1000,
    });
    expect(outcome).toMatchObject({
      status: 'loaded',
      report: { control_totals: { rows_curated: 800, amounts: { revenue: { quarantined: '400.00' } } } },
    });
  });
});
