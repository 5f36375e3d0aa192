import { Money, ZERO } from '../money.ts';
import { DAYS_PER_YEAR, type PeriodGrain, periodOf } from './calendar.ts';
import { CentsSum } from './cents.ts';
import { annuityFactor, perpetuityFactor } from './clv-formulas.ts';
import type { CohortAttribute, ProfitabilityConfig } from './config.ts';
import {
  ACQUISITION_COST,
  addField,
  COGS,
  MONEY_FIELDS,
  PROFIT,
  RETENTION_COST,
  RETURNS,
  REVENUE,
  SERVICE_COST,
} from './customer-store.ts';
import type { CohortMetricsRow } from './rows.ts';
import type { CustomerFacts } from './types.ts';

/** One way of cutting customers into cohorts: the acquisition period, crossed with some attributes. */
export interface CohortCut {
  /** cohort_metrics.cohort_dimension, e.g. `acquisition_month` or `acquisition_month x segment`. */
  dimension: string;
  attributes: readonly CohortAttribute[];
}

/** Shown in a cohort label for a customer without a value of the attribute. */
export const NO_VALUE = '(none)';

export function cohortCuts(
  config: Pick<ProfitabilityConfig, 'cohortGrain' | 'cohortDimensions'>,
): CohortCut[] {
  const base = `acquisition_${config.cohortGrain}`;
  const cuts: CohortCut[] = [{ dimension: base, attributes: [] }];
  for (const entry of config.cohortDimensions) {
    const attributes: readonly CohortAttribute[] = typeof entry === 'string' ? [entry] : entry;
    if (attributes.length === 0) continue;
    cuts.push({ dimension: [base, ...attributes].join(' x '), attributes });
  }
  return cuts;
}

export function attributeOf(customer: CustomerFacts, attribute: CohortAttribute): string | null {
  switch (attribute) {
    case 'segment':
      return customer.segment;
    case 'acquisition_channel':
      return customer.acquisitionChannel;
    case 'region':
      return customer.region;
    case 'product_bundle':
      return customer.productBundle;
  }
}

/**
 * `2025-03` for the plain cut, `2025-03|retail` (values joined by `|`) when crossed with attributes.
 * The label is the cohort's key (its rows, its lookup item), so two cohorts must never read alike:
 * in a value, `\` and `|` are escaped by a `\`, and a value that is the text `(none)` reads
 * `\(none)`; NO_VALUE alone is a customer without one. Ordinary values read as they are.
 */
export function cohortLabel(customer: CustomerFacts, cut: CohortCut, grain: PeriodGrain): string {
  let label = periodOf(customer.acquiredOn, grain);
  for (const attribute of cut.attributes) label += `|${labelValue(attributeOf(customer, attribute))}`;
  return label;
}

function labelValue(value: string | null): string {
  if (value === null) return NO_VALUE;
  if (value === NO_VALUE) return `\\${NO_VALUE}`;
  return value.replace(/[\\|]/g, '\\$&');
}

interface CohortTotals {
  customers: number;
  churned: number;
  tenureDays: number;
  /** Each customer's tenure, at least minimumObservationDays (and a day), summed: see cohortRow. */
  observedDays: number;
  /** Exact sums of the money fields, in MONEY_FIELDS order (in cents where they are whole cents). */
  money: CentsSum[];
}

const emptyTotals = (): CohortTotals => ({
  customers: 0,
  churned: 0,
  tenureDays: 0,
  observedDays: 0,
  money: MONEY_FIELDS.map(() => new CentsSum()),
});

function addCustomer(totals: CohortTotals, customer: CustomerFacts, minimumObservationDays: number): void {
  totals.customers += 1;
  if (customer.churned) totals.churned += 1;
  totals.tenureDays += customer.tenureDays;
  totals.observedDays += Math.max(customer.tenureDays, minimumObservationDays, 1);
  for (let field = 0; field < MONEY_FIELDS.length; field++)
    addField(totals.money[field] as CentsSum, customer, field);
}

/**
 * Annual churn from the churn observed over the cohort's average age, compounded:
 * 1 - (1 - churn)^(1 / age). Compounding (not churn / age) keeps old cohorts' rates below 100%.
 */
export function annualChurnRate(churnRate: Money, ageYears: Money): Money | null {
  if (!ageYears.isPositive() || ageYears.isZero()) return null;
  if (churnRate.isZero() || churnRate.gte(1)) return churnRate.isZero() ? ZERO : new Money(1);
  return new Money(1).minus(new Money(1).minus(churnRate).pow(new Money(1).dividedBy(ageYears)));
}

