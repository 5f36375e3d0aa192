import type { Context } from 'aws-lambda';
import { ClvDriftError } from '../../core/clv/drift.ts';
import type { ItemStore } from '../adapters/item-store.ts';
import { athenaServesTables, compute, computePorts, runDay } from '../compute/handler.ts';
import type { RunSummary } from '../compute/run-compute.ts';
import { RUN_LOCK_KEY, releaseRunLock, takeRunLock } from '../compute/run-lock.ts';
import { clvDriftWarnings, countClvDrift } from '../shared/clv-drift-metric.ts';
import { lambdaHandler } from '../shared/handler-wiring.ts';
import { logger } from '../shared/logger.ts';
import { runOutcome } from '../shared/run-outcome.ts';
import {
  NIGHTLY_RUN_HOURS,
  type ReleaseEvent,
  type ScaleOutEvent,
  type ScalePlan,
  STEP_TIME_LIMIT_MINUTES,
} from './contract.ts';
import { runScaleOut } from './run-scale-out.ts';
import { combineRun, planRun, publishScaledRun, summariseBucket, writeBucketCustomers } from './steps.ts';

const SCALE_OUT_HOLDER = 'scale-out:';

/**
 * Who holds the run lock during a scaled-out run: its steps, whichever invocation runs them, of
 * one execution of the state machine (a second execution of the same day is another holder, so it
 * stops at its plan instead of clearing and writing the first's folder). Named by the execution
 * alone: a plan retried after an export changed plans another run id, and must not find its own
 * execution's lock in its way. Without an execution (in-process runs), by the run id.
 */
export const scaleOutHolder = (runId: string, execution: string | undefined) =>
  `${SCALE_OUT_HOLDER}${execution ?? runId}`;

/**
 * Whether a lock holder is the one scaleOutHolder names for an execution (or, from before holders
 * were named by the execution alone, `scale-out:<run id>:<execution>`).
 */
const isHolderOfExecution = (holder: string, execution: string) =>
  holder === scaleOutHolder('', execution) ||
  (holder.startsWith(SCALE_OUT_HOLDER) && holder.endsWith(`:${execution}`));

/** The Glue database Athena's partition query reads (GLUE_DATABASE on AWS; unused locally). */
const catalog = () => ({
  database: process.env.GLUE_DATABASE ?? 'customer_value',
  athena: athenaServesTables(),
});

/** One function, the steps of the nightly state machine (see contract.ts and infra/scale-out.ts). */
export async function scaleOutStep(
  event: ScaleOutEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) {
  const ports = computePorts(context);
  switch (event.step) {
    case 'plan': {
      // Taken before the run's folder is cleared; held until publish, or until the state machine's
      // own time limit lapses it, plus a step's: an execution that times out skips its release,
      // and a step it started may run on for the function's time limit.
      const plan = await planRun(ports, runDay(event.as_of), catalog(), (runId) =>
        takeRunLock(
          ports.items,
          scaleOutHolder(runId, event.execution),
          Date.now() + NIGHTLY_RUN_HOURS * 3_600_000 + STEP_TIME_LIMIT_MINUTES * 60_000,
        ),
      );
      logger.info('nightly run planned', { ...plan, buckets: plan.buckets.length });
      return { ...plan, execution: event.execution };
    }
    case 'summarise':
      return summariseBucket(ports, event.run_id, event.bucket);
    case 'combine': {
      try {
        const combined = await combineRun(ports, runDay(event.as_of), event.run_id);
        return { tables: combined.tables, is_latest: combined.is_latest };
      } catch (error) {
        // clv.blockOnDrift: the run stops unpublished (the execution fails) and the drift is counted.
        if (error instanceof ClvDriftError) countClvDrift(error.check.warnings.length);
        throw error;
      }
    }
    case 'write_customers':
      return writeBucketCustomers(ports, runDay(event.as_of), event.run_id, event.bucket);
    case 'release': {
      const holder = await failedRunHolder(ports.items, event.run);
      // Not at once: the failed run's map children may still be running (a step lives up to the
      // function's time limit), and a new run must not start under them.
      if (holder !== null)
        await releaseRunLock(ports.items, holder, Date.now() + STEP_TIME_LIMIT_MINUTES * 60_000);
      logger.warn('nightly run failed; its run lock lapses once its steps have stopped', {
        ...event.run,
        holder,
      });
      return { released: holder !== null };
    }
    case 'publish': {
      const summary = await publishScaledRun(ports, runDay(event.as_of), event.run_id);
      await releaseRunLock(ports.items, scaleOutHolder(event.run_id, event.execution));
      countClvDrift(clvDriftWarnings(summary.warnings));
      const outcome = runOutcome(summary);
      logger.info('scaled-out run published', { ...outcome });
      return outcome;
    }
  }
}

/**
 * The holder of the run lock a failed execution took: by its run id, or, when its plan failed
 * after taking the lock (no run id in the state), the lock's holder if it names this execution.
 */
async function failedRunHolder(
  items: Pick<ItemStore, 'get'>,
  run: ReleaseEvent['run'],
): Promise<string | null> {
  if (typeof run.run_id === 'string') return scaleOutHolder(run.run_id, run.execution);
  if (run.execution === undefined) return null;
  const lock = await items.get(RUN_LOCK_KEY.PK, RUN_LOCK_KEY.SK);
  const holder = typeof lock?.holder === 'string' ? lock.holder : '';
  return isHolderOfExecution(holder, run.execution) ? holder : null;
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
