import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { parseConfig } from '../../core/config.ts';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import { ItemStore } from '../../functions/adapters/item-store.ts';
import { ObjectStore } from '../../functions/adapters/object-store.ts';
import type { IngestPorts } from '../../functions/ingest/ingest-export.ts';
import {
  LOCAL_NAMES,
  type LocalStack,
  localTableActiveWithin,
  startLocalStack,
  tableDefinition,
} from '../../functions/local/local-stack.ts';

/** The stores in full (they satisfy the narrower ports every job declares), for tests to inspect. */
export interface LocalPorts extends IngestPorts {
  exports: ObjectStore;
  lake: ObjectStore;
  items: ItemStore;
}

/** A running local stack in a temp folder, with helpers to drop files like finance would. */
export interface LocalEnv {
  stack: LocalStack;
  dir: string;
  ports: () => LocalPorts;
  upload(key: string, body: Uint8Array | string): Promise<Record<string, unknown>>;
  remove(key: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Makes the local table in the DynamoDB server's folder under `stateDir` (the table startLocalStack
 * makes: tableDefinition), waiting for it to be ACTIVE as startLocalStack does
 * (localTableActiveWithin). startLocalStack then finds it, as on every run in a folder after the
 * first. (Before startLocalStack looked for a new table itself, the SDK's waiter made about half the
 * first runs sleep 20 s.) Creating the table on a first run is
 * tested through cval (test/e2e) and against external servers (external-endpoints.test.ts). Tests
 * that call runLocal in this process on a new folder call this for `<out>/state` first.
 */
export async function makeLocalTable(stateDir: string): Promise<void> {
  const path = join(stateDir, 'dynamodb');
  await mkdir(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(tableDefinition(LOCAL_NAMES.tableName));
    if (!(await localTableActiveWithin(client, 60_000)))
      throw new Error(`the local table ${LOCAL_NAMES.tableName} was not ACTIVE within 60 s`);
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function startLocalEnv(): Promise<LocalEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'cval-test-'));
  await makeLocalTable(join(dir, 'state'));
  const stack = await startLocalStack(join(dir, 'state'));
  const ports = (): LocalPorts => {
    const { s3, dynamodb } = awsClients();
    return {
      exports: new ObjectStore(s3, LOCAL_NAMES.exportsBucket),
      lake: new ObjectStore(s3, LOCAL_NAMES.lakeBucket),
      items: new ItemStore(dynamodb, LOCAL_NAMES.tableName),
      config: parseConfig({}),
    };
  };
  const lastEvent = () => {
    const events = stack.takeExportEvents();
    const event = events.at(-1);
    if (!event) throw new Error('the local S3 server emitted no notification');
    return { Records: [event] };
  };
  return {
    stack,
    dir,
    ports,
    async upload(key, body) {
      await awsClients().s3.send(
        new PutObjectCommand({ Bucket: LOCAL_NAMES.exportsBucket, Key: key, Body: body }),
      );
      return lastEvent();
    },
    async remove(key) {
      await awsClients().s3.send(new DeleteObjectCommand({ Bucket: LOCAL_NAMES.exportsBucket, Key: key }));
      return lastEvent();
    },
    async close() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The embedded S3 server alone, in a temp folder, with `buckets` made. */
export interface LocalS3 {
  store(bucket: string): ObjectStore;
  close(): Promise<void>;
}

/**
 * The S3 server local mode embeds (s3rver, started as startLocalStack starts it) without the
 * DynamoDB one, for tests that keep their items in a MemoryTable: creating the local table can
 * wait 20 s on the SDK's table waiter (see startLocalStack), which such tests would spend for
 * nothing. The client is the one awsClients builds for a local endpoint (path-style, its region).
 */
export async function startLocalS3(buckets: readonly string[]): Promise<LocalS3> {
  const dir = await mkdtemp(join(tmpdir(), 'cval-test-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    store: (bucket) => new ObjectStore(s3, bucket),
    async close() {
      s3.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Two customers' orders: C1 150.00 in two orders (January and February 2025), C2 70.00 in one. */
export const TWO_CUSTOMERS_ORDERS =
  'order_id,customer_id,order_date,revenue\nO1,C1,2025-01-10,100.00\nO2,C1,2025-02-10,50.00\nO3,C2,2025-02-11,70.00\n';

/** A local stack with TWO_CUSTOMERS_ORDERS uploaded as transactions/t.csv and ingested. */
export async function startLocalEnvWithOrders(): Promise<LocalEnv> {
  const env = await startLocalEnv();
  const { ingest } = await import('../../functions/ingest/handler.ts');
  await ingest((await env.upload('transactions/t.csv', TWO_CUSTOMERS_ORDERS)) as never);
  return env;
}
