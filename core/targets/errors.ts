import type { TargetMetric } from '../records.ts';

/** Why a target export row could not be planned. */
export type TargetRowErrorCode =
  /** The fiscal year needs a holiday calendar that is not published or configured. */
  | 'no_calendar'
  /** The shares splitting one parent do not add up to exactly 1. */
  | 'shares_not_one'
  | 'negative_target'
  /** A share outside 0..1. */
  | 'invalid_share'
  /** A count target (orders, new customers) that is not a whole number. */
  | 'not_whole'
  /** A planned money amount with more decimals than the configured money scale (`targets.moneyScale`). */
  | 'too_many_decimals'
  /** A scope that is not `company`, `team:<id>` or `rep:<id>`. */
  | 'unknown_scope'
  /** A share whose parent scope has no valid target for the same year and metric. */
  | 'missing_parent'
  | 'duplicate_target'
  /** A margin_pct target whose scope has no revenue target to weight it by. */
  | 'no_revenue_target';

export type TargetErrorCode = TargetRowErrorCode;

/** A target export row that could not be planned, named by its line so finance can fix the file. */
export interface TargetRowError {
  code: TargetRowErrorCode;
  /** 1-based line of the export row (TargetRecord.source_line). */
  source_line: number;
  /** The export the row came from (TargetRecord.export_id): a line number alone is ambiguous across files. */
  export_id?: string;
  fiscal_year: number;
  scope: string;
  metric: TargetMetric;
  /** Names the file (when known) and the line, e.g. `targets/fy2026.csv: line 7: ...`. */
  message: string;
}

export type TargetError = TargetRowError;

/** A configuration the calendar cannot be built from: an operator error, not a data error. */
export class TargetsConfigError extends Error {
  override name = 'TargetsConfigError';
}
