import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, NumberValue } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Item, ItemStore, type WriteRequest } from '../../functions/adapters/item-store.ts';

type Behaviour = 'throttle' | 'half' | 'ok' | 'fail';

/**
 * A DynamoDB that throttles and leaves items unprocessed, as it does under load, and records how
 * many BatchWriteItem calls were in flight at once. Calls resolve on a later tick, so concurrent
 * calls overlap as they would over a network.
 */
function fakeDynamo(behaviourOf: (call: number) => Behaviour) {
  const written: Item[] = [];
  const deleted: string[] = [];
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const batchSizes: number[] = [];
  const inFlightAt: number[] = [];
  const client = {
    send: async (command: { input: { RequestItems: Record<string, WriteRequest[]> } }) => {
      const behaviour = behaviourOf(calls++);
      inFlight += 1;
      inFlightAt.push(inFlight);
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        const requests = Object.values(command.input.RequestItems)[0] ?? [];
        batchSizes.push(requests.length);
        const keys = requests.map((r) => ('PutRequest' in r ? r.PutRequest.Item : r.DeleteRequest.Key));
        if (new Set(keys.map((k) => `${k.PK}|${k.SK}`)).size !== keys.length)
          throw Object.assign(new Error('duplicate key in batch'), { name: 'ValidationException' });
        if (behaviour === 'throttle')
          throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
        if (behaviour === 'fail') throw Object.assign(new Error('bad'), { name: 'ValidationException' });
        const keep = behaviour === 'half' ? Math.ceil(requests.length / 2) : requests.length;
        for (const r of requests.slice(0, keep)) {
          if ('PutRequest' in r) written.push(r.PutRequest.Item);
          else deleted.push(r.DeleteRequest.Key.PK);
        }
        return { UnprocessedItems: keep < requests.length ? { t: requests.slice(keep) } : {} };
      } finally {
        inFlight -= 1;
      }
    },
  };
  return {
    client: client as unknown as DynamoDBDocumentClient,
    written,
    deleted,
    batchSizes,
    inFlightAt,
    calls: () => calls,
    maxInFlight: () => maxInFlight,
  };
}

const items = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ PK: `P#${i}`, SK: 'S' }));
const noWait = { backoffMs: () => 0 };

