import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('ObjectStore.firstBytes', () => {
  it('reads only the first bytes, and all of a shorter object', async () => {
    const exports = env.ports().exports;
    await env.upload('transactions/first-bytes.csv', 'order_id,customer_id\n');
    await env.upload('transactions/short.csv', 'o');
    expect(new TextDecoder().decode(await exports.firstBytes('transactions/first-bytes.csv', 5))).toBe(
      'order',
    );
    expect(new TextDecoder().decode(await exports.firstBytes('transactions/short.csv', 2))).toBe('o');
  });
});
