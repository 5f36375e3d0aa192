import type { Context } from 'aws-lambda';
import { compute, computePorts, runDay } from '../compute/handler.ts';
import type { RunSummary } from '../compute/run-compute.ts';
import { releaseRunLock, takeRunLock } from '../compute/run-lock.ts';
import { lambdaHandler } from '../shared/handler-wiring.ts';
import { logger } from '../shared/logger.ts';
import { NIGHTLY_RUN_HOURS, type ScaleOutEvent, type ScalePlan } from './contract.ts';
import { runScaleOut } from './run-scale-out.ts';
import { combineRun, planRun, publishScaledRun, summariseBucket, writeBucketCustomers } from './steps.ts';

/**
 * Who holds the run lock during a scaled-out run: its steps, whichever invocation runs them, of
 * one execution of the state machine (a second execution of the same day is another holder, so it
 * stops at its plan instead of clearing and writing the first's folder).
 */
export const scaleOutHolder = (runId: string, execution: string | undefined) =>
  execution === undefined ? `scale-out:${runId}` : `scale-out:${runId}:${execution}`;

/** The Glue database Athena's partition query reads (GLUE_DATABASE on AWS; unused locally). */
const catalog = () => ({ database: process.env.GLUE_DATABASE ?? 'customer_value' });

/** One function, the steps of the nightly state machine (see contract.ts and infra/scale-out.ts). */
export async function scaleOutStep(
  event: ScaleOutEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) {
  const ports = computePorts(context);
  switch (event.step) {
    case 'plan': {
      // Taken before the run's folder is cleared; held until publish, or until the state machine's
      // own time limit lapses it.
      const plan = await planRun(ports, runDay(event.as_of), catalog(), (runId) =>
        takeRunLock(
          ports.items,
          scaleOutHolder(runId, event.execution),
          Date.now() + NIGHTLY_RUN_HOURS * 3_600_000,
        ),
      );
      logger.info('nightly run planned', { ...plan, buckets: plan.buckets.length });
      return { ...plan, execution: event.execution };
    }
    case 'summarise':
      return summariseBucket(ports, event.run_id, event.bucket);
    case 'combine': {
      const combined = await combineRun(ports, runDay(event.as_of), event.run_id);
      return { tables: combined.tables, is_latest: combined.is_latest };
    }
    case 'write_customers':
      return writeBucketCustomers(ports, runDay(event.as_of), event.run_id, event.bucket);
    case 'release': {
      const { run_id: runId, execution } = event.run;
      if (typeof runId === 'string') await releaseRunLock(ports.items, scaleOutHolder(runId, execution));
      logger.warn('nightly run failed; its run lock is let go', { run_id: runId, execution });
      return { released: typeof runId === 'string' };
    }
    case 'publish': {
      const summary = await publishScaledRun(ports, runDay(event.as_of), event.run_id);
      await releaseRunLock(ports.items, scaleOutHolder(event.run_id, event.execution));
      logger.info('scaled-out run published', { ...summary });
      return summary;
    }
  }
}

/**
 * The nightly run in one process (local mode and tests): plan, then the embedded compute or the
 * scale-out steps in-process, as the state machine would choose.
 */
export async function nightly(
  event: { as_of?: string } = {},
  options: { onStep?: (step: string) => void } = {},
): Promise<RunSummary> {
  const ports = computePorts();
  const plan: ScalePlan = await planRun(ports, runDay(event.as_of), catalog());
  if (!plan.scale_out) return compute({ as_of: plan.as_of });
  return runScaleOut({ ...ports, onStep: options.onStep }, { ...plan, scale_out: true });
}

export const handler = lambdaHandler(scaleOutStep);
