import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';

/**
 * A counting proxy in front of a DynamoDB-compatible server (dynalite), for benchmarks of the cloud
 * path: every request is held for the configured latency, then forwarded unchanged except that it
 * asks for its consumed capacity (`ReturnConsumedCapacity: TOTAL`, which the server computes as
 * DynamoDB does; the field is taken out of the response again when the caller did not ask for it).
 *
 * It counts, from the request and response bodies alone (never from timings):
 * - requests by operation (`X-Amz-Target`), and errors by type;
 * - items written (PutRequest/DeleteRequest of BatchWriteItem less its UnprocessedItems, PutItem,
 *   DeleteItem, UpdateItem) and the write units they consumed;
 * - items read (Count and ScannedCount of Query/Scan, an Item of GetItem, the Responses of
 *   BatchGetItem) and the read units they consumed;
 * - the table's items and their bytes (DynamoDB's item size), kept from every successful write, so
 *   the storage after a run is known without scanning the table (exact when every write went
 *   through the proxy; UpdateItem is counted but leaves the size as it was).
 * Timings are recorded beside the counts: the first and last write request (the write window), the
 * time spent waiting on the server, and the delay the proxy itself added (latency x requests).
 */

export interface OperationStats {
  requests: number;
  errors: number;
  itemsWritten: number;
  itemsDeleted: number;
  unprocessed: number;
  itemsReturned: number;
  itemsScanned: number;
  writeUnits: number;
  readUnits: number;
  /** Time waiting on the server, summed over the operation's requests. */
  serverMs: number;
  /** From the operation's first request's arrival to its last response, in ms (0 for one request). */
  spanMs: number;
}

export interface ProxyStats {
  requests: number;
  operations: Record<string, OperationStats>;
  errors: Record<string, number>;
  /** Items put or deleted (accepted by the server). */
  itemsWritten: number;
  /** Items returned by reads, and items the reads examined (ScannedCount; GetItem's = returned). */
  itemsRead: number;
  itemsScanned: number;
  writeUnits: number;
  readUnits: number;
  /** Write requests (BatchWriteItem, PutItem, DeleteItem, UpdateItem) and their window. */
  writeRequests: number;
  /** From the first write request's arrival to the last write response, in ms; 0 without writes. */
  writeWindowMs: number;
  /** The time at least one write request was in flight (arrival to response), in ms. */
  writeBusyMs: number;
  /** The latency the proxy added: configured delay x requests (not measured: always exact). */
  addedDelayMs: number;
  /** The largest number of requests in flight at once. */
  peakInFlight: number;
  /** The table as the proxy saw it written: items and DynamoDB item bytes, at the time of the call. */
  tableItems: number;
  tableBytes: number;
  /** Write-behind: the server's time applying the acknowledged writes (in the background). */
  behindMs: number;
}

export interface DynamoDbProxy {
  endpoint: string;
  port: number;
  /** The counts since the last reset (the table's items and bytes are never reset). */
  stats(): ProxyStats;
  /** Resolves once every write acknowledged ahead of the server is applied (write-behind). */
  settled(): Promise<void>;
  reset(): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** The server behind, e.g. http://127.0.0.1:4567. */
  target: string;
  latencyMs?: number;
  port?: number;
  /** Ask the server for consumed capacity on every request (default true). */
  consumedCapacity?: boolean;
  /**
   * Answer unconditional writes (BatchWriteItem; PutItem and DeleteItem without a condition) after
   * the latency, as a server with no time of its own would, and apply them to the server behind in
   * the background, in order; every other request waits until they are applied, so readers still
   * see every write. Takes the local server's own time off the write path (default false).
   */
  writeBehind?: boolean;
}

const WRITE_OPERATIONS = new Set(['BatchWriteItem', 'PutItem', 'DeleteItem', 'UpdateItem']);

/** Control paths served by the proxy itself (a DynamoDB request is a POST to /). */
export const STATS_PATH = '/__proxy/stats';
export const RESET_PATH = '/__proxy/reset';

type Json = Record<string, unknown>;
type AttributeValue = Record<string, unknown>;

