import { describe, expect, it } from 'vitest';
import { DEFAULT_CLV_MODEL_CONFIG } from '../../../core/clv/config.ts';
import { addDays } from '../../../core/clv/dates.ts';
import { sbgDerl } from '../../../core/clv/sbg.ts';
import {
  addMonths,
  normaliseBillingPeriod,
  periodsBetween,
  type SubscriptionRecord,
  valueSubscriptions,
} from '../../../core/clv/subscriptions.ts';
import { money } from '../../../core/money.ts';

/** Fader & Hardie (2007), Table 1 (see sbg.test.ts). */
const REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241];
const HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491];

/**
 * A yearly cohort as subscription rows: everyone starts on 2000-01-01; n_{t-1} - n_t end in year t
 * (their last paid day is the day before the t-th anniversary); the survivors are still active.
 */
function cohort(plan: string, survivors: number[], prefix: string): SubscriptionRecord[] {
  const rows: SubscriptionRecord[] = [];
  let id = 0;
  const row = (ended: string | null): SubscriptionRecord => ({
    subscription_id: `${prefix}${id}`,
    customer_id: `${prefix}C${id++}`,
    started_on: '2000-01-01',
    ended_on: ended,
    plan,
    billing_period: '年付',
    recurring_revenue: money(120),
    recurring_cost: money(20),
  });
  for (let t = 1; t < survivors.length; t++)
    for (let i = 0; i < survivors[t - 1]! - survivors[t]!; i++)
      rows.push(row(addDays(addMonths('2000-01-01', 12 * t), -1)));
  for (let i = 0; i < survivors[survivors.length - 1]!; i++) rows.push(row(null));
  return rows;
}

describe('dates and billing periods', () => {
  it('adds months clamped to the month end and counts whole periods', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-11-15', 3)).toBe('2026-02-15');
    expect(periodsBetween('2025-01-01', '2025-01-31', 1)).toBe(0);
    expect(periodsBetween('2025-01-01', '2025-02-01', 1)).toBe(1);
    expect(periodsBetween('2025-01-31', '2025-02-28', 1)).toBe(1);
    expect(periodsBetween('2000-01-01', '2007-01-01', 12)).toBe(7);
    expect(periodsBetween('2000-01-01', '2006-12-31', 12)).toBe(6);
  });

  it('knows billing periods in English and Chinese; blank is month; nonsense is null', () => {
    expect(normaliseBillingPeriod(null)).toBe('month');
    expect(normaliseBillingPeriod(' Monthly ')).toBe('month');
    expect(normaliseBillingPeriod('季度')).toBe('quarter');
    expect(normaliseBillingPeriod('年付')).toBe('year');
    expect(normaliseBillingPeriod('fortnight')).toBeNull();
  });
});

