import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/adapters/aws-clients.ts';
import { ObjectStore } from '../../functions/adapters/object-store.ts';
import { LOCAL_NAMES } from '../../functions/local/local-stack.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

describe('ObjectStore.openUpload: an object written as a stream', () => {
  let env: LocalEnv;
  let lake: ObjectStore;
  beforeAll(async () => {
    env = await startLocalEnv();
    lake = new ObjectStore(awsClients().s3, LOCAL_NAMES.lakeBucket);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('writes a body larger than a part in pieces, and a small one in one put', async () => {
    const piece = new Uint8Array(256 * 1024).map((_, i) => i % 251);
    const upload = lake.openUpload('quarantine/test/big.csv', 'text/csv; charset=utf-8');
    for (let i = 0; i < 25; i++) await upload.write(piece); // 6.25 MB: two parts
    await upload.end();
    const big = await lake.getBytes('quarantine/test/big.csv');
    expect(big.length).toBe(25 * piece.length);
    expect(Buffer.from(big.subarray(24 * piece.length)).equals(Buffer.from(piece))).toBe(true);

    const small = lake.openUpload('quarantine/test/small.csv', 'text/csv; charset=utf-8');
    await small.write(Buffer.from('line,column,reason\r\n'));
    await small.end();
    expect(await lake.getText('quarantine/test/small.csv')).toBe('line,column,reason\r\n');
  });

  it('leaves nothing when aborted', async () => {
    const upload = lake.openUpload('quarantine/test/aborted.csv', 'text/csv; charset=utf-8');
    await upload.write(Buffer.from('partial'));
    await upload.abort();
    expect(await lake.getText('quarantine/test/aborted.csv')).toBeNull();
  });
});
