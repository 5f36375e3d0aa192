import { Money, ZERO } from '../money.ts';
import type { CentsColumn, IsoDate } from '../records.ts';
import { type PeriodGrain, periodLabel, periodOrdinal } from './calendar.ts';
import { CentsSum } from './cents.ts';
import { ACQUISITION_COST, addField } from './customer-store.ts';
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
  revenue: CentsSum;
  /** Distinct customers with an order: counted directly when lines come in date order, else from `active`. */
  customers: number;
  active: Set<number> | null;
}

/**
 * When each customer's lines come in date order (`customerDatesAscending`), a customer's periods never go back, so one
 * number per customer (their last period) replaces a set of customers per period.
 */
export class PeriodKpiAccumulator {
  private readonly periods = new Map<number, Period>();
  private readonly lastPeriod: Float64Array | null;

  constructor(customerCount = 0, customerDatesAscending = false) {
    this.lastPeriod = customerDatesAscending ? new Float64Array(customerCount).fill(Number.NaN) : null;
  }

  private period(ordinal: number): Period {
    let period = this.periods.get(ordinal);
    if (!period) {
      period = {
        revenue: new CentsSum(),
        customers: 0,
        active: this.lastPeriod ? null : new Set(),
      };
      this.periods.set(ordinal, period);
    }
    return period;
  }

  /**
   * Adds line `line` of the revenue column, dated in period `ordinal` of the grain;
   * `customerNumber` identifies the customer (0 <= number < customerCount).
   */
  add(revenue: CentsColumn, line: number, ordinal: number, customerNumber: number): void {
    const period = this.period(ordinal);
    period.revenue.addAt(revenue, line);
    const lastPeriod = this.lastPeriod;
    if (lastPeriod) {
      if (lastPeriod[customerNumber] !== ordinal) {
        lastPeriod[customerNumber] = ordinal;
        period.customers += 1;
      }
    } else {
      (period.active as Set<number>).add(customerNumber);
      period.customers = (period.active as Set<number>).size;
    }
  }

  /** The periods so far: revenue and distinct customers with an order. */
  cells(): KpiCell[] {
    return [...this.periods].map(([ordinal, p]) => ({
      ordinal,
      revenue: p.revenue.total(),
      customers: p.customers,
    }));
  }
}

/** One period's transaction side: revenue and customers with an order. Disjoint customer groups' cells add up. */
export interface KpiCell {
  /** Period ordinal of the grain (see periodOrdinal). */
  ordinal: number;
  revenue: Money;
  customers: number;
}

interface KpiPeriod {
  revenue: Money;
  customers: number;
  newCustomers: number;
  costs: CentsSum;
}

/**
 * The KPI rows up to as_of: the cells' revenue and customers, with the new customers and their
 * acquisition cost from `customers` (everyone as of the date, acquisition costs allocated).
 */
export function periodKpiRows(
  cells: readonly KpiCell[],
  grain: PeriodGrain,
  customers: readonly CustomerFacts[],
  asOf: IsoDate,
): PeriodKpi[] {
  const periods = new Map<number, KpiPeriod>();
  const period = (ordinal: number) => {
    let p = periods.get(ordinal);
    if (!p) {
      p = { revenue: ZERO, customers: 0, newCustomers: 0, costs: new CentsSum() };
      periods.set(ordinal, p);
    }
    return p;
  };
  for (const cell of cells) {
    const p = period(cell.ordinal);
    p.revenue = p.revenue.plus(cell.revenue);
    p.customers += cell.customers;
  }
  for (const customer of customers) {
    const p = period(periodOrdinal(customer.acquiredOn, grain));
    p.newCustomers += 1;
    addField(p.costs, customer, ACQUISITION_COST);
  }
  const last = periodOrdinal(asOf, grain);
  return [...periods.keys()]
    .filter((ordinal) => ordinal <= last)
    .sort((a, b) => a - b)
    .map((ordinal) => {
      const p = periods.get(ordinal) as KpiPeriod;
      const acquisitionCost = p.costs.total();
      return {
        period: periodLabel(ordinal, grain),
        grain,
        revenue: p.revenue,
        active_customers: p.customers,
        arpu: perCustomer(p.revenue, p.customers),
        new_customers: p.newCustomers,
        acquisition_cost: acquisitionCost,
        cac: perCustomer(acquisitionCost, p.newCustomers),
      };
    });
}

/** CAC = acquisition spend / new customers; ARPU = revenue / customers. */
export function perCustomer(amount: Money, customers: number): Money | null {
  return customers > 0 ? new Money(amount).dividedBy(customers) : null;
}
