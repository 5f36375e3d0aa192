import type { IsoDate } from '../records.ts';
import type { FitOutcome } from './fit-log-scale.ts';
import type { TimeUnit } from './rfm-types.ts';

/** One row of the `clv_models` table (columns in core/tables.ts). */
export interface ClvModelRow {
  model: 'bgnbd' | 'pareto_nbd' | 'gamma_gamma';
  parameter: string;
  value: number | null;
  log_likelihood: number | null;
  customers: number;
  converged: boolean;
  calibration_end: IsoDate;
  time_unit: TimeUnit;
  note: string | null;
}

interface RowContext {
  model: ClvModelRow['model'];
  calibrationEnd: IsoDate;
  timeUnit: TimeUnit;
  customers: number;
}

/** One row per fitted parameter; notes (flat likelihood, runaway parameter, ...) go on every row. */
export function fittedModelRows(
  context: RowContext,
  names: readonly string[],
  fit: FitOutcome,
  extraNotes: string[] = [],
): ClvModelRow[] {
  const notes = [...fit.notes, ...extraNotes];
  return names.map((parameter, i) => ({
    model: context.model,
    parameter,
    value: fit.params[i]!,
    log_likelihood: fit.logLikelihood,
    customers: context.customers,
    converged: fit.converged,
    calibration_end: context.calibrationEnd,
    time_unit: context.timeUnit,
    note: notes.length > 0 ? notes.join('; ') : null,
  }));
}

/** A single row saying, in plain words, why the model was not fitted. */
export function notFittedRow(context: RowContext, reason: string): ClvModelRow {
  return {
    model: context.model,
    parameter: 'not_fitted',
    value: null,
    log_likelihood: null,
    customers: context.customers,
    converged: false,
    calibration_end: context.calibrationEnd,
    time_unit: context.timeUnit,
    note: reason,
  };
}
