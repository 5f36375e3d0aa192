import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import { ItemStore } from '../../functions/adapters/item-store.ts';
import { LOCAL_NAMES, startLocalStack } from '../../functions/local/local-stack.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'cval-stack-'));
});
afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

/**
 * A first `cval run` killed while dynalite was creating the table: the table is saved as CREATING
 * and the write that marks it ACTIVE, a moment later, never comes (here: a creation that takes a
 * day, and a process that exits at once).
 */
const KILLED_MID_CREATION = `
import dynalite from 'dynalite';
import { DynamoDBClient, CreateTableCommand } from '@aws-sdk/client-dynamodb';
const server = dynalite({ path: process.argv[1], createTableMs: 86_400_000 });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const client = new DynamoDBClient({ endpoint: 'http://127.0.0.1:' + server.address().port, region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
await client.send(new CreateTableCommand({ TableName: process.argv[2], BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }, { AttributeName: 'SK', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }] }));
process.exit(0);
`;

describe('the local servers', () => {
  it('make the table again when a killed first run left it being created, and it takes writes', async () => {
    await run(
      process.execPath,
      ['--input-type=module', '-e', KILLED_MID_CREATION, join(stateDir, 'dynamodb'), LOCAL_NAMES.tableName],
      { cwd: ROOT },
    );
    const stack = await startLocalStack(stateDir);
    try {
      const items = new ItemStore(awsClients().dynamodb, LOCAL_NAMES.tableName);
      await items.put({ PK: 'P', SK: 'S', value: 1 });
      expect(await items.get('P', 'S')).toMatchObject({ value: 1 });
    } finally {
      await stack.stop();
    }
  });
});
