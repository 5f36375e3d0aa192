import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import { LOCAL_NAMES } from '../../functions/local/local-stack.ts';
import { syncExports } from '../../functions/local/sync-exports.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
let dir: string;
beforeAll(async () => {
  env = await startLocalEnv();
  dir = await mkdtemp(join(tmpdir(), 'cval-sync-'));
  await mkdir(join(dir, 'transactions'), { recursive: true });
  await writeFile(join(dir, 'transactions', '...csv'), 'order_id,customer_id,order_date,revenue\n');
  await writeFile(join(dir, 'transactions', '.DS_Store'), 'x');
  await writeFile(join(dir, 'transactions', '.~lock.orders.csv#'), 'x');
});
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mirroring a folder into the exports bucket', () => {
  it('uploads a file whose name starts with dots when it is an export, and says why it skips the rest', async () => {
    const result = await syncExports(awsClients().s3, LOCAL_NAMES.exportsBucket, dir);
    expect(result.uploaded).toEqual(['transactions/...csv']);
    expect(result.skipped).toEqual([
      {
        file: 'transactions/.DS_Store',
        reason: 'hidden file that is not an export (.csv, .csv.gz, .manifest.json)',
      },
      {
        file: 'transactions/.~lock.orders.csv#',
        reason: 'hidden file that is not an export (.csv, .csv.gz, .manifest.json)',
      },
    ]);
    expect(await env.ports().exports.list('')).toEqual(['transactions/...csv']);
  });
});
