import type { IsoDate } from '../records.ts';

/**
 * Drift check (issue 17, section 4): tonight's fitted parameters against the last published run's.
 * A model whose parameters jump between nights usually means the data changed under it (an export
 * replaced, a currency mixed in, a cut-off moved), and every prediction built on it moves too.
 */

/** The part of a `clv_models` row the check reads. */
export interface ParameterValue {
  model: string;
  scope: string;
  parameter: string;
  value: number | null;
}

export interface DriftFinding {
  model: string;
  scope: string;
  parameter: string;
  previous: number;
  current: number;
  /** (current - previous) / previous. */
  relativeChange: number;
}

export interface DriftCheck {
  /** The run compared with. */
  previousAsOf: IsoDate;
  threshold: number;
  /** Parameters that moved more than the threshold, in tonight's row order. */
  findings: DriftFinding[];
  /** One plain-words warning per model and scope with a finding. */
  warnings: string[];
}

/**
 * Compares every parameter fitted in both runs (same model, scope and parameter name, a finite
 * positive value in each): a relative move beyond `threshold` is a finding. A model fitted in only
 * one of the runs (auto chose another, a plan appeared) is not compared: there is nothing to move.
 */
export function checkParameterDrift(
  previous: readonly ParameterValue[],
  current: readonly ParameterValue[],
  options: { previousAsOf: IsoDate; threshold: number },
): DriftCheck {
  const key = (row: ParameterValue) => `${row.model}\u0000${row.scope}\u0000${row.parameter}`;
  const before = new Map<string, number>();
  for (const row of previous) if (usable(row.value)) before.set(key(row), row.value);
  const findings: DriftFinding[] = [];
  for (const row of current) {
    if (!usable(row.value)) continue;
    const earlier = before.get(key(row));
    if (earlier === undefined) continue;
    const relativeChange = (row.value - earlier) / earlier;
    if (Math.abs(relativeChange) > options.threshold)
      findings.push({
        model: row.model,
        scope: row.scope,
        parameter: row.parameter,
        previous: earlier,
        current: row.value,
        relativeChange,
      });
  }
  const groups = new Map<string, DriftFinding[]>();
  for (const finding of findings) {
    const group = `${finding.model} (${finding.scope})`;
    groups.set(group, [...(groups.get(group) ?? []), finding]);
  }
  const limit = formatPercent(options.threshold);
  const warnings = [...groups].map(
    ([group, moved]) =>
      `clv drift: ${group} moved more than ${limit} since the run of ${options.previousAsOf}: ${moved
        .map(
          (f) =>
            `${f.parameter} ${f.previous.toPrecision(4)} -> ${f.current.toPrecision(4)} (${f.relativeChange > 0 ? '+' : ''}${formatPercent(f.relativeChange)})`,
        )
        .join(', ')}`,
  );
  return { previousAsOf: options.previousAsOf, threshold: options.threshold, findings, warnings };
}

function usable(value: number | null): value is number {
  return value !== null && Number.isFinite(value) && value > 0;
}

function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

/** The run stopped because its model moved too far (clv.blockOnDrift); nothing was published. */
export class ClvDriftError extends Error {
  constructor(readonly check: DriftCheck) {
    super(
      `not published: the CLV model drifted beyond clv.driftThreshold (${formatPercent(check.threshold)}) since the run of ${check.previousAsOf}, and clv.blockOnDrift is set. ${check.warnings.join('; ')}. Check the exports behind tonight's run, or raise clv.driftThreshold / unset clv.blockOnDrift to publish anyway.`,
    );
    this.name = 'ClvDriftError';
  }
}

/**
 * The drift policy: the check's warnings for the run, or, with `blockOnDrift` and any finding, a
 * ClvDriftError to throw before anything is staged.
 */
export function driftOutcome(
  check: DriftCheck | null,
  blockOnDrift: boolean,
): { warnings: string[]; error: ClvDriftError | null } {
  if (!check || check.findings.length === 0) return { warnings: [], error: null };
  return { warnings: check.warnings, error: blockOnDrift ? new ClvDriftError(check) : null };
}
