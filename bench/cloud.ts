/**
 * `npm run bench -- cloud [--customers 100000] [--latency-ms 10] [--nights 3] [--orders 20]
 * [--write-concurrency N] [--keep 1]`: the cloud path's DynamoDB traffic, through the real handlers.
 *
 * A DynamoDB-compatible server (dynalite) runs behind a counting proxy (bench/support/
 * dynamodb-proxy.ts) in a process of its own; the proxy holds every request for --latency-ms (a
 * stand-in for the network and service time of the real DynamoDB) and counts requests by operation,
 * items written and read, and the capacity units DynamoDB would bill. A customers and a
 * transactions export (--customers x --orders lines) are uploaded to the local exports bucket and
 * ingested by the ingest handler, then the compute handler runs for --nights consecutive as_of
 * dates, each step in its own process (bench/support/cloud-worker.ts) so its peak RSS is its own.
 *
 * Per night it prints the requests by type, items written and read, the write window (first write
 * request to last write response seen by the proxy) and its projection to 1M and 10M customers:
 * the larger of the window scaled linearly with customers and the time the table's write
 * throughput allows (a new on-demand table serves 4,000 write units/s). The baseline, measured in
 * the same run from the same counts, is one sequential stream of 25-item BatchWriteItem calls at
 * the configured latency (calls x latency). Then the DynamoDB cost of a nightly run at the measured
 * size, 1M and 10M customers, at the prices below.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../functions/local/local-stack.ts';
import { type ProxyStats, RESET_PATH, STATS_PATH } from './support/dynamodb-proxy.ts';

const exec = promisify(execFile);

/** On-demand, us-east-1, as listed on the DynamoDB pricing page since the 1 Nov 2024 price cut. */
export const PRICES = {
  perMillionWriteUnits: 0.625,
  perMillionReadUnits: 0.125,
  perGbMonth: 0.25,
  /** DynamoDB bills 100 bytes of overhead per item on top of its attribute bytes. */
  itemOverheadBytes: 100,
};
/** Write units a second a new on-demand table serves before it has scaled (it doubles past peaks). */
export const NEW_TABLE_WRITE_UNITS_PER_SECOND = 4_000;
const PROJECTIONS = [1_000_000, 10_000_000];
const FIRST_NIGHT = Date.UTC(2025, 11, 29);
const DAY = 86_400_000;
const TABLE = 'cval-table';

interface StepResult {
  seconds: number;
  peakRssMb: number;
  detail: Record<string, unknown>;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number) => `${fmt(ms / 1000, ms < 10_000 ? 2 : 1)} s`;
const duration = (s: number) =>
  s < 120 ? `${fmt(s, 1)} s` : s < 7200 ? `${fmt(s / 60, 1)} min` : `${fmt(s / 3600, 1)} h`;

/** A deterministic integer hash (so every run generates the same exports). */
const hash = (n: number) => {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
};

/** customers/customers.csv.gz and transactions/transactions.csv.gz under `dir`. */
async function generateExports(dir: string, customers: number, orders: number): Promise<void> {
  const start = Date.UTC(2023, 0, 1);
  const end = FIRST_NIGHT - DAY;
  const span = (end - start) / DAY;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const segments = ['enterprise', 'smb', 'consumer'];
  const channels = ['referral', 'search', 'events'];
  const regions = ['east', 'north', 'south'];
  const categories = ['software', 'services', 'hardware'];
  const customerLines = ['customer_id,acquired_on,acquisition_cost,segment,region,acquisition_channel'];
  const transactionLines: string[] = [
    'order_id,customer_id,order_date,revenue,cost,product_category,channel',
  ];
  let order = 0;
  for (let c = 0; c < customers; c++) {
    const id = `C${String(c + 1).padStart(8, '0')}`;
    const h = hash(c);
    const acquiredDay = h % Math.floor(span * 0.8);
    customerLines.push(
      `${id},${iso(start + acquiredDay * DAY)},${(50 + (h % 400)).toFixed(2)},${segments[h % 3]},${regions[(h >>> 3) % 3]},${channels[(h >>> 5) % 3]}`,
    );
    const active = span - acquiredDay;
    for (let o = 0; o < orders; o++) {
      const g = hash(order + 7_919);
      const day = acquiredDay + (g % active);
      const cents = 1_000 + (g % 90_000);
      transactionLines.push(
        `SO${order},${id},${iso(start + day * DAY)},${(cents / 100).toFixed(2)},${(cents / 250).toFixed(2)},${categories[(g >>> 4) % 3]},${channels[(g >>> 7) % 3]}`,
      );
      order++;
    }
  }
  for (const [kind, lines] of [
    ['customers', customerLines],
    ['transactions', transactionLines],
  ] as const) {
    await mkdir(join(dir, kind), { recursive: true });
    await writeFile(join(dir, kind, `${kind}.csv.gz`), gzipSync(`${lines.join('\n')}\n`, { level: 1 }));
  }
}

