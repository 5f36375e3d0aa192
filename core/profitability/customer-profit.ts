import type { Decimal } from 'decimal.js';
import { Money } from '../money.ts';
import {
  ACQUISITION_COST,
  COGS,
  fieldCents,
  PROFIT,
  RETENTION_COST,
  RETURNS,
  REVENUE,
  SERVICE_COST,
  type StoredFacts,
} from './customer-store.ts';
import type { CustomerFacts } from './types.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

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
  for (const customer of customers) {
    // In cents when every part is whole cents and every partial difference a safe integer (exact).
    const cents = profitCents(customer);
    if (Number.isNaN(cents)) customer.profit = customerProfit(customer);
    else (customer as StoredFacts).store.setCents((customer as StoredFacts).index, PROFIT, cents);
  }
}

function profitCents(customer: CustomerFacts): number {
  let cents = fieldCents(customer, REVENUE);
  for (const field of [COGS, RETURNS, SERVICE_COST, ACQUISITION_COST, RETENTION_COST]) {
    cents -= fieldCents(customer, field);
    if (!(cents <= MAX_SAFE && cents >= -MAX_SAFE)) return Number.NaN;
  }
  return cents;
}
