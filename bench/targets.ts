/**
 * Weekly targets job benchmark: a targets export for a company, ~50 teams and 5,000 reps (shares
 * down the tree) x 4 metrics, with transactions for the actuals, planned and published for two
 * consecutive Mondays through the job's own code (planTargets, the Parquet parts, the item diff)
 * and a real ItemStore over an in-process fake DynamoDB that counts BatchWriteItem calls, items and
 * write units and holds each call for `--latency` ms (default 10). Prints per Monday the items
 * planned, written and deleted, calls, the write window at `--concurrency` (default 16), the
 * projections against the 5-minute Lambda timeout and a new on-demand table's 4,000 WCU/s, the old
 * model (one item per period, all written, sequentially) as the baseline with the ratio, and peak RSS.
 *
 *   npm run bench -- targets [--reps 5000] [--teams 50] [--latency 10] [--concurrency 16]
 */
import { Readable } from 'node:stream';
import { money } from '../core/money.ts';
import type { TargetMetric, TargetRecord, TransactionRecord } from '../core/records.ts';
import { resultTable } from '../core/tables.ts';
import { actualsFromTransactions, DEFAULT_TARGETS_CONFIG, planTargets } from '../core/targets/index.ts';
import { targetRows } from '../core/targets/target-rows.ts';
import { ItemStore } from '../functions/adapters/item-store.ts';
import { ObjectStore } from '../functions/adapters/object-store.ts';
import { resultItem } from '../functions/compute/result-items.ts';
import { publishPlan } from '../functions/targets/run-targets.ts';
import { itemSize } from '../functions/targets/target-items.ts';

const METRICS: TargetMetric[] = ['revenue', 'profit', 'orders', 'new_customers'];
const LAMBDA_TIMEOUT_S = 300;
const TABLE_WCU_PER_S = 4000;

type AnyItem = Record<string, unknown> & { PK: string; SK: string };

/** Counts of the fake table's write calls. */
export interface FakeTableStats {
  batchCalls: number;
  puts: number;
  deletes: number;
  writeUnits: number;
  otherCalls: number;
}

/**
 * An in-process stand-in for the DynamoDB document client: GetItem, PutItem, Query (key condition
 * `PK = :pk [AND begins_with(SK, :sk)]`, direction, limit) and BatchWriteItem, each held for
 * `latencyMs`. Write units are counted as DynamoDB bills them: one per started KB of each item
 * put, one per delete.
 */
export function fakeDynamoDb(latencyMs = 0) {
  const table = new Map<string, Map<string, AnyItem>>();
  const stats: FakeTableStats = { batchCalls: 0, puts: 0, deletes: 0, writeUnits: 0, otherCalls: 0 };
  const wait = () => (latencyMs > 0 ? new Promise((r) => setTimeout(r, latencyMs)) : Promise.resolve());
  const put = (item: AnyItem) => {
    let partition = table.get(item.PK);
    if (!partition) {
      partition = new Map();
      table.set(item.PK, partition);
    }
    partition.set(item.SK, item);
  };
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      await wait();
      const input = command.input;
      switch (command.constructor.name) {
        case 'BatchWriteCommand': {
          stats.batchCalls += 1;
          const requests = Object.values(input.RequestItems as Record<string, unknown[]>)[0] ?? [];
          for (const request of requests as Array<Record<string, { Item?: AnyItem; Key?: AnyItem }>>) {
            if (request.PutRequest?.Item) {
              const item = request.PutRequest.Item;
              put(item);
              stats.puts += 1;
              stats.writeUnits += Math.max(1, Math.ceil(itemSize(item) / 1024));
            } else if (request.DeleteRequest?.Key) {
              const key = request.DeleteRequest.Key;
              table.get(key.PK)?.delete(key.SK);
              stats.deletes += 1;
              stats.writeUnits += 1;
            }
          }
          return { UnprocessedItems: {} };
        }
        case 'PutCommand':
          stats.otherCalls += 1;
          put(input.Item as AnyItem);
          return {};
        case 'GetCommand': {
          stats.otherCalls += 1;
          const key = input.Key as AnyItem;
          return { Item: table.get(key.PK)?.get(key.SK) };
        }
        case 'QueryCommand': {
          stats.otherCalls += 1;
          const values = input.ExpressionAttributeValues as Record<string, string>;
          const prefix = values[':sk'] ?? '';
          let items = [...(table.get(values[':pk'] as string)?.values() ?? [])]
            .filter((i) => i.SK.startsWith(prefix))
            .sort((a, b) => (a.SK < b.SK ? -1 : a.SK > b.SK ? 1 : 0));
          if (input.ScanIndexForward === false) items.reverse();
          if (typeof input.Limit === 'number') items = items.slice(0, input.Limit);
          return { Items: items };
        }
        default:
          throw new Error(`fake DynamoDB: ${command.constructor.name} is not supported`);
      }
    },
  };
  return { client, table, stats };
}