/** The DynamoDB server and its proxy, in a child process; resolves once both listen. */
async function startServer(
  latencyMs: number,
  writeBehind: boolean,
): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'support', 'dynamodb-server.ts'),
      String(latencyMs),
      writeBehind ? '1' : '0',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')) as [
    string,
  ];
  return { endpoint: (JSON.parse(line) as { endpoint: string }).endpoint, child };
}

async function step(args: string[], writeConcurrency: number | undefined): Promise<StepResult> {
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'support', 'cloud-worker.ts'), ...args],
    {
      maxBuffer: 16 << 20,
      env: {
        ...process.env,
        LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        NODE_NO_WARNINGS: '1',
        ...(writeConcurrency ? { DYNAMODB_WRITE_CONCURRENCY: String(writeConcurrency) } : {}),
      },
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as StepResult;
}

function requestsLine(stats: ProxyStats): string {
  const parts = Object.entries(stats.operations)
    .sort(([, a], [, b]) => b.requests - a.requests)
    .map(([name, o]) => `${name} ${fmt(o.requests)}`);
  const errors = Object.entries(stats.errors).map(([type, n]) => `${type} ${fmt(n)}`);
  return `${parts.join(', ')} (total ${fmt(stats.requests)}${errors.length ? `; errors: ${errors.join(', ')}` : ''})`;
}

interface NightFigures {
  night: number;
  asOf: string;
  stats: ProxyStats;
  step: StepResult;
}

/**
 * The bulk write phase: the BatchWriteItem requests, first arrival to last response (the single
 * PutItems of a run's registry come before and after other work, so the span of every write is
 * printed beside it but not projected); without batches, the span of every write.
 */
export function writeWindowMs(stats: ProxyStats): number {
  const batches = stats.operations.BatchWriteItem;
  return batches && batches.requests > 0 ? batches.spanMs : stats.writeWindowMs;
}

/** The batches' items written as one sequential stream of 25-item BatchWriteItem calls at the latency. */
export function sequentialStream(stats: ProxyStats, latencyMs: number): { calls: number; ms: number } {
  const batches = stats.operations.BatchWriteItem;
  const items = batches ? batches.itemsWritten + batches.itemsDeleted : stats.itemsWritten;
  const calls = Math.ceil(items / 25);
  return { calls, ms: calls * latencyMs };
}

