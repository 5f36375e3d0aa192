import { z } from 'zod';
import {
  flag,
  isoDate,
  listOf,
  nonNegativeNumber,
  numberBetween,
  oneOf,
  positiveNumber,
  section,
  wholeNumber,
} from '../config-schema.ts';
import type { IsoDate } from '../records.ts';
import type { OpportunityPeriod } from './period-summary.ts';
import type { TimeUnit } from './rfm-types.ts';

/** Continuous-time purchase/dropout models (customer summaries in days or weeks). */
export type TransactionModelName = 'bgnbd' | 'pareto_nbd' | 'mbgnbd';

/** What `clv.model` may say: a continuous-time model, BG/BB (discrete opportunities) or auto. */
export type ClvModelSetting = TransactionModelName | 'bgbb' | 'auto';

/** What a subscription scope may be cut by (besides `all`). */
export type SubscriptionDimension = 'plan' | 'start_year' | 'start_quarter' | 'start_month';

export interface ClvModelConfig {
  /**
   * Purchase/dropout model: BG/NBD (default), Pareto/NBD, MBG/NBD, BG/BB (purchases at fixed
   * opportunities, see opportunityPeriod) or `auto`: BG/NBD, Pareto/NBD and MBG/NBD are fitted on a
   * calibration/holdout split and the one with the smallest holdout error is used.
   */
  model: ClvModelSetting;
  /** BG/BB's transaction opportunity: a calendar year, quarter or month. */
  opportunityPeriod: OpportunityPeriod;
  /** Holdout for `auto` when holdoutDays is 0. */
  autoHoldoutDays: number;
  /** sBG is fitted for all subscriptions and per value of each of these (plus per billing period). */
  subscriptionDimensions: SubscriptionDimension[];
  /** Fewer subscriptions than this in a scope and sBG is not fitted there. */
  minSubscriptions: number;
  /** Unit of recency and age T (and of the fitted alpha/beta). */
  timeUnit: TimeUnit;
  /** CLV horizon in months. */
  horizonMonths: number;
  /** Annual discount rate; cash flows are discounted monthly at (1 + rate)^(1/12) - 1. */
  annualDiscountRate: number;
  /**
   * Margin applied to expected spend: 'customer' = the customer's own gross margin
   * (revenue - cost - returns) / revenue (the portfolio's when the customer has no revenue),
   * or a fixed share such as 0.3.
   */
  margin: 'customer' | number;
  /** L2 penalty on the parameters (0 = plain maximum likelihood). */
  penalizer: number;
  /** Last day of data used; null = as_of. */
  calibrationEnd: IsoDate | null;
  /**
   * Days at the end of the data held out of the fit to check predictions against actual repeat
   * purchases (0 = none). Customer predictions always use all data up to the calibration end.
   */
  holdoutDays: number;
  /** Fewer repeat customers than this and a model is not fitted (the formula CLV stands). */
  minRepeatCustomers: number;
  /** Optimiser starting points per model. */
  fitStarts: number;
  /** Earlier runs scored against what happened since, this many days back (clv_backtest). */
  backtestDays: number[];
  /** Relative move of a fitted parameter from the last run's beyond which the run carries a warning. */
  driftThreshold: number;
  /** With drift beyond driftThreshold the run is not published (an error instead of a warning). */
  blockOnDrift: boolean;
  /** Parametric bootstrap draws behind clv_predicted_p10 / _p90 (0 = no intervals). */
  intervalDraws: number;
  /** Months of expected cash flows per cohort in clv_cashflow. */
  cashflowMonths: number;
}

export const DEFAULT_CLV_MODEL_CONFIG: ClvModelConfig = {
  model: 'bgnbd',
  opportunityPeriod: 'year',
  autoHoldoutDays: 182,
  subscriptionDimensions: ['plan'],
  minSubscriptions: 20,
  timeUnit: 'weeks',
  horizonMonths: 12,
  annualDiscountRate: 0.1,
  margin: 'customer',
  penalizer: 0,
  calibrationEnd: null,
  holdoutDays: 0,
  minRepeatCustomers: 20,
  fitStarts: 3,
  backtestDays: [90, 180, 365],
  driftThreshold: 0.25,
  blockOnDrift: false,
  intervalDraws: 100,
  cashflowMonths: 24,
};

const MARGIN_ERROR = 'expected "customer" or a share between 0 and 1';

/** The `clv` section of the configuration file; every key optional, unknown keys refused. */
export const ClvSettingsSchema = section({
  model: oneOf(['bgnbd', 'pareto_nbd', 'mbgnbd', 'bgbb', 'auto']),
  opportunityPeriod: oneOf(['year', 'quarter', 'month']),
  autoHoldoutDays: wholeNumber(1, 3650),
  subscriptionDimensions: listOf(
    oneOf(['plan', 'start_year', 'start_quarter', 'start_month']),
    'subscription dimensions',
  ),
  minSubscriptions: wholeNumber(1),
  timeUnit: oneOf(['weeks', 'days']),
  horizonMonths: wholeNumber(1, 1200),
  annualDiscountRate: numberBetween(0, 1),
  margin: z.union([z.literal('customer'), numberBetween(0, 1, MARGIN_ERROR)], { error: MARGIN_ERROR }),
  penalizer: nonNegativeNumber(),
  calibrationEnd: isoDate().nullable(),
  holdoutDays: wholeNumber(0),
  minRepeatCustomers: wholeNumber(1),
  fitStarts: wholeNumber(1, 20),
  backtestDays: listOf(wholeNumber(1, 3650), 'backtest lookbacks in days'),
  driftThreshold: positiveNumber(),
  blockOnDrift: flag(),
  intervalDraws: wholeNumber(0, 10000),
  cashflowMonths: wholeNumber(1, 600),
});

/** Average Gregorian month, in days. */
export const DAYS_PER_MONTH = 365.25 / 12;
/** "Next year" for expected_orders_next_year is 52 weeks (design.md, customer_metrics). */
export const DAYS_NEXT_YEAR = 364;
