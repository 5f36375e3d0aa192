import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultTable } from '../../core/tables.ts';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import type { Item } from '../../functions/adapters/item-store.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import { compute } from '../../functions/compute/handler.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import { LOCAL_NAMES } from '../../functions/local/local-stack.ts';
import { dumpItems } from '../../functions/local/mirror-outputs.ts';
import { targets } from '../../functions/targets/handler.ts';
import { type DynamodbRecord, recordDynamodb } from '../support/dynamodb-recorder.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

/**
 * Local mode's `dynamodb.jsonl` is every item of the table, read with Queries only (design.md: never
 * a Scan). The table is filled by the real handlers, with the cases where an entity leaves the newest
 * run (its items deleted) and where an item outlives the newest run's tables (a run that died after
 * writing it), and the dump is compared with a Scan made here.
 */
let env: LocalEnv;
let dynamodb: DynamodbRecord;
let out: string;
beforeAll(async () => {
  env = await startLocalEnv();
  out = await mkdtemp(join(tmpdir(), 'cval-dump-'));
  process.env.CVAL_CONFIG = '{}';
  dynamodb = recordDynamodb();
});
afterAll(async () => {
  delete process.env.CVAL_CONFIG;
  await env?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

/** `customers` customers, two orders each, all first ordering in `month` (their acquisition cohort). */
const orders = (prefix: string, customers: number, month: string) =>
  [
    'order_id,customer_id,order_date,revenue,rep_id,team',
    ...Array.from(
      { length: customers * 2 },
      (_, i) => `${prefix}O${i},${prefix}${i % customers},${month}-1${i % 9},${10 + (i % 7)}.25,r${i % 3},t1`,
    ),
  ].join('\n');
const targetRows = 'fiscal_year,metric,amount,scope\n2025,revenue,1000000,company\n';

const line = (item: unknown) => JSON.stringify(item, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

/** Every item, by a Scan with every page: what the dump must hold. */
async function scanAll(): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await awsClients().dynamodb.send(
      new ScanCommand({ TableName: LOCAL_NAMES.tableName, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

describe('dynamodb.jsonl', () => {
  it('holds every item of the table, in key order, read without a Scan', async () => {
    await ingest((await env.upload('transactions/january.csv', orders('C', 30, '2025-01'))) as never);
    await ingest((await env.upload('transactions/february.csv', orders('D', 20, '2025-02'))) as never);
    await ingest((await env.upload('targets/plan.csv', targetRows)) as never);
    await compute({ as_of: '2025-03-20' });
    // February's customers and their cohorts leave the newest run: compute deletes their items;
    // the night before's files in the lake still name them (the dump's Queries find nothing there).
    await ingest((await env.remove('transactions/february.csv')) as never);
    await compute({ as_of: '2025-03-21' });
    await targets({ week: '2025-W13' });
    // A run that died after writing a customer's and a cohort's items and before publishing: only
    // its staging folder names them.
    const { lake, items } = env.ports();
    const ids = resultTable('customer_metrics').columns.filter((c) => c.name === 'customer_id');
    await lake.put(
      'staging/results/dead-run/customer_metrics/as_of=2025-03-22/part-00000.parquet',
      encodeParquet(ids, [{ customer_id: 'Z9' }]),
      'application/vnd.apache.parquet',
    );
    await items.put({ PK: 'CUSTOMER#Z9', SK: 'LATEST', as_of: '2025-03-22' });
    const cohortKeys = resultTable('cohort_metrics').columns.filter((c) =>
      ['cohort_dimension', 'cohort'].includes(c.name),
    );
    await lake.put(
      'staging/results/dead-run/cohort_metrics/as_of=2025-03-22/part-00000.parquet',
      encodeParquet(cohortKeys, [{ cohort_dimension: 'acquisition_month', cohort: '2025-09' }]),
      'application/vnd.apache.parquet',
    );
    await items.put({ PK: 'COHORT#acquisition_month#2025-09', SK: 'LATEST', as_of: '2025-03-22' });

    dynamodb.reset();
    const count = await dumpItems(items, lake, out);
    const queries = dynamodb.calls.get('QueryCommand') ?? 0;
    expect([...dynamodb.calls.keys()]).toEqual(['QueryCommand']);

    const scanned = await scanAll();
    const dumped = (await readFile(join(out, 'dynamodb.jsonl'), 'utf8')).trimEnd().split('\n');
    const byKey = (a: Item, b: Item) => (a.PK === b.PK ? (a.SK < b.SK ? -1 : 1) : a.PK < b.PK ? -1 : 1);
    expect(dumped).toEqual(scanned.sort(byKey).map(line));
    expect(count).toBe(scanned.length);

    // The table holds each family the dump must find, the cases above included.
    const families = new Set(scanned.map((item) => item.PK.replace(/#.*/, '#')));
    expect([...families].sort()).toEqual([
      'COHORT#',
      'CONTENTS',
      'CUSTOMER#',
      'EXPORTS',
      'INGEST_EVENTS',
      'RUNS',
      'SOURCES',
      'TARGET#',
      'TARGET_RUNS',
    ]);
    const cohorts = scanned.filter((item) => item.PK.startsWith('COHORT#'));
    expect(cohorts.filter((item) => item.as_of === '2025-03-20')).toEqual([]);
    expect(cohorts.filter((item) => item.as_of === '2025-03-21').length).toBeGreaterThan(0);
    expect(cohorts.filter((item) => item.as_of === '2025-03-22').map((item) => item.PK)).toEqual([
      'COHORT#acquisition_month#2025-09',
    ]);
    expect(cohorts.map((item) => item.PK)).not.toContain('COHORT#acquisition_month#2025-02');
    const customers = scanned.filter((item) => item.PK.startsWith('CUSTOMER#'));
    expect(customers.map((item) => item.PK).filter((pk) => !pk.startsWith('CUSTOMER#C'))).toEqual([
      'CUSTOMER#Z9',
    ]);
    expect(customers).toHaveLength(31);
    // One Query per partition key (each fits one page here): the customers of both nights and the
    // dead run (51), the cohorts (those of February's, without items, too), the TARGET# keys and the
    // six fixed partitions.
    expect(queries).toBeGreaterThanOrEqual(51 + 6 + cohorts.length);
  });
});
