/**
 * The events and results of the scale-out steps: what the Step Functions state machine
 * (infra/scale-out.ts) passes between its states, and what the in-process orchestrator
 * (functions/scale-out/run-scale-out.ts) passes between the same steps locally.
 */

/** The nightly state machine's time limit; a scaled-out run holds the run lock as long. */
export const NIGHTLY_RUN_HOURS = 2;

/** The scale-out function's time limit (infra/stack.ts): how long a step may outlive its execution. */
export const STEP_TIME_LIMIT_MINUTES = 15;

/** `{ step: 'plan' }`: reconcile the exports, decide the path, write the run's manifest. */
export interface PlanEvent {
  step: 'plan';
  /** The day to compute; today in the business time zone when absent. */
  as_of?: string;
  /**
   * The state machine execution's name: with the run id it names the run lock's holder, so two
   * executions of one day never share the run's folder (absent when invoked by hand).
   */
  execution?: string;
}

export interface ScalePlan {
  as_of: string;
  run_id: string;
  /** False: the curated transactions are under compute.scaleOutAboveBytes; run the embedded compute. */
  scale_out: boolean;
  /** One entry per bucket, the Distributed Map's items: `[{ bucket: 0 }, { bucket: 1 }, ...]`. */
  buckets: { bucket: number }[];
  /**
   * The lake key of the partition step's Athena (Trino) statements, a JSON array of strings: they
   * write the curated rows of the exports that count into the run's staging prefix, partitioned by
   * bucket of customer_id (UNLOAD ... WITH partitioned_by), and the service costs' set queries. The
   * state machine's Partition map reads them from there (each lists its table's export ids, and a
   * state's data is capped at 256 KiB) and runs each as one Athena query in the project's
   * workgroup. Null on the embedded path.
   */
  partition_queries_key: string | null;
  /** How many statements that file holds. */
  partition_query_count: number;
  /** The plan event's execution, handed on to publish, which lets the run lock go. */
  execution?: string;
}

/** Per bucket (Distributed Map): the bucket's customers' facts and partial run-level sums. */
export interface SummariseEvent {
  step: 'summarise';
  as_of: string;
  run_id: string;
  bucket: number;
}

/** One function: the rules across customers, the CLV fit, every table but customer_metrics staged. */
export interface CombineEvent {
  step: 'combine';
  as_of: string;
  run_id: string;
}

/**
 * Per bucket (Distributed Map): the bucket's customer_metrics part, made from the ledger combine
 * wrote for it, and the LATEST lookup items of the bucket's customers.
 */
export interface WriteCustomersEvent {
  step: 'write_customers';
  as_of: string;
  run_id: string;
  bucket: number;
}

/** Makes the staged run visible and records it. */
export interface PublishEvent {
  step: 'publish';
  as_of: string;
  run_id: string;
  /** The plan event's execution (the run lock's holder). */
  execution?: string;
}

/**
 * A failed execution's last step: the run lock let go if this execution's plan took it. `run` is
 * the state where the run failed (the plan, or the plan event when the plan itself failed).
 */
export interface ReleaseEvent {
  step: 'release';
  run: { run_id?: string; execution?: string };
}

export type ScaleOutEvent =
  | PlanEvent
  | SummariseEvent
  | CombineEvent
  | WriteCustomersEvent
  | PublishEvent
  | ReleaseEvent;
export type ScaleOutStep = ScaleOutEvent['step'];
