import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseConfig } from '../../core/config.ts';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import { ItemStore } from '../../functions/adapters/item-store.ts';
import { ObjectStore } from '../../functions/adapters/object-store.ts';
import type { IngestPorts } from '../../functions/ingest/ingest-export.ts';
import { LOCAL_NAMES, type LocalStack, startLocalStack } from '../../functions/local/local-stack.ts';

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

export async function startLocalEnv(): Promise<LocalEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'cval-test-'));
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
