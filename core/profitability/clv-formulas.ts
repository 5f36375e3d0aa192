import type { Decimal } from 'decimal.js';
import { Money } from '../money.ts';

/**
 * The CLV formulas of the seeds as plain functions of their inputs, so each can be checked against
 * the worked examples. Inputs are exact Decimals; nothing here rounds.
 */

/** Average purchase x purchases per year x lifespan years (seed: 100 x 4 x 5 = 2,000). */
export function simpleClv(
  averagePurchase: Decimal.Value,
  purchasesPerYear: Decimal.Value,
  lifespanYears: Decimal.Value,
): Money {
  return new Money(averagePurchase).times(purchasesPerYear).times(lifespanYears);
}

/** R, the yearly profit of the annuity: the monthly average profit x 12. */
export function yearlyProfitFromMonthly(monthlyAverageProfit: Decimal.Value): Money {
  return new Money(monthlyAverageProfit).times(12);
}

/**
 * Present value of 1 a year for n years at rate i: (1 - (1 + i)^-n) / i. A zero rate is the limit
 * n, so an undiscounted configuration still works.
 */
export function annuityFactor(rate: Decimal.Value, years: Decimal.Value): Money {
  const i = new Money(rate);
  const n = new Money(years);
  if (i.isZero()) return n;
  return new Money(1).minus(i.plus(1).pow(n.negated())).dividedBy(i);
}

/** Present value of 1 a year forever: 1 / i, the annuity with no end; null without a positive rate. */
export function perpetuityFactor(rate: Decimal.Value): Money | null {
  const i = new Money(rate);
  return i.isPositive() && !i.isZero() ? new Money(1).dividedBy(i) : null;
}

/** CLV = R x (1 - (1 + i)^-n) / i, R the yearly profit, i the discount rate, n the loyal years. */
export function discountedClv(yearlyProfit: Decimal.Value, rate: Decimal.Value, years: Decimal.Value): Money {
  return new Money(yearlyProfit).times(annuityFactor(rate, years));
}

export interface ContinuousValueInputs {
  /** Transactions expected over the customer's life. */
  expectedTransactions: Decimal.Value;
  averagePurchase: Decimal.Value;
  acquisitionCost: Decimal.Value;
  /** Net revenue of the customers this one referred. */
  referredNetRevenue: Decimal.Value;
}

/** Continuous value = expected transactions x average purchase - acquisition cost + referrals' net revenue. */
export function continuousValue(inputs: ContinuousValueInputs): Money {
  return new Money(inputs.expectedTransactions)
    .times(inputs.averagePurchase)
    .minus(inputs.acquisitionCost)
    .plus(inputs.referredNetRevenue);
}
