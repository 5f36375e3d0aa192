/**
 * Turns target export rows into plannable targets: each (fiscal year, metric) becomes a forest of scopes
 * where a child with a `share` is split from its parent. Every row that cannot be planned becomes a
 * TargetError naming its export line; the rest still plan.
 */
import { type Money, sumMoney, toUnscaled } from '../money.ts';
import type { TargetMetric, TargetRecord } from '../records.ts';
import type { TargetError, TargetErrorCode } from './errors.ts';
import { parseScope, type Scope, scopeKey, scopeRank } from './scopes.ts';

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

export interface ValidateContext {
  /** Decimal places of the metric's smallest unit: money scale, or 0 for counts. */
  scaleOf(metric: TargetMetric): number;
  /** Null when the fiscal year has a calendar, else why not. */
  calendarProblem(fiscalYear: number): string | null;
  /** Team of each rep, so a rep's share splits its team (else the company). */
  repTeams: Readonly<Record<string, string>>;
}

export const COUNT_METRICS: ReadonlySet<TargetMetric> = new Set(['orders', 'new_customers']);

interface Candidate {
  record: TargetRecord;
  scope: Scope;
  key: string;
}

export function validateTargets(
  records: readonly TargetRecord[],
  context: ValidateContext,
): { groups: TargetGroup[]; errors: TargetError[] } {
  const errors: TargetError[] = [];
  const fail = (record: TargetRecord, code: TargetErrorCode, message: string, scope = record.scope) => {
    errors.push({
      code,
      source_line: record.source_line,
      fiscal_year: record.fiscal_year,
      scope,
      metric: record.metric,
      message: `line ${record.source_line}: ${message}`,
    });
  };

  const byGroup = new Map<string, Candidate[]>();
  const seen = new Map<string, TargetRecord>();
  for (const record of records) {
    const scope = parseScope(record.scope);
    if (!scope) {
      fail(record, 'unknown_scope', `scope "${record.scope}" is not company, team:<id> or rep:<id>`);
      continue;
    }
    const key = scopeKey(scope);
    const what = `${record.metric} target for ${key} in FY${record.fiscal_year}`;
    const calendarProblem = context.calendarProblem(record.fiscal_year);
    if (calendarProblem) {
      fail(record, 'no_calendar', `${what}: ${calendarProblem}`, key);
      continue;
    }
    if (record.amount.isNegative()) {
      fail(record, 'negative_target', `${what} is negative (${record.amount.toString()})`, key);
      continue;
    }
    if (record.share && (record.share.isNegative() || record.share.greaterThan(1))) {
      fail(record, 'invalid_share', `${what}: share ${record.share.toString()} is not between 0 and 1`, key);
      continue;
    }
    if (COUNT_METRICS.has(record.metric) && !record.share && !record.amount.isInteger()) {
      fail(record, 'not_whole', `${what} must be a whole number, got ${record.amount.toString()}`, key);
      continue;
    }
    if (record.metric === 'margin_pct' && record.share) {
      fail(
        record,
        'invalid_share',
        `${what}: a margin is a rate, weighted by revenue: give the scope its own rate, not a share`,
        key,
      );
      continue;
    }
    const groupKey = `${scenarioOf(record)}|${record.fiscal_year}|${record.metric}`;
    // As a JSON array: scenario and scope ids may hold any character, `|` included.
    const identity = JSON.stringify([scenarioOf(record), record.fiscal_year, record.metric, key]);
    const earlier = seen.get(identity);
    if (earlier) {
      fail(record, 'duplicate_target', `${what} is already given on line ${earlier.source_line}`, key);
      continue;
    }
    seen.set(identity, record);
    const list = byGroup.get(groupKey) ?? [];
    list.push({ record, scope, key });
    byGroup.set(groupKey, list);
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
    // Parents before children: company, then teams, then reps (stable, so export order within a rank).
    const ordered = [...candidates].sort((a, b) => scopeRank(a.scope) - scopeRank(b.scope));
    for (let rank = 0; rank <= 2; rank++) {
      const sharesByParent = new Map<string, Candidate[]>();
      for (const candidate of ordered.filter((c) => scopeRank(c.scope) === rank)) {
        const { record, key } = candidate;
        if (!record.share || candidate.scope.kind === 'company') {
          const target: ScopeTarget = {
            scope: key,
            record,
            units: toUnscaled(record.amount, scale),
            share: null,
            children: [],
          };
          valid.set(key, target);
          group.roots.push(target);
          continue;
        }
        const parent = parentOf(candidate.scope, context.repTeams);
        if (!valid.has(parent)) {
          const what = `${record.metric} target for ${key} in FY${record.fiscal_year}`;
          fail(record, 'missing_parent', `${what} is a share of ${parent}, which has no valid target`, key);
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
    if (group.roots.length > 0) groups.push(group);
  }
  return { groups, errors };
}

/** The record's scenario: `plan` when blank. */
export function scenarioOf(record: TargetRecord): string {
  const scenario = (record.scenario ?? '').trim();
  return scenario === '' ? 'plan' : scenario;
}

/** A team splits the company; a rep splits its team when the rep's team is known, else the company. */
function parentOf(scope: Scope, repTeams: Readonly<Record<string, string>>): string {
  if (scope.kind === 'rep' && Object.hasOwn(repTeams, scope.id)) return `team:${repTeams[scope.id]}`;
  return 'company';
}
