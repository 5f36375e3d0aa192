import { z } from 'zod';
import {
  decimal,
  fields,
  listOf,
  numberBetween,
  oneOf,
  positiveNumber,
  section,
  text,
  variants,
  wholeNumber,
} from '../config-schema.ts';
import type { RoundingMode } from '../money.ts';
import type { PeriodGrain } from './calendar.ts';

/** Customer attributes a cohort can be cut by, besides its acquisition period. */
export type CohortAttribute = 'segment' | 'acquisition_channel' | 'region' | 'product_bundle';

export type ClvFormulaKind = 'simple' | 'discounted' | 'continuous';

export interface ProfitTierDefinition {
  /** Value of customer_metrics.profit_tier. */
  tier: string;
  /** Inclusive decile range, 1 = most profitable tenth. */
  fromDecile: number;
  toDecile: number;
  /** Recommended strategy, in words, for reports. */
  strategy: string;
}

export type LifespanSetting =
  | { source: 'fixed'; years: number }
  /** The customer's acquisition cohort expected tenure (1 / annual churn), else the fallback. */
  | { source: 'cohort_expected_tenure'; fallbackYears: number };

export interface ProfitabilityConfig {
  cohortGrain: PeriodGrain;
  /**
   * Each entry yields one more cohort cut: the acquisition period crossed with that attribute (or with
   * all attributes of an array entry). The plain acquisition period cut is always produced.
   */
  cohortDimensions: readonly (CohortAttribute | readonly CohortAttribute[])[];
  /** A customer with no order for this many days (and no explicit churned_on) counts as churned. */
  inactivityDays: number;
  /** Yearly discount rate for annuity CLVs, e.g. 0.10. */
  discountRate: number | string;
  lifespan: LifespanSetting;
  /**
   * Purchase frequency and yearly profit are measured over at least this many days of tenure, so a
   * customer seen for a week is not extrapolated to fifty orders a year.
   */
  minimumObservationDays: number;
  /** Which formula CLV fills customer_metrics.clv_formula. */
  clvFormula: ClvFormulaKind;
  /** Satisfaction strictly above this is loyal. */
  loyalAbove: number;
  /** Satisfaction strictly below this is disloyal. */
  disloyalBelow: number;
  /** The CLV that values a loyal or disloyal customer in the service-centre ROI (the seed uses the annuity). */
  serviceRoiClv: ClvFormulaKind;
  /** Customer groups of the ROI: benefit and loss are computed per group with the group's CLV, then summed. */
  serviceRoiGroupBy: CohortAttribute;
  /** Points on the whale curve (100 = every percentile). */
  whalePoints: number;
  profitTiers: readonly ProfitTierDefinition[];
  /** Grain of the ARPU / CAC rows. */
  kpiGrain: PeriodGrain;
  /** Rounding applied when rows are written; everything before is exact. */
  rounding: RoundingMode;
}

export const DEFAULT_PROFIT_TIERS: readonly ProfitTierDefinition[] = [
  {
    tier: 'invest',
    fromDecile: 1,
    toDecile: 2,
    strategy: 'Invest: reward loyalty, priority service, protect the relationship',
  },
  {
    tier: 'grow',
    fromDecile: 3,
    toDecile: 5,
    strategy: 'Grow: up-sell and cross-sell to raise share of wallet',
  },
  {
    tier: 'maintain',
    fromDecile: 6,
    toDecile: 8,
    strategy: 'Maintain: serve efficiently through lower-cost channels',
  },
  {
    tier: 'reprice_exit',
    fromDecile: 9,
    toDecile: 10,
    strategy: 'Reprice or exit: cut cost to serve, raise prices or let unprofitable customers go',
  },
];

export const DEFAULT_PROFITABILITY_CONFIG: ProfitabilityConfig = {
  cohortGrain: 'month',
  cohortDimensions: ['segment'],
  inactivityDays: 365,
  discountRate: '0.10',
  lifespan: { source: 'fixed', years: 5 },
  minimumObservationDays: 365,
  clvFormula: 'simple',
  loyalAbove: 85,
  disloyalBelow: 50,
  serviceRoiClv: 'discounted',
  serviceRoiGroupBy: 'segment',
  whalePoints: 100,
  profitTiers: DEFAULT_PROFIT_TIERS,
  kpiGrain: 'month',
  rounding: 'half_even',
};

/** Fills unspecified settings from the defaults. */
export function resolveConfig(partial: Partial<ProfitabilityConfig> = {}): ProfitabilityConfig {
  return { ...DEFAULT_PROFITABILITY_CONFIG, ...partial };
}

const ATTRIBUTES = ['segment', 'acquisition_channel', 'region', 'product_bundle'] as const;
const attribute = oneOf(ATTRIBUTES);
const grain = oneOf(['month', 'quarter', 'year']);
const clvFormula = oneOf(['simple', 'discounted', 'continuous']);
const decileNumber = wholeNumber(1, 10);

/** The `profitability` section of the configuration file; every key optional, unknown keys refused. */
export const ProfitabilitySettingsSchema = section({
  cohortGrain: grain,
  cohortDimensions: listOf(
    z.union([attribute, listOf(attribute, 'attributes').min(1)], {
      error: `expected one of ${ATTRIBUTES.join(', ')} or a list of them`,
    }),
    'attributes or lists of attributes',
  ),
  inactivityDays: wholeNumber(1),
  discountRate: decimal(0, 1),
  lifespan: variants('source', [
    fields({ source: z.literal('fixed'), years: positiveNumber() }),
    fields({ source: z.literal('cohort_expected_tenure'), fallbackYears: positiveNumber() }),
  ]),
  minimumObservationDays: wholeNumber(0),
  clvFormula,
  loyalAbove: numberBetween(0, 100),
  disloyalBelow: numberBetween(0, 100),
  serviceRoiClv: clvFormula,
  serviceRoiGroupBy: attribute,
  whalePoints: wholeNumber(1, 1000),
  profitTiers: listOf(
    fields({ tier: text(), fromDecile: decileNumber, toDecile: decileNumber, strategy: text() }).refine(
      (t) => t.fromDecile <= t.toDecile,
      { error: 'fromDecile must not be above toDecile', path: ['toDecile'] },
    ),
    'tiers {tier, fromDecile, toDecile, strategy}',
  ),
  kpiGrain: grain,
  rounding: oneOf(['half_even', 'half_up']),
}).superRefine((settings, ctx) => {
  // A cut listed twice would give each of its cohorts two rows under one cohort_dimension.
  const cuts = new Set<string>();
  (settings.cohortDimensions ?? []).forEach((entry, index) => {
    const cut = (typeof entry === 'string' ? [entry] : entry).join(' x ');
    if (cuts.has(cut))
      ctx.addIssue({ code: 'custom', path: ['cohortDimensions', index], message: `${cut} is listed twice` });
    cuts.add(cut);
  });
  // A satisfaction score cannot be both loyal and disloyal.
  const loyal = settings.loyalAbove ?? DEFAULT_PROFITABILITY_CONFIG.loyalAbove;
  const disloyal = settings.disloyalBelow ?? DEFAULT_PROFITABILITY_CONFIG.disloyalBelow;
  if (disloyal > loyal) {
    ctx.addIssue({
      code: 'custom',
      path: [settings.disloyalBelow === undefined ? 'loyalAbove' : 'disloyalBelow'],
      message: `disloyalBelow (${disloyal}) must not be above loyalAbove (${loyal})`,
    });
  }
});
