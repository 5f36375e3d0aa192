import { addMonths } from '../calendar.ts';
import { Money, ZERO } from '../money.ts';
import type { IsoDate, SubscriptionRecord } from '../records.ts';
import { compareCodePoints } from '../text/code-points.ts';
import type { ClvModelConfig, SubscriptionDimension } from './config.ts';
import { type ClvModelRow, fittedModelRows, notFittedRow } from './model-rows.ts';
import { fitSbg, SBG_PARAMETER_NAMES, type SbgData, type SbgFit, sbgDerl, sbgSurvival } from './sbg.ts';

/**
 * Contractual customers (issue 17, part 1): the `subscriptions` export turned into right-censored
 * lifetimes, sBG fitted for all subscriptions and per value of each configured dimension, the
 * `subscription_retention` table, and each customer's contractual CLV (DERL x recurring margin).
 */
export type { SubscriptionRecord } from '../records.ts';

export type BillingPeriod = 'month' | 'quarter' | 'year';

export const MONTHS_PER_BILLING_PERIOD: Record<BillingPeriod, number> = { month: 1, quarter: 3, year: 12 };

const BILLING_PERIOD_NAMES: Record<string, BillingPeriod> = {
  month: 'month',
  monthly: 'month',
  m: 'month',
  月: 'month',
  月付: 'month',
  月度: 'month',
  按月: 'month',
  每月: 'month',
  quarter: 'quarter',
  quarterly: 'quarter',
  q: 'quarter',
  季: 'quarter',
  季付: 'quarter',
  季度: 'quarter',
  按季: 'quarter',
  每季: 'quarter',
  year: 'year',
  yearly: 'year',
  annual: 'year',
  annually: 'year',
  y: 'year',
  年: 'year',
  年付: 'year',
  年度: 'year',
  按年: 'year',
  每年: 'year',
};

/** The billing period a cell names; blank = month; null when it names none. */
export function normaliseBillingPeriod(raw: string | null): BillingPeriod | null {
  if (raw === null || raw.trim() === '') return 'month';
  return BILLING_PERIOD_NAMES[raw.trim().toLowerCase()] ?? null;
}

/** Month arithmetic is the calendar module's (clamped to the month's last day). */
export { addMonths };

/** Whole periods from `start` whose anniversary is on or before `date` (0 when `date` < first anniversary). */
export function periodsBetween(start: IsoDate, date: IsoDate, monthsPerPeriod: number): number {
  const months =
    (Number(date.slice(0, 4)) - Number(start.slice(0, 4))) * 12 +
    Number(date.slice(5, 7)) -
    Number(start.slice(5, 7));
  let k = Math.max(0, Math.floor(months / monthsPerPeriod) + 1);
  while (k > 0 && addMonths(start, k * monthsPerPeriod) > date) k--;
  return k;
}

/** One subscription as the model sees it. */
interface Lifetime {
  record: SubscriptionRecord;
  period: BillingPeriod;
  /** Renewals observable by as_of: periods whose anniversary is on or before as_of. */
  observed: number;
  /** The period it ended in (T), when its end is known and the renewal it missed is past. */
  churnedAt: number | null;
  /** Still paying at as_of with no end date. */
  active: boolean;
}

/**
 * A subscription started on S has survived k periods if it was still paid for at S + k periods:
 * with ended_on E (the last day paid), it survived k periods while S + k periods <= E, so it ended
 * in period T = (those k) + 1. Its churn is seen once the renewal it missed (S + T periods) is on
 * or before as_of; until then, and while active, it is right-censored at the periods observed.
 */
function lifetimeOf(record: SubscriptionRecord, period: BillingPeriod, asOf: IsoDate): Lifetime {
  const months = MONTHS_PER_BILLING_PERIOD[period];
  const observed = periodsBetween(record.started_on, asOf, months);
  let churnedAt: number | null = null;
  if (record.ended_on !== null) {
    const ended = periodsBetween(record.started_on, record.ended_on, months) + 1;
    if (ended <= observed) churnedAt = ended;
  }
  return { record, period, observed, churnedAt, active: record.ended_on === null };
}

interface Scope {
  name: string;
  period: BillingPeriod;
  lifetimes: Lifetime[];
}

function dimensionValue(record: SubscriptionRecord, dimension: SubscriptionDimension): string | null {
  const start = record.started_on;
  switch (dimension) {
    case 'plan':
      return record.plan === null || record.plan.trim() === '' ? null : record.plan.trim();
    case 'start_year':
      return start.slice(0, 4);
    case 'start_quarter':
      return `${start.slice(0, 4)}-Q${Math.floor((Number(start.slice(5, 7)) - 1) / 3) + 1}`;
    case 'start_month':
      return start.slice(0, 7);
  }
}

