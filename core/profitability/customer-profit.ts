import type { Decimal } from 'decimal.js';
import { Money } from '../money.ts';
import type { CustomerFacts } from './types.ts';

export interface ProfitParts {
  revenue: Decimal.Value;
  cogs: Decimal.Value;
  returns: Decimal.Value;
  serviceCost: Decimal.Value;
  acquisitionCost: Decimal.Value;
  retentionCost: Decimal.Value;
}

/** revenue - cogs - returns - service cost - acquisition cost - retention cost (seed: 3,000 - 500 - 200 = 2,300). */
export function customerProfit(parts: ProfitParts): Money {
  return new Money(parts.revenue)
    .minus(parts.cogs)
    .minus(parts.returns)
    .minus(parts.serviceCost)
    .minus(parts.acquisitionCost)
    .minus(parts.retentionCost);
}

export function applyProfit(customers: readonly CustomerFacts[]): void {
  for (const customer of customers) customer.profit = customerProfit(customer);
}
