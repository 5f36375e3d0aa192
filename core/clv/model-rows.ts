import type { IsoDate } from '../records.ts';
import type { FitOutcome } from './fit-log-scale.ts';

/** Every model that writes rows to `clv_models` (design.md, "Output tables"). */
export type ClvModelName = 'bgnbd' | 'pareto_nbd' | 'mbgnbd' | 'bgbb' | 'sbg' | 'gamma_gamma';

/** One row of the `clv_models` table (columns in core/tables.ts). */
export interface ClvModelRow {
  model: ClvModelName;
  /** `all`, or `<dimension>=<value>` for a model fitted on part of the base (sBG per plan, ...). */
  scope: string;
  parameter: string;
  value: number | null;
  /** From the observed information at the optimum; null when undefined (see standard-errors.ts). */
  std_error: number | null;
  log_likelihood: number | null;
  customers: number;
  converged: boolean;
  calibration_end: IsoDate;
  /** Unit of the model's time: days or weeks (continuous models), or month, quarter, year (periods). */
  time_unit: string;
  note: string | null;
}

export interface RowContext {
  model: ClvModelName;
  calibrationEnd: IsoDate;
  timeUnit: string;
  customers: number;
  /** Default `all`. */
  scope?: string;
}

/** One row per fitted parameter; notes (flat likelihood, runaway parameter, ...) go on every row. */
export function fittedModelRows(
  context: RowContext,
  names: readonly string[],
  fit: FitOutcome,
  extraNotes: string[] = [],
): ClvModelRow[] {
  const notes = [...fit.notes, ...extraNotes];
  return names.map((parameter, i) => {
    const error = fit.standardErrors[i];
    return {
      model: context.model,
      scope: context.scope ?? 'all',
      parameter,
      value: fit.params[i]!,
      std_error: error !== undefined && Number.isFinite(error) ? error : null,
      log_likelihood: fit.logLikelihood,
      customers: context.customers,
      converged: fit.converged,
      calibration_end: context.calibrationEnd,
      time_unit: context.timeUnit,
      note: notes.length > 0 ? notes.join('; ') : null,
    };
  });
}

/** A single row saying, in plain words, why the model was not fitted. */
export function notFittedRow(context: RowContext, reason: string): ClvModelRow {
  return {
    model: context.model,
    scope: context.scope ?? 'all',
    parameter: 'not_fitted',
    value: null,
    std_error: null,
    log_likelihood: null,
    customers: context.customers,
    converged: false,
    calibration_end: context.calibrationEnd,
    time_unit: context.timeUnit,
    note: reason,
  };
}
