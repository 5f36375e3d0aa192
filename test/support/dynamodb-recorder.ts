import { awsClients } from '../../functions/adapters/aws-clients.ts';

export interface DynamodbRecord {
  /** Calls by operation (ScanCommand, QueryCommand, GetCommand, BatchWriteCommand, ...). */
  calls: Map<string, number>;
  /** Items returned by reads (Query and Scan counts, a found GetItem). */
  itemsRead: number;
  reset(): void;
}

/**
 * Records every DynamoDB call the handlers make through the shared client (the document client
 * shares the client's middleware stack), so a test can assert what a run reads and that no code
 * path scans the table.
 */
export function recordDynamodb(): DynamodbRecord {
  const record: DynamodbRecord = {
    calls: new Map(),
    itemsRead: 0,
    reset() {
      record.calls.clear();
      record.itemsRead = 0;
    },
  };
  awsClients().dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown');
      record.calls.set(name, (record.calls.get(name) ?? 0) + 1);
      const result = await next(args);
      const output = result.output as { Count?: number; Item?: unknown };
      if (typeof output.Count === 'number') record.itemsRead += output.Count;
      else if (output.Item) record.itemsRead += 1;
      return result;
    },
    { step: 'initialize', name: 'testRecorder', override: true },
  );
  return record;
}
