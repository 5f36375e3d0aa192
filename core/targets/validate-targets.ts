/**
 * Turns target export rows into plannable targets: each (fiscal year, metric) becomes a forest of scopes
 * where a child with a `share` is split from its parent. Every row that cannot be planned becomes a
 * TargetRowError naming its export line; the rest still plan.
 */
import { allocateCount, type Money, sumMoney, toUnscaled } from '../money.ts';
import type { TargetMetric, TargetRecord } from '../records.ts';
import type { TargetRowError, TargetRowErrorCode } from './errors.ts';
import { parseScope, type Scope, scopeKey, scopeRank } from './scopes.ts';
import { fromUnits } from './target-rows.ts';

export interface ScopeTarget {
  /** Canonical scope text. */
  scope: string;
  record: TargetRecord;
  /** Annual target in smallest units (cents, or whole counts) for roots; set by the breakdown for shares. */
  units: bigint | null;
  share: Money | null;
  /** Scopes split from this one by share, in export order. */
  children: ScopeTarget[];
  /** A rep added from the roster to split its team by capacity (`share` holds the capacity). */
  fromRoster?: boolean;
}

export interface TargetGroup {
  /** `plan` unless the export names another scenario. */
  scenario: string;
  fiscalYear: number;
  metric: TargetMetric;
  /** Targets given as amounts: company, or a team/rep without a share. */
  roots: ScopeTarget[];
}

/** An export target rows came from (TargetRecord.export_id names it). */
export interface TargetSource {
  /** The export's object key, e.g. `targets/fy2026.csv`: what finance knows the file by. */
  file: string;
  /** When the export was received (ISO instant, the registry's received_at); null when unknown. */
  receivedAt?: string | null;
}

export type TargetSources = ReadonlyMap<string, TargetSource>;

export interface ValidateContext {
  /** Decimal places of the metric's smallest unit: money scale, or 0 for counts. */
  scaleOf(metric: TargetMetric): number;
  /** Null when the fiscal year has a calendar, else why not. */
  calendarProblem(fiscalYear: number): string | null;
  /**
   * The teams a rep was in during a fiscal year, the likeliest first (see roster.ts, teamsDuring):
   * a rep's share splits the first of them with a target; none known, the company.
   */
  teamsOf(repId: string, fiscalYear: number): readonly string[];
  /** The exports the records came from, by export id; without it messages name the line alone. */
  exports?: TargetSources;
}

export const COUNT_METRICS: ReadonlySet<TargetMetric> = new Set(['orders', 'new_customers']);

interface Candidate {
  record: TargetRecord;
  scope: Scope;
  key: string;
  groupKey: string;
  /** The target the row sets: two valid rows with the same identity are duplicates. */
  identity: string;
}

