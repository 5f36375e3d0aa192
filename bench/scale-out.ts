/**
 * `npm run bench -- scale-out [--customers 200000] [--transactions 4000000] [--buckets 16]`
 *
 * The nightly run both ways over the same generated curated exports (bench/compute-worker.ts's
 * generator), in one process against the local S3 server: the embedded compute, then the
 * scale-out steps as the state machine runs them (DuckDB playing Athena's partition query, the
 * per-bucket steps one after another as single Distributed Map children would run them). Prints
 * each step's seconds, its ratio to the embedded run, the peak RSS seen during it and the bytes it
 * read, then projects the AWS bill of a night at 1M, 10M and 50M customers from these figures.
 * Items go to an in-memory table: bench/cloud.ts measures DynamoDB writes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../core/config.ts';
import { runCompute } from '../functions/compute/run-compute.ts';
import { partitionLocally } from '../functions/scale-out/partition-locally.ts';
import {
  combineRun,
  planRun,
  publishScaledRun,
  summariseBucket,
  writeBucketCustomers,
} from '../functions/scale-out/steps.ts';
import { generateExports, loadGeneratedExports } from '../test/support/generated-exports.ts';
import { startLocalEnv } from '../test/support/local-env.ts';
import { MemoryTable } from '../test/support/memory-table.ts';

const AS_OF = '2024-12-31';
const FUNCTION_BASELINE_MB = 400;
const MB = 1024 * 1024;

/** A full collection when node runs with --expose-gc (NODE_OPTIONS=--expose-gc), else nothing. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Seconds and the peak RSS sampled while `work` runs. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ value: T; seconds: number; peakMb: number; startMb: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  try {
    const value = await work();
    return {
      value,
      seconds: (performance.now() - started) / 1000,
      peakMb: Math.round(peak / MB),
      startMb: Math.round(start / MB),
    };
  } finally {
    clearInterval(sampler);
  }
}

/** A per-bucket step over every bucket in turn: the total, its peak RSS and the slowest bucket. */
async function bucketByBucket(
  buckets: number,
  step: (bucket: number) => Promise<unknown>,
): Promise<{ seconds: number; peakMb: number; slowest: number }> {
  let slowest = 0;
  const all = await measured(async () => {
    for (let bucket = 0; bucket < buckets; bucket++)
      slowest = Math.max(slowest, (await measured(() => step(bucket))).seconds);
  });
  return { seconds: all.seconds, peakMb: all.peakMb, slowest };
}