/** SbgData of a group of lifetimes. */
export function sbgDataOf(lifetimes: readonly { observed: number; churnedAt: number | null }[]): SbgData {
  let longest = 0;
  for (const l of lifetimes) longest = Math.max(longest, l.churnedAt ?? l.observed);
  const churned = new Float64Array(longest + 1);
  const censored = new Float64Array(longest + 1);
  for (const l of lifetimes) {
    if (l.churnedAt !== null) churned[l.churnedAt]! += 1;
    else censored[l.observed]! += 1;
  }
  return { churned, censored };
}

/** A row of the `subscription_retention` table (columns in core/tables.ts). */
export interface SubscriptionRetentionRow {
  scope: string;
  billing_period: BillingPeriod;
  period_index: number;
  at_risk: number | null;
  survivors: number | null;
  observed_survival: number | null;
  fitted_survival: number | null;
  fitted_retention: number | null;
  expected_active: number | null;
  projected: boolean;
}

export interface SubscriptionValueResult {
  /** sBG rows for `clv_models`. */
  models: ClvModelRow[];
  retention: SubscriptionRetentionRow[];
  /** Per customer: Σ over active subscriptions of DERL x recurring margin (exact margin x estimate). */
  contractualValue: Map<string, Money>;
  notes: string[];
}

/**
 * Fits sBG per billing period for `all` and per value of each dimension, and values every active
 * subscription with the DERL of the first dimension's scope it belongs to that was fitted (else
 * `all`). Never throws on bad rows: they are left out and counted in `notes`.
 */
export function valueSubscriptions(
  records: readonly SubscriptionRecord[],
  asOf: IsoDate,
  config: ClvModelConfig,
): SubscriptionValueResult {
  const notes: string[] = [];
  const models: ClvModelRow[] = [];
  const retention: SubscriptionRetentionRow[] = [];
  const contractualValue = new Map<string, Money>();
  if (records.length === 0) return { models, retention, contractualValue, notes };

  const byPeriod = new Map<BillingPeriod, Lifetime[]>();
  let endsBeforeStart = 0;
  let notStarted = 0;
  const unknownPeriods = new Map<string, number>();
  for (const record of records) {
    const period = normaliseBillingPeriod(record.billing_period);
    if (period === null) {
      const raw = String(record.billing_period);
      unknownPeriods.set(raw, (unknownPeriods.get(raw) ?? 0) + 1);
      continue;
    }
    if (record.ended_on !== null && record.ended_on < record.started_on) {
      endsBeforeStart++;
      continue;
    }
    if (record.started_on > asOf) {
      notStarted++;
      continue;
    }
    const list = byPeriod.get(period) ?? [];
    list.push(lifetimeOf(record, period, asOf));
    byPeriod.set(period, list);
  }
  if (endsBeforeStart > 0)
    notes.push(
      `${endsBeforeStart} subscription(s) end before they start (ended_on < started_on): left out of sBG`,
    );
  for (const [raw, count] of unknownPeriods)
    notes.push(
      `${count} subscription(s) have billing period "${raw}", which is none of month, quarter, year: left out of sBG`,
    );
  if (notStarted > 0) notes.push(`${notStarted} subscription(s) start after ${asOf}: not yet counted`);

  const periodRate = (period: BillingPeriod) =>
    (1 + config.annualDiscountRate) ** (MONTHS_PER_BILLING_PERIOD[period] / 12) - 1;
  for (const [period, lifetimes] of [...byPeriod].sort(([a], [b]) => compareCodePoints(a, b))) {
    const scopes: Scope[] = [{ name: 'all', period, lifetimes }];
    for (const dimension of config.subscriptionDimensions) {
      const groups = new Map<string, Lifetime[]>();
      for (const l of lifetimes) {
        const value = dimensionValue(l.record, dimension);
        if (value === null) continue;
        const group = groups.get(value) ?? [];
        group.push(l);
        groups.set(value, group);
      }
      // Code point order: the same on every machine, whatever its locale (localeCompare is not).
      for (const [value, group] of [...groups].sort(([a], [b]) => compareCodePoints(a, b)))
        scopes.push({ name: `${dimension}=${value}`, period, lifetimes: group });
    }
    const fits = new Map<string, SbgFit>();
    for (const scope of scopes) {
      const fit = fitScope(scope, asOf, config, models);
      if (fit) fits.set(scope.name, fit);
      retention.push(...retentionRows(scope, fit, config));
    }
    const discount = periodRate(period);
    const derlCache = new Map<string, number>();
    for (const l of lifetimes) {
      if (!l.active) continue;
      const revenue = l.record.recurring_revenue;
      if (revenue === null) continue;
      const margin = revenue.minus(l.record.recurring_cost ?? ZERO);
      let scopeName = 'all';
      for (const dimension of config.subscriptionDimensions) {
        const value = dimensionValue(l.record, dimension);
        if (value !== null && fits.has(`${dimension}=${value}`)) {
          scopeName = `${dimension}=${value}`;
          break;
        }
      }
      const fit = fits.get(scopeName);
      if (!fit) continue;
      const key = `${scopeName}|${l.observed}`;
      let derl = derlCache.get(key);
      if (derl === undefined) {
        derl = sbgDerl(fit.parameters, l.observed, discount);
        derlCache.set(key, derl);
      }
      if (!Number.isFinite(derl)) continue;
      const id = l.record.customer_id;
      contractualValue.set(id, (contractualValue.get(id) ?? ZERO).plus(margin.times(new Money(derl))));
    }
  }
  // Rows left out are reported where the fits are read, too: on the `all` rows (or alone).
  const dataNotes = notes.filter((n) => !n.includes('not yet counted'));
  if (dataNotes.length > 0) {
    const alls = models.filter((m) => m.scope === 'all');
    for (const m of alls) m.note = [m.note, ...dataNotes].filter((n) => n !== null).join('; ');
    if (alls.length === 0)
      models.push(
        notFittedRow(
          { model: 'sbg', scope: 'all', calibrationEnd: asOf, timeUnit: 'month', customers: 0 },
          `no subscription could be modelled: ${dataNotes.join('; ')}`,
        ),
      );
  }
  if (config.annualDiscountRate === 0)
    notes.push(
      'clv.annualDiscountRate is 0: contractual CLV is left out where the expected lifetime is infinite',
    );
  return { models, retention, contractualValue, notes };
}

