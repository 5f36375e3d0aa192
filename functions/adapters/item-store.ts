import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown> & { PK: string; SK: string };

const MAX_ATTEMPTS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The DynamoDB port over the single table: batched, retried, never silently dropping an item. */
export class ItemStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(pk: string, sk: string): Promise<Item | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: pk, SK: sk } }),
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

  async query(pk: string, skPrefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: skPrefix ? 'PK = :pk AND begins_with(SK, :sk)' : 'PK = :pk',
          ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':sk': skPrefix } : { ':pk': pk },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Every item whose partition key starts with the prefix; used for small registries only. */
  async scanPrefix(pkPrefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(PK, :prefix)',
          ExpressionAttributeValues: { ':prefix': pkPrefix },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async scanAll(): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start }),
      );
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Writes in batches of 25, re-sending UnprocessedItems with exponential backoff. */
  async putAll(items: readonly Item[]): Promise<void> {
    await this.writeAll(items.map((Item) => ({ PutRequest: { Item } })));
  }

  /** Deletes items by key, in batches like putAll. */
  async deleteAll(keys: readonly { PK: string; SK: string }[]): Promise<void> {
    await this.writeAll(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }

  private async writeAll(
    requests: readonly (
      | { PutRequest: { Item: Item } }
      | { DeleteRequest: { Key: { PK: string; SK: string } } }
    )[],
  ): Promise<void> {
    for (let start = 0; start < requests.length; start += 25) {
      let pending = requests.slice(start, start + 25);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS) {
          throw new Error(
            `DynamoDB kept ${pending.length} item(s) unprocessed after ${MAX_ATTEMPTS} attempts`,
          );
        }
        try {
          const result = await this.client.send(
            new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
          );
          pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
        } catch (error) {
          const name = (error as { name?: string }).name ?? '';
          if (!/Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name)) throw error;
        }
        if (pending.length > 0) await sleep(Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
      }
    }
  }
}