/** An in-process S3 bucket for ObjectStore: put, get, list, copy, delete. */
export function fakeS3() {
  const objects = new Map<string, Uint8Array>();
  const body = (bytes: Uint8Array) =>
    Object.assign(Readable.from([bytes]), {
      transformToByteArray: async () => new Uint8Array(bytes),
      transformToString: async () => Buffer.from(bytes).toString('utf8'),
    });
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const input = command.input;
      switch (command.constructor.name) {
        case 'PutObjectCommand': {
          const value = input.Body as Uint8Array | string;
          objects.set(input.Key as string, typeof value === 'string' ? Buffer.from(value) : value);
          return {};
        }
        case 'GetObjectCommand': {
          const bytes = objects.get(input.Key as string);
          if (!bytes) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
          return { Body: body(bytes), ContentLength: bytes.length };
        }
        case 'ListObjectsV2Command': {
          const prefix = (input.Prefix as string) ?? '';
          return {
            Contents: [...objects.keys()].filter((k) => k.startsWith(prefix)).map((Key) => ({ Key })),
          };
        }
        case 'CopyObjectCommand': {
          const source = decodeURIComponent((input.CopySource as string).split('/').slice(1).join('/'));
          const bytes = objects.get(source);
          if (!bytes) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
          objects.set(input.Key as string, bytes);
          return {};
        }
        case 'DeleteObjectsCommand': {
          for (const { Key } of (input.Delete as { Objects: { Key: string }[] }).Objects) objects.delete(Key);
          return {};
        }
        default:
          throw new Error(`fake S3: ${command.constructor.name} is not supported`);
      }
    },
  };
  return { client, objects };
}

/** A company target, ~`teams` team shares and `reps` rep shares per metric (shares sum to 1 exactly). */
export function generateTargets(reps: number, teams: number, fiscalYear = 2026) {
  const targets: TargetRecord[] = [];
  const repTeams: Record<string, string> = {};
  let line = 2;
  const shares = (count: number) => {
    const each = money(1).dividedBy(count).toDecimalPlaces(6, 1);
    return Array.from({ length: count }, (_, i) =>
      i < count - 1 ? each : money(1).minus(each.times(count - 1)),
    );
  };
  const members: number[][] = Array.from({ length: teams }, () => []);
  for (let r = 0; r < reps; r++) {
    (members[r % teams] as number[]).push(r);
    repTeams[`r${r}`] = `t${r % teams}`;
  }
  for (const metric of METRICS) {
    const count = metric === 'orders' || metric === 'new_customers';
    targets.push({
      fiscal_year: fiscalYear,
      metric,
      amount: money(count ? reps * 400 : metric === 'revenue' ? reps * 1_200_000 : reps * 300_000),
      scope: 'company',
      share: null,
      source_line: line++,
    });
    shares(teams).forEach((share, t) => {
      targets.push({
        fiscal_year: fiscalYear,
        metric,
        amount: money(0),
        scope: `team:t${t}`,
        share,
        source_line: line++,
      });
    });
    for (const team of members) {
      const teamShares = shares(team.length);
      team.forEach((r, i) => {
        targets.push({
          fiscal_year: fiscalYear,
          metric,
          amount: money(0),
          scope: `rep:r${r}`,
          share: teamShares[i] ?? null,
          source_line: line++,
        });
      });
    }
  }
  return { targets, repTeams };
}

