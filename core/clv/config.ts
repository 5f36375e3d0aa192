import { z } from 'zod';
import { isoDate, nonNegativeNumber, numberBetween, oneOf, section, wholeNumber } from '../config-schema.ts';
import type { IsoDate } from '../records.ts';
import type { TimeUnit } from './rfm-types.ts';

export type TransactionModelName = 'bgnbd' | 'pareto_nbd';

export interface ClvModelConfig {
  /** Purchase/dropout model: BG/NBD (default) or Pareto/NBD. */
  model: TransactionModelName;
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
}

export const DEFAULT_CLV_MODEL_CONFIG: ClvModelConfig = {
  model: 'bgnbd',
  timeUnit: 'weeks',
  horizonMonths: 12,
  annualDiscountRate: 0.1,
  margin: 'customer',
  penalizer: 0,
  calibrationEnd: null,
  holdoutDays: 0,
  minRepeatCustomers: 20,
  fitStarts: 3,
};

const MARGIN_ERROR = 'expected "customer" or a share between 0 and 1';

/** The `clv` section of the configuration file; every key optional, unknown keys refused. */
export const ClvSettingsSchema = section({
  model: oneOf(['bgnbd', 'pareto_nbd']),
  timeUnit: oneOf(['weeks', 'days']),
  horizonMonths: wholeNumber(1, 1200),
  annualDiscountRate: numberBetween(0, 1),
  margin: z.union([z.literal('customer'), numberBetween(0, 1, MARGIN_ERROR)], { error: MARGIN_ERROR }),
  penalizer: nonNegativeNumber(),
  calibrationEnd: isoDate().nullable(),
  holdoutDays: wholeNumber(0),
  minRepeatCustomers: wholeNumber(1),
  fitStarts: wholeNumber(1, 20),
});

/** Average Gregorian month, in days. */
export const DAYS_PER_MONTH = 365.25 / 12;
/** "Next year" for expected_orders_next_year is 52 weeks (design.md, customer_metrics). */
export const DAYS_NEXT_YEAR = 364;
