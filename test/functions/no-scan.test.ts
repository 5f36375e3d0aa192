import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultTable } from '../../core/tables.ts';
import { decodeCaches, decodeParquet } from '../../functions/adapters/parquet.ts';
import { compute } from '../../functions/compute/handler.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import { targets } from '../../functions/targets/handler.ts';
import { type DynamodbRecord, recordDynamodb } from '../support/dynamodb-recorder.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
let dynamodb: DynamodbRecord;
beforeAll(async () => {
  env = await startLocalEnv();
  process.env.CVAL_CONFIG = '{}';
  dynamodb = recordDynamodb();
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
});

const orders = (customers: number) =>
  [
    'order_id,customer_id,order_date,revenue,rep_id,team',
    ...Array.from(
      { length: customers * 2 },
      (_, i) => `O${i},C${i % customers},2025-0${1 + (i % 3)}-1${i % 9},${10 + (i % 7)}.25,r${i % 3},t1`,
    ),
  ].join('\n');
const targetRows = 'fiscal_year,metric,amount,scope\n2025,revenue,1000000,company\n';

describe('DynamoDB reads and writes of a night', () => {
  it('no handler scans the table, and what a run reads does not grow with the nights before it', async () => {
    dynamodb.reset();
    await ingest((await env.upload('transactions/orders.csv', orders(60))) as never);
    await ingest((await env.upload('targets/plan.csv', targetRows)) as never);
    const readsPerNight: number[] = [];
    for (const night of ['2025-03-20', '2025-03-21', '2025-03-22']) {
      dynamodb.reset();
      const run = await compute({ as_of: night });
      expect(run.items.written).toBe(60 + (run.tables.cohort_metrics ?? 0));
      expect(dynamodb.calls.get('ScanCommand')).toBeUndefined();
      readsPerNight.push(dynamodb.itemsRead);
    }
    // Night 1 sees no earlier run; nights 2 and 3 read the same registry and the same LATEST run.
    expect(readsPerNight[2]).toBe(readsPerNight[1]);
    dynamodb.reset();
    await targets({ week: '2025-W13' });
    expect(dynamodb.calls.get('ScanCommand')).toBeUndefined();
    expect(dynamodb.calls.size).toBeGreaterThan(0);
  });

  it('the exports table lists each export once however many nights ran, with its encoding', async () => {
    const { lake } = env.ports();
    expect(await lake.list('results/exports/')).toEqual(['results/exports/part-00000.parquet']);
    const rows = await decodeParquet(
      await lake.getBytes('results/exports/part-00000.parquet'),
      resultTable('exports').columns,
      decodeCaches(),
    );
    const seen = rows.map((row) => [row.s3_key, row.status, row.encoding, row.encoding_confidence].join(' '));
    expect(seen.sort()).toEqual([
      'targets/plan.csv loaded utf8 high',
      'transactions/orders.csv loaded utf8 high',
    ]);
  });

  it('one item per customer and cohort however many nights ran', async () => {
    const customers = await env.ports().items.query('CUSTOMER#C1');
    expect(customers.map((item) => item.SK)).toEqual(['LATEST']);
    expect(customers[0]).toMatchObject({ as_of: '2025-03-22' });
    const runs = await env.ports().items.query('RUNS', 'AS_OF#');
    expect(runs.map((run) => run.SK)).toEqual(['AS_OF#2025-03-20', 'AS_OF#2025-03-21', 'AS_OF#2025-03-22']);
    expect(Number(runs[0]?.expires_at)).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
  });
});