const emptyOperation = (): OperationStats => ({
  requests: 0,
  errors: 0,
  itemsWritten: 0,
  itemsDeleted: 0,
  unprocessed: 0,
  itemsReturned: 0,
  itemsScanned: 0,
  writeUnits: 0,
  readUnits: 0,
  serverMs: 0,
  spanMs: 0,
});

/** DynamoDB's size of a number: 1 byte per two significant digits, plus 1. */
function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  if (significant.length === 0) return 1;
  return 1 + Math.ceil(significant.length / 2) + (text.startsWith('-') ? 1 : 0);
}

function valueSize(value: AttributeValue): number {
  const [type, raw] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(raw as string);
    case 'N':
      return numberSize(raw as string);
    case 'B':
      return Buffer.from(raw as string, 'base64').length;
    case 'SS':
      return (raw as string[]).reduce((sum, s) => sum + Buffer.byteLength(s), 0);
    case 'NS':
      return (raw as string[]).reduce((sum, n) => sum + numberSize(n), 0);
    case 'BS':
      return (raw as string[]).reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
    case 'L':
      return 3 + (raw as AttributeValue[]).reduce((sum, v) => sum + 1 + valueSize(v), 0);
    case 'M':
      return 3 + Object.keys(raw as Json).length + itemSize(raw as Record<string, AttributeValue>);
    default:
      return 1;
  }
}

/** An item's size as DynamoDB bills it: attribute names plus values, in bytes. */
export function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

/** A key's identity for the table map: the values of its key attributes, in name order. */
function keyOf(tableName: string, key: Record<string, AttributeValue>, keyNames: readonly string[]): string {
  return `${tableName}\u0000${keyNames.map((name) => JSON.stringify(key[name] ?? null)).join('\u0000')}`;
}

const capacityUnits = (consumed: unknown): number => {
  if (Array.isArray(consumed)) return consumed.reduce((sum: number, c) => sum + capacityUnits(c), 0);
  if (consumed && typeof consumed === 'object') return Number((consumed as Json).CapacityUnits ?? 0);
  return 0;
};

