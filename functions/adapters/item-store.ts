import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown> & { PK: string; SK: string };
export type ItemKey = { PK: string; SK: string };
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: ItemKey } };

export interface ItemStoreOptions {
  /** BatchWriteItem calls in flight at most (each 25 items); throttling lowers it for a while. */
  writeConcurrency?: number;
  /** Attempts per batch before the write fails loudly (never silently dropping items). */
  maxAttempts?: number;
  /** Backoff before retry `attempt` (1-based), in ms; tests pass a zero backoff. */
  backoffMs?: (attempt: number) => number;
}

export interface WriteStats {
  batches: number;
  items: number;
  retries: number;
  throttles: number;
}

const BATCH_SIZE = 25;
const DEFAULT_CONCURRENCY = 16;
const DEFAULT_MAX_ATTEMPTS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fullJitter = (attempt: number) => Math.random() * Math.min(5000, 50 * 2 ** attempt);
const isThrottle = (error: unknown) =>
  /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test((error as { name?: string }).name ?? '');

/**
 * The DynamoDB port over the single table. Reads are GetItem and Query only (a Scan's cost grows
 * with the whole table); writes are batched, run concurrently within a bound, retried on
 * throttling and UnprocessedItems with backoff, and never silently dropped.
 */
export class ItemStore {
  readonly writeConcurrency: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    options: ItemStoreOptions = {},
  ) {
    this.writeConcurrency = Math.max(1, Math.floor(options.writeConcurrency ?? DEFAULT_CONCURRENCY));
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.backoffMs = options.backoffMs ?? fullJitter;
  }

  async get(pk: string, sk: string): Promise<Item | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: pk, SK: sk }, ConsistentRead: true }),
    );
    return result.Item as Item | undefined;
  }

  async put(item: Item): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  /**
   * Puts the item only if the condition holds; returns false when it does not. This is how
   * concurrent deliveries of the same event are told apart (DynamoDB Local servers used in local
   * mode have no transactions, so conditions are the tool).
   */
  async putIf(
    item: Item,
    condition: string,
    values: Record<string, unknown> = {},
    names: Record<string, string> = {},
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Items of one partition, optionally those whose sort key starts with a prefix; every page. */
  async query(
    pk: string,
    skPrefix?: string,
    options: { newestFirst?: boolean; limit?: number } = {},
  ): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: skPrefix ? 'PK = :pk AND begins_with(SK, :sk)' : 'PK = :pk',
          ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':sk': skPrefix } : { ':pk': pk },
          ExclusiveStartKey: start,
          ConsistentRead: true,
          ...(options.newestFirst ? { ScanIndexForward: false } : {}),
          ...(options.limit ? { Limit: options.limit - items.length } : {}),
        }),
      );
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start && !(options.limit && items.length >= options.limit));
    return items;
  }

  async putAll(items: Iterable<Item>): Promise<WriteStats> {
    return this.writeAll(mapIterable(items, (Item) => ({ PutRequest: { Item } })));
  }

  async deleteAll(keys: Iterable<ItemKey>): Promise<WriteStats> {
    return this.writeAll(mapIterable(keys, ({ PK, SK }) => ({ DeleteRequest: { Key: { PK, SK } } })));
  }

  /**
   * Writes the requests in 25-item BatchWriteItem calls, at most `writeConcurrency` in flight and
   * fewer while DynamoDB throttles (see SendWindow); UnprocessedItems are re-sent with backoff. The
   * requests are pulled lazily, so a million items never need to be held at once.
   */
  async writeAll(requests: Iterable<WriteRequest>): Promise<WriteStats> {
    const stats: WriteStats = { batches: 0, items: 0, retries: 0, throttles: 0 };
    const sends = new SendWindow(this.writeConcurrency);
    const batches = batchesOf(requests)[Symbol.iterator]();
    let failure: unknown;
    // Up to writeConcurrency workers, each taking the next batch when its last one is written;
    // every attempt also waits for a place in the send window, which throttling narrows.
    const worker = async () => {
      for (let next = batches.next(); !next.done && failure === undefined; next = batches.next()) {
        try {
          await this.writeBatch(next.value, stats, sends);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: this.writeConcurrency }, worker));
    if (failure !== undefined) throw failure;
    return stats;
  }

  private async writeBatch(batch: WriteRequest[], stats: WriteStats, sends: SendWindow): Promise<void> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      await sends.acquire();
      let throttled = false;
      try {
        const result = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        stats.batches += 1;
        const unprocessed = (result.UnprocessedItems?.[this.tableName] ?? []) as WriteRequest[];
        stats.items += pending.length - unprocessed.length;
        pending = requestsOfKeys(pending, unprocessed);
        // Unprocessed items are DynamoDB's way of throttling part of a batch.
        throttled = pending.length > 0;
      } catch (error) {
        if (!isThrottle(error)) {
          sends.release(false);
          throw error;
        }
        throttled = true;
      }
      if (throttled) stats.throttles += 1;
      sends.release(throttled);
      if (pending.length === 0) return;
      if (attempt >= this.maxAttempts) {
        throw new Error(
          `DynamoDB kept ${pending.length} item(s) unprocessed after ${this.maxAttempts} attempts`,
        );
      }
      stats.retries += 1;
      await sleep(this.backoffMs(attempt));
    }
  }
}