function cohortRow(
  cut: CohortCut,
  cohort: string,
  totals: CohortTotals,
  discountRate: Money,
): CohortMetricsRow {
  const churnRate = new Money(totals.churned).dividedBy(totals.customers);
  const ageYears = new Money(totals.tenureDays).dividedBy(totals.customers).dividedBy(DAYS_PER_YEAR);
  const annualChurn = annualChurnRate(churnRate, ageYears);
  const expectedTenure =
    annualChurn !== null && !annualChurn.isZero() ? new Money(1).dividedBy(annualChurn) : null;
  const money = totals.money.map((sum) => sum.total());
  const profit = money[PROFIT] as Money;
  const profitPerCustomer = profit.dividedBy(totals.customers);
  // Over each customer's tenure but at least minimumObservationDays, as a customer's own CLV:
  // by the raw age, a cohort acquired the day before as_of made its first day's profit 365 times.
  const observedYears = new Money(totals.observedDays).dividedBy(totals.customers).dividedBy(DAYS_PER_YEAR);
  const annualProfit = observedYears.isZero() ? null : profitPerCustomer.dividedBy(observedYears);
  let discounted: Money | null = null;
  if (annualProfit !== null && expectedTenure !== null) {
    discounted = annualProfit.times(annuityFactor(discountRate, expectedTenure));
  } else if (annualProfit !== null && annualChurn?.isZero()) {
    // Nobody lost yet: the undiscounted value has no end, the discounted one is a perpetuity.
    const perpetuity = perpetuityFactor(discountRate);
    discounted = perpetuity === null ? null : annualProfit.times(perpetuity);
  }
  return {
    cohort_dimension: cut.dimension,
    cohort,
    customers: totals.customers,
    active_customers: totals.customers - totals.churned,
    churn_rate: churnRate,
    annual_churn_rate: annualChurn,
    revenue: money[REVENUE] as Money,
    cogs: money[COGS] as Money,
    returns: money[RETURNS] as Money,
    service_cost: money[SERVICE_COST] as Money,
    acquisition_cost: money[ACQUISITION_COST] as Money,
    retention_cost: money[RETENTION_COST] as Money,
    profit,
    profit_per_customer: profitPerCustomer,
    annual_profit_per_customer: annualProfit,
    expected_tenure_years: expectedTenure,
    cohort_clv: annualProfit !== null && expectedTenure !== null ? annualProfit.times(expectedTenure) : null,
    cohort_clv_discounted: discounted,
  };
}

export interface CohortResult {
  /** Exact (unrounded) rows, cut by cut, cohorts in label order. */
  rows: CohortMetricsRow[];
  /** Expected tenure in years of each plain acquisition-period cohort, for lifespan-from-tenure CLVs. */
  expectedTenureByCohort: Map<string, Money | null>;
}

/**
 * Cohort metrics. Churn, profit and tenure must already be on the customers. Each cohort's money
 * columns are sums of its customers' (so they add up exactly); per-customer values are divided out.
 */
export function computeCohorts(
  customers: readonly CustomerFacts[],
  config: Pick<
    ProfitabilityConfig,
    'cohortGrain' | 'cohortDimensions' | 'discountRate' | 'minimumObservationDays'
  >,
): CohortResult {
  const discountRate = new Money(config.discountRate);
  const cuts = cohortCuts(config);
  const rows: CohortMetricsRow[] = [];
  const expectedTenureByCohort = new Map<string, Money | null>();
  for (const cut of cuts) {
    const totalsByCohort = new Map<string, CohortTotals>();
    for (const customer of customers) {
      const label = cohortLabel(customer, cut, config.cohortGrain);
      let totals = totalsByCohort.get(label);
      if (!totals) {
        totals = emptyTotals();
        totalsByCohort.set(label, totals);
      }
      addCustomer(totals, customer, config.minimumObservationDays);
    }
    const labels = [...totalsByCohort.keys()].sort();
    for (const label of labels) {
      const row = cohortRow(cut, label, totalsByCohort.get(label) as CohortTotals, discountRate);
      rows.push(row);
      if (cut.attributes.length === 0) expectedTenureByCohort.set(label, row.expected_tenure_years);
    }
  }
  return { rows, expectedTenureByCohort };
}
