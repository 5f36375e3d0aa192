import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { type Item, ItemStore } from '../../functions/adapters/item-store.ts';

/** A DynamoDB that throttles and leaves items unprocessed, as it does under load. */
function flakyClient(script: Array<'throttle' | 'half' | 'ok'>) {
  const written: Item[] = [];
  let call = 0;
  const client = {
    send: async (command: {
      input: { RequestItems: Record<string, Array<{ PutRequest: { Item: Item } }>> };
    }) => {
      const behaviour = script[call++] ?? 'ok';
      const requests = Object.values(command.input.RequestItems)[0] ?? [];
      if (behaviour === 'throttle') {
        throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
      }
      const keep = behaviour === 'half' ? Math.ceil(requests.length / 2) : requests.length;
      written.push(...requests.slice(0, keep).map((r) => r.PutRequest.Item));
      return { UnprocessedItems: keep < requests.length ? { t: requests.slice(keep) } : {} };
    },
  };
  return { client: client as unknown as DynamoDBDocumentClient, written, calls: () => call };
}

const items = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ PK: `P#${i}`, SK: 'S' }));

describe('ItemStore.putAll', () => {
  it('retries throttling and unprocessed items until every item is written, in batches of 25', async () => {
    const fake = flakyClient(['throttle', 'half', 'half', 'ok']);
    await new ItemStore(fake.client, 't').putAll(items(60));
    expect(fake.written.map((i) => i.PK).sort()).toEqual(
      items(60)
        .map((i) => i.PK)
        .sort(),
    );
    expect(fake.calls()).toBeGreaterThanOrEqual(5);
  });

  it('fails loudly instead of dropping items when DynamoDB never accepts them', async () => {
    const fake = flakyClient(Array(20).fill('throttle'));
    await expect(new ItemStore(fake.client, 't').putAll(items(3))).rejects.toThrow(
      /unprocessed after 8 attempts/,
    );
  }, 30_000);

  it('does not retry errors that are not throttling', async () => {
    const client = {
      send: async () => Promise.reject(Object.assign(new Error('bad'), { name: 'ValidationException' })),
    };
    await expect(
      new ItemStore(client as unknown as DynamoDBDocumentClient, 't').putAll(items(1)),
    ).rejects.toThrow('bad');
  });
});
