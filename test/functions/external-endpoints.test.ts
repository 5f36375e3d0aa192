import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../functions/local/run-local.ts';

/**
 * Servers the user runs (here the same npm packages, started outside cval and empty: no buckets,
 * no table), reached through AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB.
 */
let dir: string;
let s3: S3rver;
let dynamo: ReturnType<typeof dynalite>;
let s3Endpoint: string;
let dynamodbEndpoint: string;
const saved = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cval-external-'));
  await mkdir(join(dir, 'server-s3'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 'server-s3') });
  s3Endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
  dynamodbEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
  });
}, 60_000);

afterAll(async () => {
  for (const key of [
    'AWS_ENDPOINT_URL_S3',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_REGION',
  ]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await s3?.close();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('cval with external S3- and DynamoDB-compatible servers', () => {
  it('uses them instead of its embedded servers, creating the buckets and the table, and loads every export', async () => {
    const exportsDir = join(dir, 'exports');
    await mkdir(join(exportsDir, 'transactions'), { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(exportsDir, 'transactions', 'orders.csv'),
      'order_id,customer_id,order_date,revenue\nO1,C1,2025-01-10,100.00\nO2,C2,2025-01-11,50.50\n',
    );
    const out = join(dir, 'out');
    const result = await runLocal({ exportsDir, outDir: out, asOf: '2025-03-31' });
    // The external S3 sends cval no notifications: reconciliation finds the upload all the same.
    expect(result.outcomes).toEqual([]);
    expect(result.run.export_ids).toHaveLength(1);
    const items = (await readFile(join(out, 'dynamodb.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(items.find((i) => i.PK === 'CUSTOMER#C2')).toMatchObject({ SK: 'LATEST', revenue: 50.5 });

    const buckets = await new S3Client({ endpoint: s3Endpoint, forcePathStyle: true }).send(
      new ListBucketsCommand({}),
    );
    expect(buckets.Buckets?.map((b) => b.Name).sort()).toEqual(['cval-exports', 'cval-lake']);
    const table = await new DynamoDBClient({ endpoint: dynamodbEndpoint }).send(
      new DescribeTableCommand({ TableName: 'cval-table' }),
    );
    expect(table.Table?.KeySchema?.map((k) => k.AttributeName)).toEqual(['PK', 'SK']);
    // Nothing embedded was started: no local server storage under the output folder.
    expect(await readdir(join(out, 'state'))).not.toContain('s3');
    expect(await readdir(join(out, 'state'))).not.toContain('dynamodb');
    expect(process.env.AWS_ENDPOINT_URL_S3).toBe(s3Endpoint);
  }, 120_000);
});