/** `perRepPerWeek` orders per rep and week from `from` up to (not including) `until`, deterministic. */
export function generateTransactions(
  reps: number,
  teams: number,
  from: string,
  until: string,
  perRepPerWeek = 2,
) {
  const tx: TransactionRecord[] = [];
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${until}T00:00:00Z`);
  let n = 0;
  for (let day = start; day < end; day += 86_400_000) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const date = new Date(day).toISOString().slice(0, 10);
    for (let r = 0; r < reps; r++) {
      // About perRepPerWeek orders a week, on days that depend on the rep.
      if ((r * 7 + day / 86_400_000) % 5 >= perRepPerWeek) continue;
      n += 1;
      const cents = 50_000 + ((n * 7919) % 1_000_000);
      tx.push({
        order_id: `o${n}`,
        customer_id: `c${n % (reps * 20)}`,
        order_date: date,
        revenue: money(cents).dividedBy(100),
        cost: money(cents).dividedBy(250),
        returned_amount: money(0),
        quantity: 1,
        product_id: null,
        product_category: null,
        channel: null,
        rep_id: `r${r}`,
        team: `t${r % teams}`,
      });
    }
  }
  return tx;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

export async function runTargetsBenchmark(options: Record<string, number> = {}): Promise<void> {
  const reps = options.reps ?? 5000;
  const teams = options.teams ?? 50;
  const latency = options.latency ?? 10;
  const concurrency = options.concurrency ?? 16;
  const mondays = ['2026-06-01', '2026-06-08'];
  console.log(
    `Targets benchmark: ${fmt(reps)} reps in ${teams} teams x ${METRICS.length} metrics, FY2026, Mondays ${mondays.join(' and ')}; fake DynamoDB ${latency} ms a call, ${concurrency} BatchWriteItem calls in flight`,
  );
  let started = performance.now();
  const { targets, repTeams } = generateTargets(reps, teams);
  const allTx = generateTransactions(reps, teams, '2025-12-29', mondays[1] as string);
  console.log(
    `  generated ${fmt(targets.length)} target rows, ${fmt(allTx.length)} transactions in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const dynamo = fakeDynamoDb(latency);
  const items = new ItemStore(dynamo.client as never, 'bench', { writeConcurrency: concurrency });
  const lake = new ObjectStore(fakeS3().client as never, 'lake');
  for (const asOf of mondays) {
    const tx = allTx.filter((t) => t.order_date < asOf);
    started = performance.now();
    const actuals = actualsFromTransactions(tx, { revenueNetOfReturns: true });
    const plan = planTargets({ targets, actuals, config: DEFAULT_TARGETS_CONFIG, asOf, repTeams });
    const actualsSeconds = (performance.now() - started) / 1000;
    const before = { ...dynamo.stats };
    const steps: Record<string, number> = {};
    started = performance.now();
    const writes = await publishPlan(
      { lake, items },
      plan,
      { asOf, week: asOf, runId: `bench-${asOf}`, errors: [] },
      { onStep: (step, ms) => (steps[step] = ms / 1000) },
    );
    const total = (performance.now() - started) / 1000 + actualsSeconds;
    const calls = dynamo.stats.batchCalls - before.batchCalls;
    const wcu = dynamo.stats.writeUnits - before.writeUnits;
    const writeSeconds = steps['write items'] ?? 0;
    const tableSeconds = wcu / TABLE_WCU_PER_S;
    console.log(
      `\n  as of ${asOf}: ${fmt(plan.rowCount)} rows (Parquet), ${fmt(writes.planned)} items planned`,
    );
    console.log(
      `    items: ${fmt(writes.written)} written, ${fmt(writes.deleted)} deleted, ${fmt(calls)} BatchWriteItem calls, ${fmt(wcu)} WCU (${(wcu / Math.max(1, writes.written + writes.deleted)).toFixed(2)} per item)`,
    );
    console.log(
      `    time: actuals ${actualsSeconds.toFixed(1)} s, plan + Parquet + diff ${(steps.plan ?? 0).toFixed(1)} s, write window ${writeSeconds.toFixed(2)} s at ${concurrency} in flight, publish ${(steps.publish ?? 0).toFixed(1)} s; job ${total.toFixed(1)} s`,
    );
    console.log(
      `    projection: ${(total - writeSeconds + Math.max(writeSeconds, tableSeconds)).toFixed(0)} s of the ${LAMBDA_TIMEOUT_S} s timeout with writes bound by ${TABLE_WCU_PER_S} WCU/s (${tableSeconds.toFixed(1)} s of table throughput)`,
    );

    // The old model: one item per row of the plan, every one written, 25 at a time, one call after another.
    let sampleBytes = 0;
    let sampleUnits = 0;
    const table = resultTable('targets');
    let sampled = 0;
    for (const s of plan.series()) {
      const rows = targetRows(s.year.calendar, s.year.basis, s);
      for (const row of rows) {
        const old = resultItem(
          `TARGET#${row.scope}#${row.metric}#FY${row.fiscal_year}`,
          `${row.level}#${row.period_id}`,
          row as unknown as Record<string, unknown>,
          table,
        );
        const size = itemSize(old);
        sampleBytes += size;
        sampleUnits += Math.ceil(size / 1024);
      }
      sampled += rows.length;
      if (sampled >= 20_000) break;
    }
    const oldItems = plan.rowCount;
    const oldCalls = Math.ceil(oldItems / 25);
    const oldWindow = (oldCalls * latency) / 1000;
    const oldWcu = (sampleUnits / sampled) * oldItems;
    console.log(
      `    baseline (old model): ${fmt(oldItems)} items (~${Math.round(sampleBytes / sampled)} B each), ${fmt(oldCalls)} calls one after another = ${fmt(oldWindow)} s at ${latency} ms; ${fmt(oldWcu)} WCU = ${fmt(oldWcu / TABLE_WCU_PER_S)} s at ${TABLE_WCU_PER_S} WCU/s`,
    );
    console.log(
      `    ratio: ${(oldItems / Math.max(1, writes.written + writes.deleted)).toFixed(0)}x fewer item writes, ${(oldWcu / Math.max(1, wcu)).toFixed(0)}x fewer WCU, write window ${(oldWindow / Math.max(0.001, writeSeconds)).toFixed(0)}x shorter`,
    );
  }
  console.log(`\n  peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}