export async function startDynamoDbProxy(options: ProxyOptions): Promise<DynamoDbProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const askCapacity = options.consumedCapacity ?? true;
  let latencyMs = options.latencyMs ?? 10;

  // The table as written through the proxy: key -> item bytes. Key attribute names come from the
  // tables' CreateTable requests, or default to PK/SK (this project's single table).
  const keyNames = new Map<string, string[]>();
  const stored = new Map<string, number>();
  let storedBytes = 0;
  const keysOf = (table: string) => keyNames.get(table) ?? ['PK', 'SK'];
  const keyFromItem = (table: string, item: Record<string, AttributeValue>) =>
    Object.fromEntries(keysOf(table).map((name) => [name, item[name] as AttributeValue]));
  const putStored = (table: string, item: Record<string, AttributeValue>) => {
    const key = keyOf(table, keyFromItem(table, item), keysOf(table));
    const size = itemSize(item);
    storedBytes += size - (stored.get(key) ?? 0);
    stored.set(key, size);
  };
  const deleteStored = (table: string, key: Record<string, AttributeValue>) => {
    const id = keyOf(table, key, keysOf(table));
    storedBytes -= stored.get(id) ?? 0;
    stored.delete(id);
  };

  let operations: Record<string, OperationStats> = {};
  let errors: Record<string, number> = {};
  let firstWrite = Number.NaN;
  let lastWrite = Number.NaN;
  // Write requests in flight, and since when; the busy time they add up to.
  let writesInFlight = 0;
  let busySince = 0;
  let writeBusyMs = 0;
  // Each operation's first arrival, for its span.
  let firstOf = new Map<string, number>();
  const writeStarted = (at: number) => {
    if (writesInFlight++ === 0) busySince = at;
  };
  const writeEnded = (at: number) => {
    if (--writesInFlight === 0) writeBusyMs += at - busySince;
  };
  let addedDelayMs = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  const writeBehind = options.writeBehind ?? false;
  // Write-behind: the acknowledged writes not yet applied, as a chain applying them in order.
  let behind: Promise<void> = Promise.resolve();
  let behindMs = 0;

  const reset = () => {
    operations = {};
    errors = {};
    firstWrite = Number.NaN;
    lastWrite = Number.NaN;
    addedDelayMs = 0;
    peakInFlight = inFlight;
    behindMs = 0;
    writeBusyMs = 0;
    busySince = performance.now();
    firstOf = new Map();
  };

  const stats = (): ProxyStats => {
    const all = Object.values(operations);
    const sum = (pick: (o: OperationStats) => number) => all.reduce((total, o) => total + pick(o), 0);
    let writeRequests = 0;
    for (const [name, o] of Object.entries(operations))
      if (WRITE_OPERATIONS.has(name)) writeRequests += o.requests;
    return {
      requests: sum((o) => o.requests),
      operations: structuredClone(operations),
      errors: { ...errors },
      itemsWritten: sum((o) => o.itemsWritten + o.itemsDeleted),
      itemsRead: sum((o) => o.itemsReturned),
      itemsScanned: sum((o) => o.itemsScanned),
      writeUnits: sum((o) => o.writeUnits),
      readUnits: sum((o) => o.readUnits),
      writeRequests,
      writeWindowMs: Number.isNaN(firstWrite) ? 0 : lastWrite - firstWrite,
      writeBusyMs: writeBusyMs + (writesInFlight > 0 ? performance.now() - busySince : 0),
      addedDelayMs,
      peakInFlight,
      tableItems: stored.size,
      tableBytes: storedBytes,
      behindMs,
    };
  };

  /** Counts one finished request from its parsed request and response bodies. */
  const record = (
    operation: string,
    body: Json,
    status: number,
    response: Json,
    serverMs: number,
    arrived: number,
  ) => {
    const o = operations[operation] ?? emptyOperation();
    operations[operation] = o;
    o.requests++;
    o.serverMs += serverMs;
    const first = firstOf.get(operation) ?? arrived;
    firstOf.set(operation, Math.min(first, arrived));
    o.spanMs = performance.now() - (firstOf.get(operation) as number);
    if (status !== 200) {
      o.errors++;
      const type = String(response.__type ?? `HTTP ${status}`).replace(/^.*#/, '');
      errors[type] = (errors[type] ?? 0) + 1;
      return;
    }
    const consumed = capacityUnits(response.ConsumedCapacity);
    if (WRITE_OPERATIONS.has(operation)) o.writeUnits += consumed;
    else o.readUnits += consumed;
    switch (operation) {
      case 'BatchWriteItem': {
        // Requests the server left unprocessed, by key: the caller sends them again, counted then.
        const requestKey = (table: string, r: Json) => {
          const put = r.PutRequest as { Item: Record<string, AttributeValue> } | undefined;
          const del = r.DeleteRequest as { Key: Record<string, AttributeValue> } | undefined;
          return keyOf(table, put ? keyFromItem(table, put.Item) : (del?.Key ?? {}), keysOf(table));
        };
        const unprocessed = new Set<string>();
        for (const [table, requests] of Object.entries(
          (response.UnprocessedItems ?? {}) as Record<string, Json[]>,
        )) {
          for (const r of requests) unprocessed.add(requestKey(table, r));
          o.unprocessed += requests.length;
        }
        for (const [table, requests] of Object.entries((body.RequestItems ?? {}) as Record<string, Json[]>)) {
          for (const r of requests) {
            if (unprocessed.size > 0 && unprocessed.has(requestKey(table, r))) continue;
            const put = r.PutRequest as { Item: Record<string, AttributeValue> } | undefined;
            const del = r.DeleteRequest as { Key: Record<string, AttributeValue> } | undefined;
            if (put) {
              o.itemsWritten++;
              putStored(table, put.Item);
            } else if (del) {
              o.itemsDeleted++;
              deleteStored(table, del.Key);
            }
          }
        }
        break;
      }
      case 'PutItem':
        o.itemsWritten++;
        putStored(String(body.TableName), body.Item as Record<string, AttributeValue>);
        break;
      case 'DeleteItem':
        o.itemsDeleted++;
        deleteStored(String(body.TableName), body.Key as Record<string, AttributeValue>);
        break;
      case 'UpdateItem':
        o.itemsWritten++;
        break;
      case 'GetItem':
        if (response.Item) {
          o.itemsReturned++;
          o.itemsScanned++;
        }
        break;
      case 'BatchGetItem':
        for (const items of Object.values((response.Responses ?? {}) as Record<string, unknown[]>)) {
          o.itemsReturned += items.length;
          o.itemsScanned += items.length;
        }
        break;
      case 'Query':
      case 'Scan':
        o.itemsReturned += Number(response.Count ?? 0);
        o.itemsScanned += Number(response.ScannedCount ?? response.Count ?? 0);
        break;
      case 'CreateTable': {
        const schema = (body.KeySchema ?? []) as { AttributeName: string; KeyType: string }[];
        const names = schema
          .slice()
          .sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0))
          .map((k) => k.AttributeName);
        if (names.length > 0) keyNames.set(String(body.TableName), names);
        break;
      }
    }
  };

  const forward = (
    headers: IncomingHttpHeaders,
    method: string,
    path: string,
    payload: Buffer,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          method,
          path,
          headers: { ...headers, host: target.host, 'content-length': String(payload.length) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });

  /** Whether a write can be acknowledged before the server applies it (nothing depends on its outcome). */
  const canWriteBehind = (operation: string, body: Json) =>
    operation === 'BatchWriteItem' ||
    ((operation === 'PutItem' || operation === 'DeleteItem') &&
      body.ConditionExpression === undefined &&
      body.Expected === undefined &&
      (body.ReturnValues === undefined || body.ReturnValues === 'NONE'));

  /**
   * The write units DynamoDB bills for an unconditional write, from the item sizes: 1 KB units of
   * the larger of the item before and after (a delete: the item before, at least one unit).
   */
  const writeUnitsOf = (operation: string, body: Json): Json[] => {
    const units = new Map<string, number>();
    const add = (
      table: string,
      item: Record<string, AttributeValue> | undefined,
      key: Record<string, AttributeValue>,
    ) => {
      const before = stored.get(keyOf(table, key, keysOf(table))) ?? 0;
      const after = item ? itemSize(item) : 0;
      units.set(table, (units.get(table) ?? 0) + Math.max(1, Math.ceil(Math.max(before, after) / 1024)));
    };
    if (operation === 'BatchWriteItem') {
      for (const [table, requests] of Object.entries((body.RequestItems ?? {}) as Record<string, Json[]>)) {
        for (const r of requests) {
          const put = r.PutRequest as { Item: Record<string, AttributeValue> } | undefined;
          const del = r.DeleteRequest as { Key: Record<string, AttributeValue> } | undefined;
          if (put) add(table, put.Item, keyFromItem(table, put.Item));
          else if (del) add(table, undefined, del.Key);
        }
      }
    } else {
      const table = String(body.TableName);
      const item = body.Item as Record<string, AttributeValue> | undefined;
      add(table, item, item ? keyFromItem(table, item) : (body.Key as Record<string, AttributeValue>));
    }
    return [...units].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits }));
  };

  /** Applies an acknowledged write to the server, after the ones before it. */
  const applyBehind = (headers: IncomingHttpHeaders, path: string, payload: Buffer) => {
    behind = behind.then(async () => {
      const sent = performance.now();
      try {
        const answer = await forward(headers, 'POST', path, payload);
        const response = JSON.parse(answer.body.toString('utf8') || '{}') as Json;
        const unprocessed = Object.values((response.UnprocessedItems ?? {}) as Record<string, unknown[]>);
        if (answer.status !== 200 || unprocessed.some((requests) => requests.length > 0)) {
          errors.WriteBehindFailed = (errors.WriteBehindFailed ?? 0) + 1;
        }
      } catch {
        errors.WriteBehindFailed = (errors.WriteBehindFailed ?? 0) + 1;
      }
      behindMs += performance.now() - sent;
    });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      let writeOpen = false;
      try {
        if (req.url === STATS_PATH) {
          await behind;
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats()));
          return;
        }
        if (req.url === RESET_PATH) {
          reset();
          res.writeHead(204).end();
          return;
        }
        const arrived = performance.now();
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        const operation = String(req.headers['x-amz-target'] ?? 'unknown').replace(/^.*\./, '');
        const isWrite = WRITE_OPERATIONS.has(operation);
        if (isWrite) {
          if (Number.isNaN(firstWrite)) firstWrite = arrived;
          writeStarted(arrived);
          writeOpen = true;
        }
        let payload: Buffer = Buffer.concat(chunks);
        let body: Json = {};
        let injected = false;
        let parsed = false;
        try {
          body = JSON.parse(payload.toString('utf8') || '{}') as Json;
          parsed = true;
          if (askCapacity && body.ReturnConsumedCapacity === undefined && operation !== 'CreateTable') {
            const asked = { ...body, ReturnConsumedCapacity: 'TOTAL' };
            payload = Buffer.from(JSON.stringify(asked));
            injected = true;
          }
        } catch {
          // Not JSON: forwarded as it came, counted by operation only.
        }
        addedDelayMs += latencyMs;
        if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
        if (writeBehind && parsed && canWriteBehind(operation, body)) {
          // Acknowledged now, applied in the background; counted as the server would answer.
          const consumed = writeUnitsOf(operation, body);
          const response: Json = operation === 'BatchWriteItem' ? { UnprocessedItems: {} } : {};
          record(operation, body, 200, { ...response, ConsumedCapacity: consumed }, 0, arrived);
          const { ReturnConsumedCapacity: _asked, ...plain } = body;
          applyBehind(req.headers, req.url ?? '/', Buffer.from(JSON.stringify(plain)));
          if (body.ReturnConsumedCapacity === 'TOTAL' || body.ReturnConsumedCapacity === 'INDEXES')
            response.ConsumedCapacity = operation === 'BatchWriteItem' ? consumed : consumed[0];
          const out = Buffer.from(JSON.stringify(response));
          inFlight--;
          lastWrite = performance.now();
          writeEnded(lastWrite);
          writeOpen = false;
          res
            .writeHead(200, {
              'content-type': 'application/x-amz-json-1.0',
              'content-length': String(out.length),
              'x-amz-crc32': String(crc32(out)),
            })
            .end(out);
          return;
        }
        // Everything else sees the writes acknowledged before it.
        await behind;
        const sent = performance.now();
        const answer = await forward(req.headers, req.method ?? 'POST', req.url ?? '/', payload);
        const serverMs = performance.now() - sent;
        let response: Json = {};
        try {
          response = JSON.parse(answer.body.toString('utf8') || '{}') as Json;
        } catch {
          // Counted as a request without items.
        }
        record(operation, body, answer.status, response, serverMs, arrived);
        let out = answer.body;
        if (injected && 'ConsumedCapacity' in response) {
          delete response.ConsumedCapacity;
          out = Buffer.from(JSON.stringify(response));
        }
        // The body is answered whole: its length replaces any chunked encoding of the server's.
        const headers: IncomingHttpHeaders = { ...answer.headers, 'content-length': String(out.length) };
        delete headers['transfer-encoding'];
        if (out !== answer.body && headers['x-amz-crc32'] !== undefined)
          headers['x-amz-crc32'] = String(crc32(out));
        inFlight--;
        if (isWrite) {
          lastWrite = performance.now();
          writeEnded(lastWrite);
          writeOpen = false;
        }
        res.writeHead(answer.status, headers).end(out);
      } catch (error) {
        inFlight = Math.max(0, inFlight - 1);
        if (writeOpen) writeEnded(performance.now());
        res
          .writeHead(502, { 'content-type': 'application/x-amz-json-1.0' })
          .end(JSON.stringify({ __type: 'ProxyError', message: (error as Error).message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stats,
    settled: () => behind,
    reset,
    setLatency(ms: number) {
      latencyMs = ms;
    },
    close: async () => {
      await behind;
      await new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
