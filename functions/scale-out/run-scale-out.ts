import type { ComputePorts, RunSummary } from '../compute/run-compute.ts';
import { eachBounded } from '../shared/each-bounded.ts';
import type { ScalePlan } from './contract.ts';
import { partitionLocally } from './partition-locally.ts';
import { combineRun, publishScaledRun, summariseBucket, writeBucketCustomers } from './steps.ts';

/**
 * The scale-out state machine (infra/scale-out.ts) run in-process, step for step: DuckDB plays
 * Athena's partition query, and a bounded pool of concurrent tasks plays each Distributed Map
 * (the map steps wait on S3 and DynamoDB, not on the CPU, so tasks rather than threads).
 */
export async function runScaleOut(
  ports: ComputePorts,
  plan: ScalePlan & { scale_out: true },
  options: { concurrency?: number } = {},
): Promise<RunSummary> {
  const step = ports.onStep ?? (() => {});
  const { as_of: asOf, run_id: runId } = plan;
  const concurrency = options.concurrency ?? 4;
  step(`partitioning the transactions into ${plan.buckets.length} buckets`);
  await partitionLocally(ports.lake, runId);
  step('summarising the buckets');
  await eachBounded(plan.buckets, concurrency, ({ bucket }) => summariseBucket(ports, runId, bucket));
  step('combining');
  await combineRun(ports, asOf, runId);
  step("writing the buckets' customers");
  await eachBounded(plan.buckets, concurrency, ({ bucket }) =>
    writeBucketCustomers(ports, asOf, runId, bucket),
  );
  step('publishing');
  return publishScaledRun(ports, asOf, runId);
}