function fitScope(scope: Scope, asOf: IsoDate, config: ClvModelConfig, models: ClvModelRow[]): SbgFit | null {
  const context = {
    model: 'sbg' as const,
    scope: scope.name,
    calibrationEnd: asOf,
    timeUnit: scope.period,
    customers: scope.lifetimes.length,
  };
  if (scope.lifetimes.length < config.minSubscriptions) {
    models.push(
      notFittedRow(
        context,
        `only ${scope.lifetimes.length} ${scope.period}ly subscription(s) in ${scope.name} (at least ${config.minSubscriptions} needed): sBG not fitted`,
      ),
    );
    return null;
  }
  const data = sbgDataOf(scope.lifetimes);
  const renewalsSeen = scope.lifetimes.some((l) => (l.churnedAt ?? l.observed) >= 1);
  if (!renewalsSeen) {
    models.push(
      notFittedRow(
        context,
        `no subscription in ${scope.name} has reached its first renewal yet: sBG not fitted`,
      ),
    );
    return null;
  }
  const fit = fitSbg(data, { penalizer: config.penalizer, starts: config.fitStarts });
  if (!fit.params.every(Number.isFinite)) {
    models.push(notFittedRow(context, `sBG could not be fitted: ${fit.notes.join('; ')}`));
    return null;
  }
  models.push(...fittedModelRows(context, SBG_PARAMETER_NAMES, fit));
  return fit.converged ? fit : null;
}

/**
 * Observed (Kaplan-Meier over staggered starts: at each period the share of those observable
 * there that renewed), fitted and projected survival of a scope, from period 0 to the later of the
 * last observed period and the CLV horizon.
 */
function retentionRows(scope: Scope, fit: SbgFit | null, config: ClvModelConfig): SubscriptionRetentionRow[] {
  const data = sbgDataOf(scope.lifetimes);
  const observedUntil = data.churned.length - 1;
  const horizon = Math.max(
    observedUntil,
    Math.ceil(config.horizonMonths / MONTHS_PER_BILLING_PERIOD[scope.period]),
  );
  // survivors_k = censored at >= k + churned after k; at risk_k = survivors_k + churned at k.
  const survivorsFrom = new Float64Array(horizon + 2);
  for (let k = horizon; k >= 0; k--) {
    survivorsFrom[k] = survivorsFrom[k + 1]! + (data.censored[k] ?? 0) + (data.churned[k + 1] ?? 0);
  }
  const survival = fit ? sbgSurvival(fit.parameters, horizon * 2 + observedUntil + 1) : null;
  // Active subscriptions by periods observed, for the expected count still active k periods on.
  const activeAt = new Map<number, number>();
  for (const l of scope.lifetimes)
    if (l.active) activeAt.set(l.observed, (activeAt.get(l.observed) ?? 0) + 1);
  const rows: SubscriptionRetentionRow[] = [];
  let km = 1;
  for (let k = 0; k <= horizon; k++) {
    const survivors = survivorsFrom[k]!;
    const atRisk = survivors + (k >= 1 ? (data.churned[k] ?? 0) : 0);
    if (k >= 1 && atRisk > 0) km *= survivors / atRisk;
    let expectedActive: number | null = null;
    if (survival) {
      expectedActive = 0;
      for (const [observed, count] of activeAt)
        expectedActive += (count * survival[observed + k]!) / survival[observed]!;
    }
    rows.push({
      scope: scope.name,
      billing_period: scope.period,
      period_index: k,
      at_risk: atRisk > 0 ? atRisk : null,
      survivors: atRisk > 0 ? survivors : null,
      observed_survival: atRisk > 0 ? km : null,
      fitted_survival: survival ? survival[k]! : null,
      fitted_retention: survival && k >= 1 ? survival[k]! / survival[k - 1]! : null,
      expected_active: expectedActive,
      projected: atRisk === 0,
    });
  }
  return rows;
}
