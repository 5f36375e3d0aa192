import { mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { awsClients, resetAwsClients } from '../adapters/aws-clients.ts';

/**
 * Local mode: an S3-compatible server (s3rver) and a DynamoDB-compatible one (dynalite), both in
 * this process on 127.0.0.1 and free ports, storing under `<stateDir>`. The handlers reach them
 * through the standard AWS_ENDPOINT_URL_* variables, so they never know they are local.
 */
export const LOCAL_NAMES = {
  exportsBucket: 'cval-exports',
  lakeBucket: 'cval-lake',
  tableName: 'cval-table',
};

export interface S3NotificationRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; eTag?: string; sequencer?: string } };
}

export interface LocalStack {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  /** S3 notifications the exports bucket produced since the last call, oldest first. */
  takeExportEvents(): S3NotificationRecord[];
  stop(): Promise<void>;
}

const ENV_KEYS = [
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'EXPORTS_BUCKET',
  'LAKE_BUCKET',
  'TABLE_NAME',
] as const;

/**
 * Starts what the environment does not already point at: with AWS_ENDPOINT_URL_S3 and/or
 * AWS_ENDPOINT_URL_DYNAMODB set (DynamoDB Local, MinIO, LocalStack, any compatible server), those
 * are used instead of the embedded servers, and the buckets and table are created there when
 * missing. External servers send no notifications to this process; reconciliation at the start
 * of every compute run finds what changed in the bucket all the same.
 */
export async function startLocalStack(stateDir: string): Promise<LocalStack> {
  const s3Dir = join(stateDir, 's3');
  const dynamoDir = join(stateDir, 'dynamodb');
  const externalS3 = process.env.AWS_ENDPOINT_URL_S3;
  const externalDynamodb = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  // The folder also holds cval's own state (the configuration a run was loaded with).
  await mkdir(stateDir, { recursive: true });
  const pending: S3NotificationRecord[] = [];
  let s3: S3rver | undefined;
  let s3Endpoint = externalS3;
  if (!s3Endpoint) {
    await mkdir(s3Dir, { recursive: true });
    const server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: LOCAL_NAMES.exportsBucket }, { name: LOCAL_NAMES.lakeBucket }],
    });
    server.on('event', (event: { Records: S3NotificationRecord[] }) => {
      for (const record of event.Records)
        if (record.s3.bucket.name === LOCAL_NAMES.exportsBucket) pending.push(record);
    });
    const { port } = await server.run();
    s3 = server;
    s3Endpoint = `http://127.0.0.1:${port}`;
  }
  let dynamo: ReturnType<typeof dynalite> | undefined;
  let dynamodbEndpoint = externalDynamodb;
  if (!dynamodbEndpoint) {
    dynamo = await startDynalite(dynamoDir);
    dynamodbEndpoint = endpointOf(dynamo);
  }

  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    // s3rver accepts these fixed credentials and dynalite any; external servers use the caller's.
    ...(externalS3 || externalDynamodb
      ? {}
      : { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' }),
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    EXPORTS_BUCKET: LOCAL_NAMES.exportsBucket,
    LAKE_BUCKET: LOCAL_NAMES.lakeBucket,
    TABLE_NAME: LOCAL_NAMES.tableName,
  });
  resetAwsClients();
  if (!(await ensureTable(dynamodbEndpoint))) {
    if (!dynamo) throw new Error(`the table ${LOCAL_NAMES.tableName} at ${dynamodbEndpoint} is not ACTIVE`);
    // A first run killed while dynalite created the table left it CREATING for good (the write
    // that marks it ACTIVE never came), and every read and write of it failed. Nothing can have
    // written to a table being created: its folder goes, and the table is made again.
    const stuck = dynamo;
    await new Promise<void>((resolve) => stuck.close(() => resolve()));
    await rm(dynamoDir, { recursive: true, force: true });
    dynamo = await startDynalite(dynamoDir);
    dynamodbEndpoint = endpointOf(dynamo);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamodbEndpoint;
    resetAwsClients();
    if (!(await ensureTable(dynamodbEndpoint)))
      throw new Error(`the local table ${LOCAL_NAMES.tableName} did not become ACTIVE`);
  }
  if (externalS3) await ensureBuckets();

  return {
    s3Endpoint,
    dynamodbEndpoint,
    takeExportEvents: () => pending.splice(0, pending.length),
    async stop() {
      resetAwsClients();
      await s3?.close();
      if (dynamo) {
        const server = dynamo;
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      for (const key of ENV_KEYS) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    },
  };
}

async function ensureBuckets(): Promise<void> {
  const { s3 } = awsClients();
  for (const bucket of [LOCAL_NAMES.exportsBucket, LOCAL_NAMES.lakeBucket]) {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  }
}

/** The table as infra/ deploys it: PK and SK strings, on-demand (local servers, benchmarks, tests). */
export function tableDefinition(tableName: string) {
  return new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
  });
}

/** The embedded DynamoDB server on a free port, storing under `dir`. */
async function startDynalite(dir: string): Promise<ReturnType<typeof dynalite>> {
  await mkdir(dir, { recursive: true });
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}

function endpointOf(server: ReturnType<typeof dynalite>): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Makes the table when it is missing; false when it exists but does not become ACTIVE (left
 * CREATING by a process killed as it made it).
 */
async function ensureTable(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1' });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: LOCAL_NAMES.tableName }));
    return Table?.TableStatus === 'ACTIVE' || (await localTableActiveWithin(client, 2_000));
  } catch {
    await client.send(tableDefinition(LOCAL_NAMES.tableName));
    // Even with createTableMs 0, dynalite marks a new table ACTIVE a moment after answering, and the
    // SDK's waiter checks again only 20 s later (a first `cval run` in a folder sat out those 20 s
    // about half the time, more on a busy machine): look every 20 ms for two seconds first.
    // External servers (DynamoDB Local, LocalStack) may take longer: then the waiter.
    if (!(await localTableActiveWithin(client, 2_000)))
      await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: LOCAL_NAMES.tableName });
    return true;
  } finally {
    client.destroy();
  }
}

/** Whether the local table is ACTIVE, looked for every 20 ms for up to `ms`. */
export async function localTableActiveWithin(client: DynamoDBClient, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: LOCAL_NAMES.tableName }));
    if (Table?.TableStatus === 'ACTIVE') return true;
    await setTimeout(20);
  }
  return false;
}
