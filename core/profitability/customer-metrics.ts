import type { PeriodGrain } from './calendar.ts';
import { periodOf } from './calendar.ts';
import type { CustomerMetricsRow } from './rows.ts';
import type { CustomerFacts } from './types.ts';

/** The exact customer_metrics row of a customer; the predictive CLV columns are left for their module. */
export function customerMetricsRow(customer: CustomerFacts, cohortGrain: PeriodGrain): CustomerMetricsRow {
  return {
    customer_id: customer.customerId,
    cohort: periodOf(customer.acquiredOn, cohortGrain),
    segment: customer.segment,
    acquisition_channel: customer.acquisitionChannel,
    region: customer.region,
    acquired_on: customer.acquiredOn,
    revenue: customer.revenue,
    cogs: customer.cogs,
    returns: customer.returns,
    service_cost: customer.serviceCost,
    acquisition_cost: customer.acquisitionCost,
    retention_cost: customer.retentionCost,
    profit: customer.profit,
    orders: customer.orders,
    first_order: customer.firstOrder,
    last_order: customer.lastOrder,
    tenure_days: customer.tenureDays,
    average_order_value: customer.averageOrderValue,
    orders_per_year: customer.ordersPerYear,
    churned: customer.churned,
    satisfaction_score: customer.satisfactionScore,
    clv_simple: customer.clvSimple,
    clv_discounted: customer.clvDiscounted,
    clv_continuous: customer.clvContinuous,
    clv_formula: customer.clvFormula,
    clv_predicted: null,
    p_alive: null,
    expected_orders_next_year: null,
    profit_decile: customer.profitDecile,
    profit_tier: customer.profitTier,
  };
}