/**
 * The requests as the caller gave them, for the keys DynamoDB left unprocessed. The document
 * client hands UnprocessedItems back read as JavaScript values, so a number longer than a double
 * (a NumberValue) would be re-sent rounded; a batch holds each key once, so the key finds it.
 */
function requestsOfKeys(requests: WriteRequest[], unprocessed: WriteRequest[]): WriteRequest[] {
  if (unprocessed.length === 0) return [];
  const byKey = new Map(requests.map((request) => [keyOf(request), request]));
  return unprocessed.map((request) => byKey.get(keyOf(request)) ?? request);
}

function keyOf(request: WriteRequest): string {
  const { PK, SK } = 'PutRequest' in request ? request.PutRequest.Item : request.DeleteRequest.Key;
  return `${PK}\u0000${SK}`;
}

/**
 * How many calls may be in flight: throttling halves it (down to one) and each success adds one
 * back up to the maximum, the additive-increase/multiplicative-decrease that TCP uses, so a table
 * at its write limit is approached instead of hammered. No library found does this for
 * BatchWriteItem (the SDK's adaptive retry mode limits a client's request rate, not a pool).
 */
class SendWindow {
  private allowed: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly maximum: number) {
    this.allowed = maximum;
  }

  async acquire(): Promise<void> {
    if (this.inFlight < this.allowed) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(throttled: boolean): void {
    this.inFlight -= 1;
    this.allowed = throttled
      ? Math.max(1, Math.floor(this.allowed / 2))
      : Math.min(this.maximum, this.allowed + 1);
    while (this.waiting.length > 0 && this.inFlight < this.allowed) {
      this.inFlight += 1;
      this.waiting.shift()?.();
    }
  }
}

function* mapIterable<T, U>(source: Iterable<T>, map: (value: T) => U): Generator<U> {
  for (const value of source) yield map(value);
}

/**
 * Requests in groups of 25. A BatchWriteItem may not name one key twice, so a later request for a
 * key already in the group takes the earlier one's place. Batches run concurrently, so callers
 * must not write one key twice in one call beyond that (none does: each key is one row).
 */
function* batchesOf(requests: Iterable<WriteRequest>): Generator<WriteRequest[]> {
  let batch: WriteRequest[] = [];
  let positions = new Map<string, number>();
  for (const request of requests) {
    const id = keyOf(request);
    const earlier = positions.get(id);
    if (earlier !== undefined) {
      batch[earlier] = request;
      continue;
    }
    if (batch.length === BATCH_SIZE) {
      yield batch;
      batch = [];
      positions = new Map();
    }
    positions.set(id, batch.length);
    batch.push(request);
  }
  if (batch.length > 0) yield batch;
}
