/**
 * Expected purchases over a horizon, each month's share discounted to today:
 *   Σ_{m=1..H} (E[Y(t_m)] - E[Y(t_{m-1})]) / (1 + d)^m,  d = (1 + annual rate)^(1/12) - 1,
 * t_m = m months in model time units. Purchases are assumed to pay at the end of their month.
 */
export function discountedExpectedPurchases(
  expectedBy: (t: number) => number,
  horizonMonths: number,
  unitsPerMonth: number,
  annualDiscountRate: number,
): number {
  return discountedIncrements((m) => expectedBy(m * unitsPerMonth), horizonMonths, annualDiscountRate);
}

/** The same sum from the cumulative expected purchases by the end of month m (m = 1..H). */
export function discountedIncrements(
  cumulativeAt: (month: number) => number,
  horizonMonths: number,
  annualDiscountRate: number,
): number {
  const monthlyFactor = 1 / (1 + annualDiscountRate) ** (1 / 12);
  let total = 0;
  let previous = 0;
  let factor = 1;
  for (let m = 1; m <= horizonMonths; m++) {
    factor *= monthlyFactor;
    const cumulative = cumulativeAt(m);
    total += (cumulative - previous) * factor;
    previous = cumulative;
  }
  return total;
}