export async function runScaleOutBenchmark(options: Record<string, number>): Promise<void> {
  const customers = options.customers ?? 200_000;
  const transactions = options.transactions ?? 4_000_000;
  const buckets = options.buckets ?? 16;
  const dir = await mkdtemp(join(tmpdir(), 'cval-bench-scale-out-'));
  const generated = join(dir, 'generated');
  await generateExports(generated, customers, transactions, AS_OF);
  const env = await startLocalEnv();
  try {
    const { lake } = env.ports();
    const table = new MemoryTable();
    const transactionBytes = await loadGeneratedExports(generated, lake, table);
    const rows: { step: string; seconds: number; peakMb: number; read: string }[] = [];
    // The scale-out steps first, so no step's peak RSS carries the embedded run's heap; the
    // embedded run last, into the same lake (a second day's rerun would read the first's results).
    const ports = {
      lake,
      items: table,
      config: parseConfig({ compute: { scaleOutAboveBytes: 0, buckets } }),
    };
    const plan = await measured(() => planRun(ports, AS_OF, { database: 'customer_value' }));
    const runId = plan.value.run_id;
    rows.push({ step: 'plan', seconds: plan.seconds, peakMb: plan.peakMb, read: '' });
    const partition = await measured(() => partitionLocally(lake, runId));
    rows.push({
      step: 'partition (DuckDB as Athena)',
      seconds: partition.seconds,
      peakMb: partition.peakMb,
      read: `${(transactionBytes / MB).toFixed(1)} MB scanned`,
    });
    const summarise = await bucketByBucket(buckets, (bucket) => summariseBucket(ports, runId, bucket));
    const slowestSummary = summarise.slowest;
    rows.push({
      step: `summarise x${buckets} (slowest ${slowestSummary.toFixed(2)} s)`,
      ...summarise,
      read: '',
    });
    collectGarbage();
    const combine = await measured(() => combineRun(ports, AS_OF, runId));
    rows.push({
      step: 'combine (one function)',
      seconds: combine.seconds,
      peakMb: combine.peakMb,
      read: `+${combine.peakMb - combine.startMb} MB over its start`,
    });
    const items = await bucketByBucket(buckets, (bucket) =>
      writeBucketCustomers(ports, AS_OF, runId, bucket),
    );
    const slowestCustomers = items.slowest;
    rows.push({
      step: `write_customers x${buckets} (slowest ${slowestCustomers.toFixed(2)} s)`,
      ...items,
      read: '',
    });
    const publish = await measured(() => publishScaledRun(ports, AS_OF, runId));
    rows.push({ step: 'publish', seconds: publish.seconds, peakMb: publish.peakMb, read: '' });
    collectGarbage();
    const embedded = await measured(() => runCompute({ lake, items: table, config: parseConfig({}) }, AS_OF));
    rows.unshift({
      step: 'embedded run (one function, run last)',
      seconds: embedded.seconds,
      peakMb: embedded.peakMb,
      read: '',
    });

    console.log(`scale-out at ${customers} customers / ${transactions} transactions, ${buckets} buckets`);
    for (const row of rows)
      console.log(
        `${row.step.padEnd(40)} ${row.seconds.toFixed(2).padStart(8)} s  ${(row.seconds / embedded.seconds).toFixed(2).padStart(5)}x embedded  peak ${String(row.peakMb).padStart(6)} MB  ${row.read}`,
      );
    const wall =
      plan.seconds +
      partition.seconds +
      slowestSummary +
      combine.seconds +
      slowestCustomers +
      publish.seconds;
    console.log(
      `scale-out wall time with every bucket in parallel: ${wall.toFixed(2)} s (${(wall / embedded.seconds).toFixed(2)}x embedded)`,
    );
    projectCosts({
      customers,
      transactionBytes,
      buckets,
      combineGrowthMb: combine.peakMb - combine.startMb,
      seconds: {
        plan: plan.seconds,
        summarise: summarise.seconds,
        combine: combine.seconds,
        items: items.seconds,
        publish: publish.seconds,
      },
    });
  } finally {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A night's AWS bill projected linearly in customers from the measured figures (us-east-1 list
 * prices of 2026: Athena $5 per TB scanned, Lambda $0.0000166667 per GB-s on arm64 ($0.0000133334)
 * is not assumed, Step Functions standard $0.025 per 1,000 transitions, DynamoDB on-demand $0.625
 * per million writes of up to 1 KB). Each Lambda step is billed at the scale-out function's 10 GB.
 */
function projectCosts(measured: {
  customers: number;
  transactionBytes: number;
  buckets: number;
  /** How far combine took the process's RSS above its start: what grows with customers. */
  combineGrowthMb: number;
  seconds: Record<'plan' | 'summarise' | 'combine' | 'items' | 'publish', number>;
}): void {
  const lambdaGb = 10;
  console.log('projected night on AWS (linear in customers; combine holds every customer, no line):');
  for (const target of [1_000_000, 10_000_000, 50_000_000]) {
    const scale = target / measured.customers;
    const buckets = Math.max(measured.buckets, Math.ceil(target / 15_000));
    const athenaTb = (measured.transactionBytes * scale) / 1024 ** 4;
    const seconds = Object.values(measured.seconds).reduce((sum, s) => sum + s, 0) * scale;
    const lambdaGbS = seconds * lambdaGb;
    const transitions = 20 + buckets * 2 * 3;
    const writes = target * 1.05;
    const cost =
      athenaTb * 5 + lambdaGbS * 0.0000166667 + (transitions / 1000) * 0.025 + (writes / 1e6) * 0.625;
    const combineSeconds = measured.seconds.combine * scale;
    // A function's own baseline (runtime, SDK, bundle) is a few hundred MB; the rest grows with customers.
    const combinePeakMb = FUNCTION_BASELINE_MB + measured.combineGrowthMb * scale;
    const limit =
      combineSeconds > 900 || combinePeakMb > 10_240
        ? ` (combine projects to ${combineSeconds.toFixed(0)} s and ${(combinePeakMb / 1024).toFixed(1)} GB: past one function's 15 min / 10 GB)`
        : '';
    console.log(
      `  ${String(target / 1e6).padStart(3)}M customers${limit}: Athena ${(athenaTb * 1024).toFixed(1)} GB scanned, ` +
        `Lambda ${Math.round(lambdaGbS)} GB-s (combine ${(measured.seconds.combine * scale).toFixed(0)} s), ` +
        `${transitions} state transitions, ${(writes / 1e6).toFixed(2)}M item writes: about $${cost.toFixed(2)}`,
    );
  }
}
