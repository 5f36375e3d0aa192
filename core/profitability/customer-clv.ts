import { Money, ZERO } from '../money.ts';
import { DAYS_PER_YEAR } from './calendar.ts';
import { annuityFactor, continuousValue, simpleClv, yearlyProfitFromMonthly } from './clv-formulas.ts';
import type { ClvFormulaKind, ProfitabilityConfig } from './config.ts';
import type { CustomerFacts, Warnings } from './types.ts';

const DAYS_PER_MONTH = DAYS_PER_YEAR / 12;

/** Net revenue (revenue - returns) each referrer brought in through the customers they referred. */
export function referredNetRevenue(
  customers: readonly CustomerFacts[],
  customersById: ReadonlyMap<string, CustomerFacts>,
  warnings: Warnings,
): Map<CustomerFacts, Money> {
  const byReferrer = new Map<CustomerFacts, Money>();
  for (const customer of customers) {
    if (customer.referredBy === null || customer.referredBy === customer.customerId) continue;
    const referrer = customersById.get(customer.referredBy);
    if (!referrer) {
      warnings.add('referred_by names a customer not in the customer base; referral ignored');
      continue;
    }
    const net = customer.revenue.minus(customer.returns);
    byReferrer.set(referrer, (byReferrer.get(referrer) ?? ZERO).plus(net));
  }
  return byReferrer;
}

export function clvOf(customer: CustomerFacts, kind: ClvFormulaKind): Money {
  switch (kind) {
    case 'simple':
      return customer.clvSimple;
    case 'discounted':
      return customer.clvDiscounted;
    case 'continuous':
      return customer.clvContinuous;
  }
}

/**
 * Average order value, purchase frequency and the three formula CLVs of every customer.
 * `lifespanOf` gives the lifespan in years (fixed, or the customer's cohort expected tenure).
 */
export function applyFormulaClv(
  customers: readonly CustomerFacts[],
  referred: ReadonlyMap<CustomerFacts, Money>,
  lifespanOf: (customer: CustomerFacts) => Money,
  config: Pick<ProfitabilityConfig, 'discountRate' | 'minimumObservationDays' | 'clvFormula'>,
): void {
  const rate = new Money(config.discountRate);
  const factors = new Map<string, Money>();
  for (const customer of customers) {
    const lifespan = lifespanOf(customer);
    // The frequency and the yearly profit are measured over at least the minimum window (and a day).
    const observedDays = Math.max(customer.tenureDays, config.minimumObservationDays, 1);
    const aov = customer.orders > 0 ? customer.revenue.dividedBy(customer.orders) : null;
    customer.averageOrderValue = aov;
    customer.ordersPerYear = new Money(customer.orders).times(DAYS_PER_YEAR).dividedBy(observedDays);
    customer.clvSimple = simpleClv(aov ?? ZERO, customer.ordersPerYear, lifespan);

    // Acquisition is paid once; repeating it in every year of the annuity would count it n times.
    const recurringProfit = customer.profit.plus(customer.acquisitionCost);
    const monthlyProfit = recurringProfit.times(DAYS_PER_MONTH).dividedBy(observedDays);
    const key = lifespan.toString();
    let factor = factors.get(key);
    if (factor === undefined) {
      factor = annuityFactor(rate, lifespan);
      factors.set(key, factor);
    }
    customer.clvDiscounted = yearlyProfitFromMonthly(monthlyProfit).times(factor);

    customer.clvContinuous = continuousValue({
      expectedTransactions: customer.ordersPerYear.times(lifespan),
      averagePurchase: aov ?? ZERO,
      acquisitionCost: customer.acquisitionCost,
      referredNetRevenue: referred.get(customer) ?? ZERO,
    });
    customer.clvFormula = clvOf(customer, config.clvFormula);
  }
}
