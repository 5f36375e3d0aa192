import { Money, ZERO } from '../money.ts';
import type { IsoDate, TransactionRecord } from '../records.ts';
import { type PeriodGrain, periodLabel, periodOrdinal } from './calendar.ts';
import type { CustomerFacts } from './types.ts';

/** ARPU and CAC of one calendar period (the lead decides which table they land in). */
export interface PeriodKpi {
  period: string;
  grain: PeriodGrain;
  revenue: Money;
  /** Customers with an order in the period. */
  active_customers: number;
  /** revenue / active customers; null without any. */
  arpu: Money | null;
  /** Customers acquired in the period. */
  new_customers: number;
  /** Acquisition cost (own or allocated spend) of the customers acquired in the period. */
  acquisition_cost: Money;
  /** acquisition cost / new customers; null without any. Spend nobody could take is in `unallocated`. */
  cac: Money | null;
}

interface Period {
  revenue: Money;
  active: Set<CustomerFacts>;
  newCustomers: number;
  acquisitionCost: Money;
}

export class PeriodKpiAccumulator {
  private readonly periods = new Map<number, Period>();

  constructor(private readonly grain: PeriodGrain) {}

  private period(ordinal: number): Period {
    let period = this.periods.get(ordinal);
    if (!period) {
      period = { revenue: ZERO, active: new Set(), newCustomers: 0, acquisitionCost: ZERO };
      this.periods.set(ordinal, period);
    }
    return period;
  }

  add(tx: TransactionRecord, customer: CustomerFacts): void {
    const period = this.period(periodOrdinal(tx.order_date, this.grain));
    period.revenue = period.revenue.plus(tx.revenue);
    period.active.add(customer);
  }

  /** Acquisition costs must be allocated before this runs. */
  rows(customers: readonly CustomerFacts[], asOf: IsoDate): PeriodKpi[] {
    for (const customer of customers) {
      const period = this.period(periodOrdinal(customer.acquiredOn, this.grain));
      period.newCustomers += 1;
      period.acquisitionCost = period.acquisitionCost.plus(customer.acquisitionCost);
    }
    const last = periodOrdinal(asOf, this.grain);
    return [...this.periods.keys()]
      .filter((ordinal) => ordinal <= last)
      .sort((a, b) => a - b)
      .map((ordinal) => {
        const p = this.periods.get(ordinal) as Period;
        return {
          period: periodLabel(ordinal, this.grain),
          grain: this.grain,
          revenue: p.revenue,
          active_customers: p.active.size,
          arpu: perCustomer(p.revenue, p.active.size),
          new_customers: p.newCustomers,
          acquisition_cost: p.acquisitionCost,
          cac: perCustomer(p.acquisitionCost, p.newCustomers),
        };
      });
  }
}

/** CAC = acquisition spend / new customers; ARPU = revenue / customers. */
export function perCustomer(amount: Money, customers: number): Money | null {
  return customers > 0 ? new Money(amount).dividedBy(customers) : null;
}
