import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DynamoDbProxy,
  itemSize,
  RESET_PATH,
  STATS_PATH,
  startDynamoDbProxy,
} from '../../bench/support/dynamodb-proxy.ts';
import { tableDefinition } from '../../functions/local/local-stack.ts';

const TABLE = 'bench-table';
const LATENCY = 7;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const client = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
const put = (i: number, sk = 'LATEST') => ({
  PutRequest: { Item: { PK: { S: `CUSTOMER#${i}` }, SK: { S: sk }, revenue: { N: String(100 + i) } } },
});

describe('the counting DynamoDB proxy', () => {
  const server = dynalite({ createTableMs: 0 });
  let proxy: DynamoDbProxy;
  let db: DynamoDBClient;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    proxy = await startDynamoDbProxy({ target, latencyMs: LATENCY });
    db = client(proxy.endpoint);
    await db.send(tableDefinition(TABLE));
  });

  afterAll(async () => {
    db.destroy();
    await proxy.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('counts requests by operation, items written and read, capacity units and the latency it added', async () => {
    proxy.reset();
    // 60 items as 25 + 25 + 10, then one more put of an existing key, and a delete.
    for (let start = 0; start < 60; start += 25) {
      const requests = Array.from({ length: Math.min(25, 60 - start) }, (_, i) => put(start + i));
      await db.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
    }
    await db.send(new PutItemCommand({ TableName: TABLE, Item: put(0).PutRequest.Item }));
    await db.send(
      new DeleteItemCommand({ TableName: TABLE, Key: { PK: { S: 'CUSTOMER#59' }, SK: { S: 'LATEST' } } }),
    );
    const found = await db.send(
      new GetItemCommand({ TableName: TABLE, Key: { PK: { S: 'CUSTOMER#1' }, SK: { S: 'LATEST' } } }),
    );
    await db.send(
      new GetItemCommand({ TableName: TABLE, Key: { PK: { S: 'CUSTOMER#59' }, SK: { S: 'LATEST' } } }),
    );
    await db.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'CUSTOMER#2' } },
      }),
    );
    // A filtered Scan examines every item and returns the matching ones.
    await db.send(
      new ScanCommand({
        TableName: TABLE,
        FilterExpression: 'begins_with(PK, :p)',
        ExpressionAttributeValues: { ':p': { S: 'CUSTOMER#1' } },
      }),
    );

    const stats = proxy.stats();
    expect(found.Item?.revenue).toEqual({ N: '101' });
    expect(Object.fromEntries(Object.entries(stats.operations).map(([op, o]) => [op, o.requests]))).toEqual({
      BatchWriteItem: 3,
      PutItem: 1,
      DeleteItem: 1,
      GetItem: 2,
      Query: 1,
      Scan: 1,
    });
    expect(stats.requests).toBe(9);
    expect(stats.writeRequests).toBe(5);
    expect(stats.itemsWritten).toBe(62);
    expect(stats.operations.BatchWriteItem?.itemsWritten).toBe(60);
    expect(stats.operations.DeleteItem?.itemsDeleted).toBe(1);
    // GetItem 1 (one miss), Query 1, Scan: CUSTOMER#1 and #10-#19 of the 59 left.
    expect(stats.operations.Scan).toMatchObject({ itemsReturned: 11, itemsScanned: 59 });
    expect(stats.itemsRead).toBe(1 + 1 + 11);
    expect(stats.itemsScanned).toBe(1 + 1 + 59);
    // Small items: one write unit each; the read units as the server computed them.
    expect(stats.writeUnits).toBe(62);
    expect(stats.readUnits).toBeGreaterThan(0);
    expect(stats.tableItems).toBe(59);
    expect(stats.addedDelayMs).toBe(9 * LATENCY);
    expect(stats.errors).toEqual({});
    // The write requests' busy time lies within their first-to-last span, the batches' span too.
    expect(stats.writeBusyMs).toBeGreaterThan(0);
    expect(stats.writeBusyMs).toBeLessThanOrEqual(stats.writeWindowMs + 1e-9);
    expect(stats.operations.BatchWriteItem?.spanMs).toBeLessThanOrEqual(stats.writeWindowMs + 1e-9);
  });

  it('serves its counts over HTTP, resets them, and answers callers as the server did', async () => {
    await db.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: [put(100)] } }));
    await fetch(`${proxy.endpoint}${RESET_PATH}`, { method: 'POST' });
    const asked = await db.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { PK: { S: 'CUSTOMER#100' }, SK: { S: 'LATEST' } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const unasked = await db.send(
      new GetItemCommand({ TableName: TABLE, Key: { PK: { S: 'CUSTOMER#100' }, SK: { S: 'LATEST' } } }),
    );
    expect(asked.ConsumedCapacity?.CapacityUnits).toBe(0.5);
    expect(unasked.ConsumedCapacity).toBeUndefined();
    expect(unasked.Item?.PK).toEqual({ S: 'CUSTOMER#100' });
    const stats = (await (await fetch(`${proxy.endpoint}${STATS_PATH}`)).json()) as ReturnType<
      DynamoDbProxy['stats']
    >;
    expect(stats.requests).toBe(2);
    expect(stats.itemsRead).toBe(2);
    expect(stats.readUnits).toBe(1);
    expect(stats.addedDelayMs).toBe(2 * LATENCY);
    expect(stats.tableItems).toBe(60);
  });

  it('counts a failed request as an error, not as items', async () => {
    proxy.reset();
    await expect(
      db.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: put(100).PutRequest.Item,
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    ).rejects.toThrow();
    expect(proxy.stats()).toMatchObject({
      requests: 1,
      itemsWritten: 0,
      errors: { ConditionalCheckFailedException: 1 },
    });
  });
});