function printNight(
  out: (text: string) => void,
  n: NightFigures,
  customers: number,
  latencyMs: number,
): void {
  const { stats } = n;
  const sum = (pick: (o: ProxyStats['operations'][string]) => number) =>
    Object.values(stats.operations).reduce((total, o) => total + pick(o), 0);
  const puts = sum((o) => o.itemsWritten);
  const deletes = sum((o) => o.itemsDeleted);
  out(
    `night ${n.night} (as_of ${n.asOf}): compute handler ${fmt(n.step.seconds, 1)} s, peak RSS ${fmt(n.step.peakRssMb)} MB, ${fmt(Number(n.step.detail.customers ?? 0))} customers`,
  );
  out(`  requests     ${requestsLine(stats)}`);
  out(
    `  written      ${fmt(stats.itemsWritten)} items (${fmt(puts)} puts, ${fmt(deletes)} deletes), ${fmt(stats.writeUnits)} write units, ${fmt(sum((o) => o.unprocessed))} unprocessed`,
  );
  out(
    `  read         ${fmt(stats.itemsRead)} items returned, ${fmt(stats.itemsScanned)} examined, ${fmt(stats.readUnits, 1)} read units`,
  );
  out(
    `  table after  ${fmt(stats.tableItems)} items, ${fmt(stats.tableBytes / 1e6, 1)} MB of item bytes (${fmt((stats.tableBytes + PRICES.itemOverheadBytes * stats.tableItems) / 1e6, 1)} MB billed)`,
  );
  const batchWrites = stats.operations.BatchWriteItem;
  const serverMs = batchWrites && batchWrites.requests > 0 ? batchWrites.serverMs / batchWrites.requests : 0;
  const window = writeWindowMs(stats);
  out(
    `  write window ${seconds(window)} for ${fmt(batchWrites?.requests ?? 0)} BatchWriteItem requests (at most ${fmt(stats.peakInFlight)} requests in flight; ${
      stats.behindMs > 0
        ? `dynalite applied the writes in the background in ${seconds(stats.behindMs)}`
        : `dynalite ${fmt(serverMs, 1)} ms per BatchWriteItem on top of the ${latencyMs} ms latency`
    }); all ${fmt(stats.writeRequests)} write requests: first to last ${seconds(stats.writeWindowMs)}, in flight ${seconds(stats.writeBusyMs)}`,
  );
  const stream = sequentialStream(stats, latencyMs);
  out(
    `  baseline     one sequential stream of ${fmt(stream.calls)} 25-item BatchWriteItem calls at ${latencyMs} ms: ${seconds(stream.ms)}; ratio baseline / window ${window > 0 ? (stream.ms / window).toFixed(2) : '-'}x`,
  );
  for (const target of PROJECTIONS) {
    const scale = target / customers;
    const scaled = (window / 1000) * scale;
    const bound = (stats.writeUnits * scale) / NEW_TABLE_WRITE_UNITS_PER_SECOND;
    const binds = scaled >= bound ? 'the scaled window binds' : 'table throughput binds';
    out(
      `  at ${fmt(target).padStart(10)} customers: window ${duration(scaled).padStart(9)}, table throughput (${fmt(stats.writeUnits * scale)} units at ${fmt(NEW_TABLE_WRITE_UNITS_PER_SECOND)}/s) ${duration(bound).padStart(9)} -> ${duration(Math.max(scaled, bound))} (${binds})`,
    );
  }
}

function printCosts(out: (text: string) => void, nights: NightFigures[], customers: number): void {
  const sizes = [customers, ...PROJECTIONS.filter((p) => p !== customers)];
  out('');
  out(
    `DynamoDB cost of a nightly run (on-demand, us-east-1: $${PRICES.perMillionWriteUnits}/M write units, $${PRICES.perMillionReadUnits}/M read units, $${PRICES.perGbMonth}/GB-month), scaled linearly from ${fmt(customers)} customers:`,
  );
  out('  night  customers    write units   read units  run cost   table GB  storage $/month');
  for (const n of nights) {
    for (const size of sizes) {
      const scale = size / customers;
      const wru = n.stats.writeUnits * scale;
      const rru = n.stats.readUnits * scale;
      const gb = ((n.stats.tableBytes + PRICES.itemOverheadBytes * n.stats.tableItems) * scale) / 1e9;
      const cost = (wru * PRICES.perMillionWriteUnits + rru * PRICES.perMillionReadUnits) / 1e6;
      out(
        `  ${String(n.night).padStart(5)}  ${fmt(size).padStart(10)}  ${fmt(wru).padStart(12)}  ${fmt(rru).padStart(11)}  ${`$${cost.toFixed(2)}`.padStart(8)}  ${gb.toFixed(2).padStart(9)}  ${`$${(gb * PRICES.perGbMonth).toFixed(2)}`.padStart(15)}`,
      );
    }
  }
}