export function validateTargets(
  records: readonly TargetRecord[],
  context: ValidateContext,
): { groups: TargetGroup[]; errors: TargetRowError[]; warnings: string[] } {
  const errors: TargetRowError[] = [];
  const warnings: string[] = [];
  const sources = context.exports;
  const failure = (
    record: TargetRecord,
    code: TargetRowErrorCode,
    message: string,
    scope = record.scope,
  ): TargetRowError => ({
    code,
    source_line: record.source_line,
    ...(record.export_id === undefined ? {} : { export_id: record.export_id }),
    fiscal_year: record.fiscal_year,
    scope,
    metric: record.metric,
    message: `${rowPlace(record, sources)}: ${message}`,
  });
  const fail = (record: TargetRecord, code: TargetRowErrorCode, message: string, scope = record.scope) => {
    errors.push(failure(record, code, message, scope));
  };

  const check = (record: TargetRecord): Candidate | TargetRowError => {
    const scope = parseScope(record.scope);
    if (!scope) {
      return failure(
        record,
        'unknown_scope',
        `scope "${record.scope}" is not company, team:<id> or rep:<id>`,
      );
    }
    const key = scopeKey(scope);
    const what = `${record.metric} target for ${key} in FY${record.fiscal_year}`;
    const calendarProblem = context.calendarProblem(record.fiscal_year);
    if (calendarProblem) return failure(record, 'no_calendar', `${what}: ${calendarProblem}`, key);
    if (record.amount.isNegative()) {
      return failure(record, 'negative_target', `${what} is negative (${record.amount.toString()})`, key);
    }
    if (record.share && (record.share.isNegative() || record.share.greaterThan(1))) {
      return failure(
        record,
        'invalid_share',
        `${what}: share ${record.share.toString()} is not between 0 and 1`,
        key,
      );
    }
    if (COUNT_METRICS.has(record.metric) && !record.share && !record.amount.isInteger()) {
      return failure(
        record,
        'not_whole',
        `${what} must be a whole number, got ${record.amount.toString()}`,
        key,
      );
    }
    // An amount the plan would have to round is refused rather than rounded: neither the design nor
    // the config (`moneyScale`: "the smallest currency unit") asks for rounding, and a rounded annual
    // target would be planned and reported as the figure finance set, with no sign it was not. As
    // for a fractional count, the row names its line so the file is fixed. A share row's amount is
    // not planned (its share is, with a warning when they disagree), and a margin is a rate used
    // exactly, so only an amount the plan takes as the target is checked.
    const scale = context.scaleOf(record.metric);
    const planned = !record.share || scope.kind === 'company';
    if (planned && record.metric !== 'margin_pct' && record.amount.decimalPlaces() > scale) {
      return failure(
        record,
        'too_many_decimals',
        `${what} is ${record.amount.toString()}, finer than the ${scale} decimals money targets are planned in (targets.moneyScale): give it to ${scale === 0 ? 'whole units' : `${scale} decimals`}`,
        key,
      );
    }
    if (record.metric === 'margin_pct' && record.share) {
      return failure(
        record,
        'invalid_share',
        `${what}: a margin is a rate, weighted by revenue: give the scope its own rate, not a share`,
        key,
      );
    }
    return {
      record,
      scope,
      key,
      groupKey: `${scenarioOf(record)}|${record.fiscal_year}|${record.metric}`,
      // As a JSON array: scenario and scope ids may hold any character, `|` included.
      identity: JSON.stringify([scenarioOf(record), record.fiscal_year, record.metric, key]),
    };
  };

  // Every row is checked before duplicates are settled: the row kept may come after the other.
  const checked = records.map(check);
  const kept = new Map<string, Candidate>();
  for (const item of checked) {
    if ('code' in item) continue;
    const other = kept.get(item.identity);
    if (!other || receivedOf(item.record, sources) > receivedOf(other.record, sources)) {
      kept.set(item.identity, item);
    }
  }

  const byGroup = new Map<string, Candidate[]>();
  for (const item of checked) {
    if ('code' in item) {
      errors.push(item);
      continue;
    }
    const { record, key } = item;
    const winner = kept.get(item.identity) as Candidate;
    if (winner !== item) {
      const what = `${record.metric} target for ${key} in FY${record.fiscal_year}`;
      fail(record, 'duplicate_target', `${what} ${duplicateOf(record, winner.record, sources)}`, key);
      continue;
    }
    const list = byGroup.get(item.groupKey) ?? [];
    list.push(item);
    byGroup.set(item.groupKey, list);
  }

  const groups: TargetGroup[] = [];
  for (const candidates of byGroup.values()) {
    const first = candidates[0] as Candidate;
    const group: TargetGroup = {
      scenario: scenarioOf(first.record),
      fiscalYear: first.record.fiscal_year,
      metric: first.record.metric,
      roots: [],
    };
    const scale = context.scaleOf(group.metric);
    const valid = new Map<string, ScopeTarget>();
    const shares: Candidate[] = [];
    // Parents before children: company, then teams, then reps (stable, so export order within a rank).
    const ordered = [...candidates].sort((a, b) => scopeRank(a.scope) - scopeRank(b.scope));
    for (const candidate of ordered) {
      const { record, key } = candidate;
      if (record.share && candidate.scope.kind !== 'company') {
        shares.push(candidate);
        continue;
      }
      const target: ScopeTarget = {
        scope: key,
        record,
        units: toUnscaled(record.amount, scale),
        share: null,
        children: [],
      };
      valid.set(key, target);
      group.roots.push(target);
    }

    // A parent's children are every share row whose parent it is, whatever their rank: the company's
    // are its teams' rows and those of reps with no known team, so they are gathered and checked as
    // one set (checked rank by rank, each rank's set could add up to 1 and the split then divided by
    // their total). The company's set is settled before any team's, since a team split by share is
    // only a valid parent once its own set is.
    const parentsByRow = new Map(
      shares.map((c) => [c, parentsOf(c.scope, c.record.fiscal_year, context)] as const),
    );
    const underCompany = (c: Candidate) => {
      const parents = parentsByRow.get(c) as string[];
      return parents.length === 1 && parents[0] === 'company';
    };
    for (const phase of [shares.filter(underCompany), shares.filter((c) => !underCompany(c))]) {
      const sharesByParent = new Map<string, Candidate[]>();
      for (const candidate of phase) {
        const { record, key } = candidate;
        const parents = parentsByRow.get(candidate) as string[];
        const parent = parents.find((p) => valid.has(p));
        if (parent === undefined) {
          const what = `${record.metric} target for ${key} in FY${record.fiscal_year}`;
          const which =
            parents.length === 1
              ? `${parents[0]}, which has no valid target`
              : `its team in FY${record.fiscal_year} (${parents.join(' or ')}), none of which has a valid target`;
          fail(record, 'missing_parent', `${what} is a share of ${which}`, key);
          continue;
        }
        const siblings = sharesByParent.get(parent) ?? [];
        siblings.push(candidate);
        sharesByParent.set(parent, siblings);
      }
      for (const [parentKey, siblings] of sharesByParent) {
        const total = sumMoney(siblings.map((s) => s.record.share as Money));
        if (!total.equals(1)) {
          const lines = siblings.map((s) => s.record.source_line).join(', ');
          for (const { record, key } of siblings) {
            fail(
              record,
              'shares_not_one',
              `shares of ${parentKey}'s FY${record.fiscal_year} ${record.metric} target (lines ${lines}) add up to ${total.toString()}, not 1`,
              key,
            );
          }
          continue;
        }
        const parent = valid.get(parentKey) as ScopeTarget;
        for (const { record, key } of siblings) {
          const child: ScopeTarget = { scope: key, record, units: null, share: record.share, children: [] };
          parent.children.push(child);
          valid.set(key, child);
        }
      }
    }
    for (const root of group.roots) {
      shareAmountWarnings(root, root.units as bigint, scale, (child, message) =>
        warnings.push(`${rowPlace(child.record, sources)}: ${message}`),
      );
    }
    if (group.roots.length > 0) groups.push(group);
  }
  return { groups, errors, warnings };
}