describe('the proxy with a server that leaves items unprocessed', () => {
  it('counts only the items the server accepted', async () => {
    // Accepts the first item of every batch and hands the rest back.
    const fake = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          RequestItems: Record<string, unknown[]>;
        };
        const [table, requests] = Object.entries(body.RequestItems)[0] as [string, unknown[]];
        const rest = requests.slice(1);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            UnprocessedItems: rest.length ? { [table]: rest } : {},
            ConsumedCapacity: [{ TableName: table, CapacityUnits: 1 }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', () => resolve()));
    const proxy = await startDynamoDbProxy({
      target: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
      latencyMs: 0,
    });
    const db = client(proxy.endpoint);
    try {
      const result = await db.send(
        new BatchWriteItemCommand({ RequestItems: { [TABLE]: [put(1), put(2), put(3)] } }),
      );
      expect(result.UnprocessedItems?.[TABLE]).toHaveLength(2);
      const stats = proxy.stats();
      expect(stats.itemsWritten).toBe(1);
      expect(stats.operations.BatchWriteItem).toMatchObject({ unprocessed: 2, writeUnits: 1 });
      expect(stats.tableItems).toBe(1);
      expect(stats.addedDelayMs).toBe(0);
    } finally {
      db.destroy();
      await proxy.close();
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
  });
});

describe('itemSize', () => {
  it('is attribute names plus values, as DynamoDB sizes them', () => {
    // 'PK' 2 + 'ab' 2; 'n' 1 + 123 (1 + two bytes for three digits) 3; 'b' 1 + true 1.
    expect(itemSize({ PK: { S: 'ab' }, n: { N: '123' }, b: { BOOL: true } })).toBe(10);
    // UTF-8 bytes, not characters; a list is 3 + 1 per element + the elements.
    expect(itemSize({ s: { S: '企业' }, l: { L: [{ S: 'x' }, { N: '5' }] } })).toBe(1 + 6 + 1 + 3 + 2 + 3);
  });
});

describe('the proxy writing behind', () => {
  it('acknowledges unconditional writes at once, applies them before any read, and counts as the server would', async () => {
    const server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const proxy = await startDynamoDbProxy({ target, latencyMs: LATENCY, writeBehind: true });
    const db = client(proxy.endpoint);
    try {
      await db.send(tableDefinition(TABLE));
      proxy.reset();
      const big = { ...put(7).PutRequest.Item, note: { S: 'x'.repeat(1500) } };
      const acknowledged = await Promise.all([
        db.send(
          new BatchWriteItemCommand({
            RequestItems: { [TABLE]: Array.from({ length: 25 }, (_, i) => put(i)) },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
        db.send(new PutItemCommand({ TableName: TABLE, Item: big })),
      ]);
      expect(acknowledged[0].UnprocessedItems).toEqual({});
      // Overwriting a 2 KB item with a small one still bills the larger: 2 units.
      await db.send(new PutItemCommand({ TableName: TABLE, Item: put(7).PutRequest.Item }));
      await db.send(
        new DeleteItemCommand({ TableName: TABLE, Key: { PK: { S: 'CUSTOMER#0' }, SK: { S: 'LATEST' } } }),
      );
      // A read waits for the writes acknowledged before it.
      const scan = await db.send(new ScanCommand({ TableName: TABLE }));
      expect(scan.Count).toBe(24);
      const seven = await db.send(
        new GetItemCommand({ TableName: TABLE, Key: { PK: { S: 'CUSTOMER#7' }, SK: { S: 'LATEST' } } }),
      );
      expect(seven.Item?.note).toBeUndefined();
      // A conditional write goes through the server, which answers it.
      await expect(
        db.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: put(1).PutRequest.Item,
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      ).rejects.toThrow();
      await proxy.settled();
      const stats = proxy.stats();
      expect(Object.fromEntries(Object.entries(stats.operations).map(([op, o]) => [op, o.requests]))).toEqual(
        {
          BatchWriteItem: 1,
          PutItem: 3,
          DeleteItem: 1,
          Scan: 1,
          GetItem: 1,
        },
      );
      expect(stats.itemsWritten).toBe(25 + 2 + 1);
      // Small items: a unit each; the 1.5 KB put and the put over it: two units each.
      expect(stats.operations.BatchWriteItem?.writeUnits).toBe(25);
      expect(stats.operations.PutItem?.writeUnits).toBe(2 + 2);
      expect(stats.operations.DeleteItem?.writeUnits).toBe(1);
      expect(stats.errors).toEqual({ ConditionalCheckFailedException: 1 });
      expect(stats.tableItems).toBe(24);
      expect(stats.addedDelayMs).toBe(7 * LATENCY);
      expect(stats.behindMs).toBeGreaterThan(0);
    } finally {
      db.destroy();
      await proxy.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
