/**
 * Structured progress of a local run, for the CLI's progress line: what a step has done so far, out
 * of what total when known. A step emits an event when it starts, as work gets done, and once with
 * `finished` when it ends.
 */
export interface ProgressAmounts {
  /** Files, exports, tables: whatever the step counts one by one. */
  items?: number;
  rows?: number;
  bytes?: number;
}

export interface ProgressEvent {
  /** `upload`, `ingest`, `compute`, `publish` for `cval run`. */
  step: string;
  /** What is being worked on now (an export's key). */
  item?: string;
  /** Done so far in this step. */
  done: ProgressAmounts;
  /** The whole step, where known beforehand. */
  total?: ProgressAmounts;
  finished?: boolean;
}

export type ProgressListener = (event: ProgressEvent) => void;