describe('valueSubscriptions', () => {
  const records = [...cohort('regular', REGULAR, 'R'), ...cohort('high end', HIGH_END, 'H')];
  const config = { ...DEFAULT_CLV_MODEL_CONFIG, annualDiscountRate: 0.1, horizonMonths: 12 * 12 };
  const result = valueSubscriptions(records, '2007-01-01', config);
  const parameter = (scope: string, name: string) =>
    result.models.find((m) => m.scope === scope && m.parameter === name)!;

  it('reproduces the paper per plan from subscription rows (yearly, 7 renewals seen)', () => {
    expect(parameter('plan=regular', 'alpha').value).toBeCloseTo(0.704, 3);
    expect(parameter('plan=regular', 'beta').value).toBeCloseTo(1.182, 3);
    expect(parameter('plan=high end', 'alpha').value).toBeCloseTo(0.668, 3);
    expect(parameter('plan=high end', 'beta').value).toBeCloseTo(3.806, 3);
    const row = parameter('plan=regular', 'alpha');
    expect(row).toMatchObject({ model: 'sbg', time_unit: 'year', customers: 1000, converged: true });
    expect(row.std_error).toBeGreaterThan(0);
    expect(row.log_likelihood).toBeCloseTo(-1680.3, 1);
    expect(parameter('all', 'alpha').customers).toBe(2000);
  });

  it('lists the plans of a billing period in code point order, whatever the locale', () => {
    // localeCompare would put 'basic' before 'Pro' and 'Élite' before 'pro'; code points do not.
    const plans = ['pro', 'Élite', 'basic', 'Pro'].flatMap((plan, p) => cohort(plan, [30, 20, 15], `P${p}-`));
    const scopes = [...new Set(valueSubscriptions(plans, '2003-01-01', config).models.map((m) => m.scope))];
    expect(scopes).toEqual(['all', 'plan=Pro', 'plan=basic', 'plan=pro', 'plan=Élite']);
  });

  it('writes observed, fitted and projected survival per scope', () => {
    const regular = result.retention.filter((r) => r.scope === 'plan=regular');
    expect(regular.map((r) => r.period_index)).toEqual([...Array(13).keys()]);
    REGULAR.forEach((n, t) => {
      expect(regular[t]!.observed_survival).toBeCloseTo(n / 1000, 12);
      expect(regular[t]!.projected).toBe(false);
    });
    expect(regular[1]).toMatchObject({ at_risk: 1000, survivors: 631 });
    expect(regular[8]).toMatchObject({ at_risk: null, observed_survival: null, projected: true });
    expect(regular[8]!.fitted_survival!).toBeLessThan(regular[7]!.fitted_survival!);
    // The 241 still active after 7 renewals: k periods on, 241 · S(7+k)/S(7).
    expect(regular[0]!.expected_active).toBeCloseTo(241, 9);
    expect(regular[1]!.expected_active).toBeCloseTo(
      (241 * regular[8]!.fitted_survival!) / regular[7]!.fitted_survival!,
      9,
    );
  });

  it('values each active subscription as margin x DERL of its plan at 10% a year', () => {
    const regular = {
      alpha: parameter('plan=regular', 'alpha').value!,
      beta: parameter('plan=regular', 'beta').value!,
    };
    const value = result.contractualValue.get('RC999')!; // one of the 241 regular survivors
    expect(value.toNumber()).toBeCloseTo(100 * sbgDerl(regular, 7, 0.1), 6);
    expect(result.contractualValue.has('RC0')).toBe(false); // ended in year 1
    expect(result.contractualValue.size).toBe(241 + 491);
  });

  it('monthly subscriptions with staggered starts: churn is seen only once the missed renewal is past', () => {
    const sub = (id: string, start: string, end: string | null): SubscriptionRecord => ({
      subscription_id: id,
      customer_id: id,
      started_on: start,
      ended_on: end,
      plan: null,
      billing_period: null,
      recurring_revenue: money(30),
      recurring_cost: null,
    });
    const rows = [
      sub('a', '2025-01-01', '2025-01-31'), // T = 1, missed renewal 2025-02-01 <= as_of: churned
      sub('b', '2025-03-10', '2025-05-09'), // paid two months: T = 2, renewal 2025-05-10 past
      sub('c', '2025-05-20', '2025-06-19'), // T = 1, but the renewal 2025-06-20 is after as_of: censored at 0
      sub('d', '2025-02-15', null), // active, 4 renewals seen (Mar 15 ... Jun 15 = as_of)
    ];
    const out = valueSubscriptions(rows, '2025-06-15', { ...DEFAULT_CLV_MODEL_CONFIG, minSubscriptions: 1 });
    const all = out.retention.filter((r) => r.scope === 'all');
    expect(all[0]).toMatchObject({ at_risk: 4, survivors: 4 });
    expect(all[1]).toMatchObject({ at_risk: 3, survivors: 2 }); // a churned; c not yet observable
    expect(all[2]).toMatchObject({ at_risk: 2, survivors: 1 }); // b churned
    expect(all[3]).toMatchObject({ at_risk: 1, survivors: 1 });
    expect(all[4]).toMatchObject({ at_risk: 1, survivors: 1 });
    expect(all[5]!.at_risk).toBeNull();
    expect(out.models.every((m) => m.time_unit === 'month')).toBe(true);
  });

  it('bad rows are left out with a reason; too few subscriptions give a not-fitted row', () => {
    const base: SubscriptionRecord = {
      subscription_id: 'x',
      customer_id: 'x',
      started_on: '2025-03-01',
      ended_on: null,
      plan: 'p',
      billing_period: 'month',
      recurring_revenue: money(10),
      recurring_cost: null,
    };
    const out = valueSubscriptions(
      [{ ...base, ended_on: '2025-02-01' }, { ...base, billing_period: 'fortnight' }, base],
      '2025-06-30',
      DEFAULT_CLV_MODEL_CONFIG,
    );
    expect(out.notes.join('\n')).toMatch(/1 subscription\(s\) end before they start/);
    expect(out.notes.join('\n')).toMatch(/billing period "fortnight"/);
    expect(out.models[0]).toMatchObject({
      model: 'sbg',
      scope: 'all',
      parameter: 'not_fitted',
      converged: false,
    });
    expect(out.models[0]!.note).toMatch(/only 1 monthly subscription\(s\) in all \(at least 20 needed\)/);
    expect(out.models[0]!.note).toMatch(/billing period "fortnight"/);
    expect(out.contractualValue.size).toBe(0);
    const none = valueSubscriptions(
      [{ ...base, ended_on: '2025-01-01' }],
      '2025-06-30',
      DEFAULT_CLV_MODEL_CONFIG,
    );
    expect(none.models).toHaveLength(1);
    expect(none.models[0]!.note).toMatch(
      /^no subscription could be modelled: 1 subscription\(s\) end before they start/,
    );
  });
});