export async function runCloudBenchmark(
  options: {
    customers?: number;
    'latency-ms'?: number;
    nights?: number;
    orders?: number;
    'write-concurrency'?: number;
    'write-behind'?: number;
    keep?: number;
  } = {},
): Promise<void> {
  const customers = options.customers ?? 100_000;
  const latencyMs = options['latency-ms'] ?? 10;
  const nightCount = options.nights ?? 3;
  const orders = options.orders ?? 20;
  const writeConcurrency = options['write-concurrency'];
  const writeBehind = Boolean(options['write-behind']);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  // The lockfile pins SDK releases that support Node 20 (as the tests say); the steps inherit this.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dir = await mkdtemp(join(tmpdir(), 'cval-bench-cloud-'));
  const { endpoint, child } = await startServer(latencyMs, writeBehind);
  const control = async (path: string) => {
    const response = await fetch(`${endpoint}${path}`, { method: path === RESET_PATH ? 'POST' : 'GET' });
    return path === STATS_PATH ? ((await response.json()) as ProxyStats) : undefined;
  };
  try {
    out(
      `cloud path: ${fmt(customers)} customers x ${orders} orders, DynamoDB latency ${latencyMs} ms a request, DYNAMODB_WRITE_CONCURRENCY ${writeConcurrency ?? '(handler default)'}, ${nightCount} nights`,
    );
    out(
      writeBehind
        ? '  writes behind: unconditional writes are answered after the latency and applied to dynalite in the background (reads wait for them)'
        : '  every request is answered by dynalite after the latency (its own time adds to the write window)',
    );
    const exportsDir = join(dir, 'exports');
    let started = performance.now();
    await generateExports(exportsDir, customers, orders);
    out(`  exports generated in ${fmt((performance.now() - started) / 1000, 1)} s`);
    // The table as infra/ deploys it, created through the proxy so it learns the key schema.
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    await client.send(tableDefinition(TABLE));
    client.destroy();
    const stateDir = join(dir, 'state');

    await control(RESET_PATH);
    started = performance.now();
    const ingested = await step(['ingest', stateDir, endpoint, exportsDir], writeConcurrency);
    const ingestStats = (await control(STATS_PATH)) as ProxyStats;
    out(
      `ingest: ${fmt(ingested.seconds, 1)} s, peak RSS ${fmt(ingested.peakRssMb)} MB (${(ingested.detail.statuses as string[]).join('; ')})`,
    );
    out(`  requests     ${requestsLine(ingestStats)}`);
    out(
      `  written      ${fmt(ingestStats.itemsWritten)} items; read ${fmt(ingestStats.itemsRead)} items returned, ${fmt(ingestStats.itemsScanned)} examined`,
    );

    const nights: NightFigures[] = [];
    for (let night = 1; night <= nightCount; night++) {
      const asOf = new Date(FIRST_NIGHT + (night - 1) * DAY).toISOString().slice(0, 10);
      await control(RESET_PATH);
      const result = await step(['compute', stateDir, endpoint, asOf], writeConcurrency);
      const figures: NightFigures = {
        night,
        asOf,
        stats: (await control(STATS_PATH)) as ProxyStats,
        step: result,
      };
      nights.push(figures);
      printNight(out, figures, customers, latencyMs);
    }
    printCosts(out, nights, customers);
    out(
      `  (a new on-demand table serves ${fmt(NEW_TABLE_WRITE_UNITS_PER_SECOND)} write units/s at once and doubles past peaks; an item under 1 KB is one write unit; peak RSS is the handler's process, with s3rver in it)`,
    );
  } finally {
    child.stdin?.end();
    await once(child, 'exit').catch(() => undefined);
    if (!options.keep) await rm(dir, { recursive: true, force: true });
    else out(`data kept in ${dir}`);
  }
}