/** Where a row is, for messages: `<file>: line N`, or `line N` when its file is not known. */
export function rowPlace(record: TargetRecord, sources: TargetSources | undefined): string {
  const file = record.export_id === undefined ? undefined : sources?.get(record.export_id)?.file;
  return file ? `${file}: line ${record.source_line}` : `line ${record.source_line}`;
}

/**
 * The receipt of a row's export, for choosing between duplicates. A newer file supersedes an older
 * one, so of two valid rows for one target the one from the export received later is planned.
 * Records do not carry their receipt, only their export id: it comes from the sources (the
 * registry's received_at). A row whose receipt is unknown yields to one whose is known (''), and
 * between equal or unknown receipts (always so within one export) the row read first is kept, as
 * a file reads top to bottom. The choice then rests on the input order, which the snapshot gives
 * the same on every run (parts as the lake lists their keys, by export id).
 */
function receivedOf(record: TargetRecord, sources: TargetSources | undefined): string {
  return (record.export_id === undefined ? undefined : sources?.get(record.export_id)?.receivedAt) ?? '';
}

/** The rest of a duplicate's message: where the row planned instead is, and why that one. */
function duplicateOf(record: TargetRecord, kept: TargetRecord, sources: TargetSources | undefined): string {
  if (record.export_id === kept.export_id) return `is already given on line ${kept.source_line}`;
  const file = kept.export_id === undefined ? undefined : sources?.get(kept.export_id)?.file;
  const place = file
    ? `${file} line ${kept.source_line}`
    : `line ${kept.source_line} of ${kept.export_id === undefined ? 'another export' : `export ${kept.export_id}`}`;
  const why =
    receivedOf(kept, sources) > receivedOf(record, sources)
      ? 'its export was received later'
      : 'neither export is known to be newer, so the row read first is kept';
  return `is also given on ${place}, which is the one planned: ${why}`;
}

/**
 * Warns of each share row under `parent` whose amount disagrees with its share: the share is
 * planned, so a stale amount or a wrong share would otherwise pass unseen. The figure compared is
 * the one the breakdown plans (the largest-remainder split of the parent's units, as
 * splitAmongChildren makes it), exactly at the metric's scale: an amount rounded the way the plan
 * rounds is no disagreement, and no tolerance hides a cent. A zero amount is no figure at all: the
 * column is required, so a row that splits by share must put something there.
 */
function shareAmountWarnings(
  parent: ScopeTarget,
  units: bigint,
  scale: number,
  warn: (child: ScopeTarget, message: string) => void,
): void {
  if (parent.children.length === 0) return;
  const split = allocateCount(
    units,
    parent.children.map((c) => c.share as Money),
  );
  const figure = (value: bigint) => fromUnits(value, scale).toFixed(scale);
  parent.children.forEach((child, i) => {
    const planned = split[i] as bigint;
    const { amount, share, metric, fiscal_year } = child.record;
    if (!amount.isZero() && !amount.equals(fromUnits(planned, scale))) {
      warn(
        child,
        `${metric} target for ${child.scope} in FY${fiscal_year}: amount ${amount.toFixed(Math.max(scale, amount.decimalPlaces()))} disagrees with share ${(share as Money).toString()} of ${parent.scope}'s ${figure(units)}, which is ${figure(planned)}: the share is planned`,
      );
    }
    shareAmountWarnings(child, planned, scale, warn);
  });
}

/** The record's scenario: `plan` when blank. */
export function scenarioOf(record: TargetRecord): string {
  const scenario = (record.scenario ?? '').trim();
  return scenario === '' ? 'plan' : scenario;
}

/**
 * The scopes a share row may split, the likeliest first: a team splits the company; a rep splits
 * one of its teams of the row's fiscal year when they are known, else the company.
 */
function parentsOf(scope: Scope, fiscalYear: number, context: ValidateContext): string[] {
  const teams = scope.kind === 'rep' ? context.teamsOf(scope.id, fiscalYear) : [];
  return teams.length === 0 ? ['company'] : teams.map((team) => `team:${team}`);
}