describe('ItemStore.putAll', () => {
  it('writes every item in batches of at most 25 with at most writeConcurrency calls in flight', async () => {
    const fake = fakeDynamo(() => 'ok');
    const stats = await new ItemStore(fake.client, 't', { writeConcurrency: 4, ...noWait }).putAll(
      items(1000),
    );
    expect(fake.written.map((i) => i.PK).sort()).toEqual(
      items(1000)
        .map((i) => i.PK)
        .sort(),
    );
    expect(fake.batchSizes.every((size) => size <= 25)).toBe(true);
    expect(stats).toMatchObject({ batches: 40, items: 1000, retries: 0 });
    expect(fake.maxInFlight()).toBe(4);
  });

  it('retries throttling and unprocessed items until every item is written', async () => {
    const script: Behaviour[] = ['throttle', 'half', 'half', 'ok'];
    const fake = fakeDynamo((call) => script[call] ?? 'ok');
    const stats = await new ItemStore(fake.client, 't', { writeConcurrency: 1, ...noWait }).putAll(items(60));
    expect(fake.written.map((i) => i.PK).sort()).toEqual(
      items(60)
        .map((i) => i.PK)
        .sort(),
    );
    expect(stats.items).toBe(60);
    expect(stats.throttles).toBeGreaterThanOrEqual(3);
  });

  it('backs off to fewer calls in flight while DynamoDB throttles', async () => {
    // Every call throttles once at first: the calls in flight fall from 16 toward 1.
    const fake = fakeDynamo((call) => (call < 40 ? 'throttle' : 'ok'));
    const store = new ItemStore(fake.client, 't', { writeConcurrency: 16, ...noWait });
    const stats = await store.putAll(items(2000));
    expect(stats.items).toBe(2000);
    expect(stats.throttles).toBe(40);
    expect(fake.written).toHaveLength(2000);
    expect(fake.maxInFlight()).toBe(16);
    // Right after the burst only a few calls are in flight, then successes add them back.
    expect(Math.max(...fake.inFlightAt.slice(40, 46))).toBeLessThanOrEqual(4);
    expect(Math.max(...fake.inFlightAt.slice(-20))).toBeGreaterThan(4);
  });

  it('fails loudly instead of dropping items when DynamoDB never accepts them', async () => {
    const fake = fakeDynamo(() => 'throttle');
    await expect(
      new ItemStore(fake.client, 't', { maxAttempts: 5, ...noWait }).putAll(items(3)),
    ).rejects.toThrow(/3 item\(s\) unprocessed after 5 attempts/);
  });

  it('does not retry errors that are not throttling, and stops taking new batches', async () => {
    const fake = fakeDynamo((call) => (call === 0 ? 'fail' : 'ok'));
    await expect(
      new ItemStore(fake.client, 't', { writeConcurrency: 2, ...noWait }).putAll(items(1000)),
    ).rejects.toThrow('bad');
    expect(fake.calls()).toBeLessThan(40);
  });

  it('pulls items lazily: a generator of a million items is never held at once', async () => {
    const fake = fakeDynamo(() => 'ok');
    let produced = 0;
    let maxAhead = 0;
    function* lazy(): Generator<Item> {
      for (let i = 0; i < 5000; i++) {
        produced += 1;
        maxAhead = Math.max(maxAhead, produced - fake.written.length);
        yield { PK: `P#${i}`, SK: 'S' };
      }
    }
    await new ItemStore(fake.client, 't', { writeConcurrency: 4, ...noWait }).putAll(lazy());
    expect(fake.written).toHaveLength(5000);
    // At most the batches in flight, the one being filled and the item that closed it.
    expect(maxAhead).toBeLessThanOrEqual(25 * 5 + 1);
  });

  it('property: whatever the throttling, every put and delete lands exactly once per key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Behaviour>('ok', 'half', 'throttle'), { maxLength: 30 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 8 }),
        async (script, count, concurrency) => {
          const fake = fakeDynamo((call) => script[call] ?? 'ok');
          const store = new ItemStore(fake.client, 't', {
            writeConcurrency: concurrency,
            maxAttempts: 40,
            ...noWait,
          });
          await store.putAll(items(count));
          await store.deleteAll(items(count).map(({ PK, SK }) => ({ PK, SK })));
          expect(fake.written.map((i) => i.PK).sort()).toEqual(
            items(count)
              .map((i) => i.PK)
              .sort(),
          );
          expect(fake.deleted.sort()).toEqual(
            items(count)
              .map((i) => i.PK)
              .sort(),
          );
        },
      ),
      { numRuns: 60, seed: 15 },
    );
  });

  it('a key written twice in one call is sent once (BatchWriteItem refuses duplicates), the later value', async () => {
    const fake = fakeDynamo(() => 'ok');
    await new ItemStore(fake.client, 't', noWait).putAll([
      { PK: 'A', SK: 'S', v: 1 },
      { PK: 'B', SK: 'S' },
      { PK: 'A', SK: 'S', v: 2 },
    ]);
    expect(fake.written).toEqual([
      { PK: 'A', SK: 'S', v: 2 },
      { PK: 'B', SK: 'S' },
    ]);
  });
});

describe('ItemStore re-sending unprocessed items through the real document client', () => {
  it('re-sends the items as they were given, not as the document client read them back', async () => {
    // A wire that answers the first BatchWriteItem with every item unprocessed, as DynamoDB does
    // under load, and records the JSON each call carries.
    const sent: unknown[] = [];
    const raw = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://dynamodb.invalid',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      requestHandler: {
        handle: async (request: { body: Uint8Array }) => {
          const requests = JSON.parse(new TextDecoder().decode(request.body)).RequestItems.t;
          sent.push(requests);
          const unprocessed = sent.length === 1 ? { t: requests } : {};
          const body = Buffer.from(JSON.stringify({ UnprocessedItems: unprocessed }));
          return { response: { statusCode: 200, headers: {}, body } };
        },
      },
    });
    const client = DynamoDBDocumentClient.from(raw);
    // A decimal longer than a double holds, which the document client reads back as a double.
    const item = { PK: 'P', SK: 'S', exact: NumberValue.from('1234567890123.456789') };
    const stats = await new ItemStore(client, 't', noWait).putAll([item]);
    expect(stats.items).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[1]).toEqual([
      {
        PutRequest: {
          Item: { PK: { S: 'P' }, SK: { S: 'S' }, exact: { N: '1234567890123.456789' } },
        },
      },
    ]);
  });
});
