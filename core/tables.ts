/**
 * The output tables of design.md ("Output tables"): one definition drives the Parquet writer,
 * the Glue table in infra/ and the DuckDB views of local mode, so their types cannot drift.
 *
 * Column types:
 * - money: DECIMAL(18,2), exact amounts (row value: Decimal)
 * - rate: DECIMAL(18,6), exact ratios such as percentages and churn rates (row value: Decimal)
 * - double: DOUBLE, for model quantities that are estimates, not money (row value: number)
 * - bigint: INT64 counts (row value: number or bigint)
 * - date: DATE (row value: `YYYY-MM-DD`)
 * - timestamp: TIMESTAMP in milliseconds (row value: Date)
 * - string, boolean
 */
export type ColumnType = 'string' | 'money' | 'rate' | 'double' | 'bigint' | 'date' | 'timestamp' | 'boolean';

export interface ColumnDefinition {
  name: string;
  type: ColumnType;
  description: string;
}

export interface TableDefinition {
  name: string;
  description: string;
  /** Prefix in the lake bucket under which the table's partitions live. */
  prefix: string;
  /** Hive-style partition key in the path (a string), e.g. `as_of` or `export_id`. */
  partitionKey: 'as_of' | null;
  columns: ColumnDefinition[];
}

const c = (name: string, type: ColumnType, description: string): ColumnDefinition => ({
  name,
  type,
  description,
});

export const RESULT_TABLES: TableDefinition[] = [
  {
    name: 'exports',
    description:
      'One row per export seen by ingest, with its control totals: the registry as the latest run saw it (not dated: an export is one row however many runs there were)',
    prefix: 'results/exports',
    partitionKey: null,
    columns: [
      c('export_id', 'string', 'Identity of the export: hash of bucket, key and version'),
      c('kind', 'string', 'Export kind (first path segment)'),
      c('s3_key', 'string', 'Object key in the exports bucket'),
      c('version', 'string', 'S3 version id, or the ETag when the bucket is unversioned'),
      c('status', 'string', 'loaded, rejected, blocked, replaced, withdrawn, superseded, failed or loading'),
      c('status_reason', 'string', 'Why an export was rejected, blocked, left out or replaced'),
      c('encoding', 'string', 'Text encoding the file was read as (utf8, gb18030, utf16le, ...)'),
      c(
        'encoding_confidence',
        'string',
        'certain (byte-order mark), high, medium or low: how sure the detection was',
      ),
      c('warnings', 'string', 'JSON array: what finance should know that did not stop the load'),
      c('rows_in', 'bigint', 'Data rows read from the file'),
      c('rows_curated', 'bigint', 'Rows written to curated Parquet'),
      c('rows_quarantined', 'bigint', 'Rows written to quarantine'),
      c('control_totals', 'string', 'JSON: per amount column, the sum in, curated and quarantined'),
      c('received_at', 'timestamp', 'When ingest processed the export'),
    ],
  },
  {
    name: 'rejects',
    description:
      'One row per rejected input row of the exports that count (loaded or blocked), as the latest run saw them',
    prefix: 'results/rejects',
    partitionKey: null,
    columns: [
      c('export_id', 'string', 'Export the row came from'),
      c('kind', 'string', 'Export kind'),
      c('line', 'bigint', '1-based line number in the file'),
      c('column', 'string', 'Column at fault'),
      c('reason', 'string', 'Plain-words reason'),
    ],
  },
  {
    name: 'customer_metrics',
    description: 'Per customer as of a date: profitability, CLV and tier',
    prefix: 'results/customer_metrics',
    partitionKey: 'as_of',
    columns: [
      c('customer_id', 'string', 'Customer'),
      c('cohort', 'string', 'Acquisition cohort label (e.g. 2025-03)'),
      c('segment', 'string', 'Segment (persona)'),
      c('acquisition_channel', 'string', 'Acquisition channel'),
      c('region', 'string', 'Region'),
      c('acquired_on', 'date', 'Acquisition date (first order when the customer export has none)'),
      c('revenue', 'money', 'Revenue net of discount up to as_of'),
      c('cogs', 'money', 'Direct product cost'),
      c('returns', 'money', 'Returned amount'),
      c('service_cost', 'money', 'Activity-based cost to serve'),
      c('acquisition_cost', 'money', 'Acquisition cost (own, else channel CAC)'),
      c('retention_cost', 'money', 'Allocated retention spend'),
      c('profit', 'money', 'revenue - cogs - returns - service_cost - acquisition_cost - retention_cost'),
      c('orders', 'bigint', 'Distinct orders'),
      c('first_order', 'date', 'First order date'),
      c('last_order', 'date', 'Last order date'),
      c('tenure_days', 'bigint', 'Days from acquisition to as_of'),
      c('average_order_value', 'money', 'Revenue per order'),
      c('orders_per_year', 'rate', 'Purchase frequency per year of tenure'),
      c('churned', 'boolean', 'Churned as of the date (explicit or inactivity)'),
      c('satisfaction_score', 'rate', 'Latest satisfaction score (0-100)'),
      c('clv_simple', 'money', 'Average purchase x purchases per year x lifespan years'),
      c('clv_discounted', 'money', 'Annuity of the yearly profit over the lifespan'),
      c('clv_continuous', 'money', 'Expected value - acquisition cost + net revenue of referred customers'),
      c('clv_formula', 'money', 'The configured formula CLV'),
      c('clv_predicted', 'money', 'Model CLV (BG/NBD + Gamma-Gamma) over the horizon, discounted'),
      c(
        'clv_predicted_p10',
        'money',
        '10th percentile of clv_predicted under parameter uncertainty (parametric bootstrap)',
      ),
      c(
        'clv_predicted_p90',
        'money',
        '90th percentile of clv_predicted under parameter uncertainty (parametric bootstrap)',
      ),
      c(
        'clv_contractual',
        'money',
        'Discounted expected residual value of the active subscriptions (sBG DERL x recurring margin)',
      ),
      c('p_alive', 'double', 'Probability the customer is still active (BG/NBD)'),
      c('expected_orders_next_year', 'double', 'Expected purchases in the next 52 weeks (BG/NBD)'),
      c(
        'expected_spend',
        'money',
        "Expected revenue per future purchase day (with clv.model bgbb: per purchase period), Gamma-Gamma given the customer's repeat spend",
      ),
      c('profit_decile', 'bigint', '1 = most profitable tenth'),
      c('profit_tier', 'string', 'invest, grow, maintain or reprice_exit'),
    ],
  },
  {
    name: 'cohort_metrics',
    description: 'Per cohort as of a date',
    prefix: 'results/cohort_metrics',
    partitionKey: 'as_of',
    columns: [
      c(
        'cohort_dimension',
        'string',
        'What the cohort is cut by: acquisition_month, acquisition_quarter, ... x segment',
      ),
      c('cohort', 'string', 'Cohort label'),
      c('customers', 'bigint', 'Customers acquired in the cohort'),
      c('active_customers', 'bigint', 'Customers not churned as of the date'),
      c('churn_rate', 'rate', 'Churned / customers'),
      c('annual_churn_rate', 'rate', 'Churn per year of cohort age'),
      c('revenue', 'money', 'Revenue'),
      c('cogs', 'money', 'Direct product cost'),
      c('returns', 'money', 'Returns'),
      c('service_cost', 'money', 'Cost to serve'),
      c('acquisition_cost', 'money', 'Acquisition cost'),
      c('retention_cost', 'money', 'Retention cost'),
      c('profit', 'money', 'Profit'),
      c('profit_per_customer', 'money', 'Profit / customers'),
      c(
        'annual_profit_per_customer',
        'money',
        'Profit per customer per year of cohort age (each customer observed at least profitability.minimumObservationDays)',
      ),
      c('expected_tenure_years', 'rate', '1 / annual churn rate'),
      c('cohort_clv', 'money', 'Annual profit per customer x expected tenure'),
      c('cohort_clv_discounted', 'money', 'The same, as a discounted annuity'),
    ],
  },
  {
    name: 'cohort_retention',
    description: 'Cohort retention triangle',
    prefix: 'results/cohort_retention',
    partitionKey: 'as_of',
    columns: [
      c('cohort', 'string', 'Acquisition cohort'),
      c('period_index', 'bigint', 'Periods since acquisition (0 = acquisition period)'),
      c('period', 'string', 'Calendar period'),
      c('active_customers', 'bigint', 'Customers with an order in the period'),
      c('retention_pct', 'rate', 'Active / cohort customers x 100'),
      c('revenue', 'money', 'Revenue in the period'),
      c('profit', 'money', 'Gross profit in the period (revenue - cogs - returns)'),
    ],
  },
  {
    name: 'segment_product_profit',
    description: 'Profit by segment x product category',
    prefix: 'results/segment_product_profit',
    partitionKey: 'as_of',
    columns: [
      c('segment', 'string', 'Segment'),
      c('product_category', 'string', 'Product category'),
      c('revenue', 'money', 'Revenue'),
      c('cost', 'money', 'Direct cost and returns'),
      c('profit', 'money', 'Revenue - cost'),
      c('customers', 'bigint', 'Distinct customers'),
    ],
  },
  {
    name: 'whale_curve',
    description: 'Cumulative profit by customers ranked from most to least profitable',
    prefix: 'results/whale_curve',
    partitionKey: 'as_of',
    columns: [
      c('customer_rank_pct', 'rate', 'Share of customers, most profitable first (0-100)'),
      c('customers', 'bigint', 'Customers up to this point'),
      c('cumulative_profit', 'money', 'Profit of those customers'),
      c(
        'cumulative_profit_pct',
        'rate',
        'Cumulative profit / total profit x 100; null when total profit is not positive',
      ),
    ],
  },
  {
    name: 'period_kpis',
    description: 'ARPU and CAC per period',
    prefix: 'results/period_kpis',
    partitionKey: 'as_of',
    columns: [
      c('period', 'string', 'Calendar period (YYYY-MM by default)'),
      c('grain', 'string', 'month, quarter or year'),
      c('revenue', 'money', 'Revenue in the period'),
      c('active_customers', 'bigint', 'Customers with an order in the period'),
      c('arpu', 'money', 'Revenue / active customers'),
      c('new_customers', 'bigint', 'Customers acquired in the period'),
      c('acquisition_cost', 'money', 'Acquisition cost of the customers acquired in the period'),
      c('cac', 'money', 'Acquisition cost / new customers'),
    ],
  },
  {
    name: 'clv_models',
    description: 'Fitted predictive CLV model parameters',
    prefix: 'results/clv_models',
    partitionKey: 'as_of',
    columns: [
      c('model', 'string', 'bgnbd, pareto_nbd, mbgnbd, bgbb, sbg or gamma_gamma'),
      c('scope', 'string', 'all, or <dimension>=<value> for a fit on part of the base (sBG: plan=Gold, ...)'),
      c('parameter', 'string', 'Parameter name (not_fitted when the model could not be fitted)'),
      c('value', 'double', 'Fitted value'),
      c('std_error', 'double', 'Standard error from the observed information at the optimum'),
      c('log_likelihood', 'double', 'Log-likelihood at the optimum'),
      c('customers', 'bigint', 'Customers (sBG: subscriptions) the model was fitted on'),
      c('converged', 'boolean', 'Whether the optimiser converged'),
      c('calibration_end', 'date', 'End of the calibration period'),
      c(
        'time_unit',
        'string',
        'Unit of the model time: days or weeks (recency and T), or month, quarter, year (BG/BB opportunity, sBG billing period)',
      ),
      c(
        'note',
        'string',
        'Why a model could not be fitted, warnings about the fit, and what clv.model auto chose',
      ),
    ],
  },
  {
    name: 'clv_holdout',
    description: 'Predicted vs actual repeat purchases in the holdout period, by calibration frequency',
    prefix: 'results/clv_holdout',
    partitionKey: 'as_of',
    columns: [
      c('model', 'string', 'bgnbd or pareto_nbd'),
      c('frequency_bucket', 'string', 'Repeat purchases in calibration: 0..6, 7+, or all'),
      c('customers', 'bigint', 'Customers in the bucket'),
      c('actual_repeat_purchases', 'double', 'Repeat purchases observed in the holdout'),
      c('predicted_repeat_purchases', 'double', 'Repeat purchases the model predicted for the holdout'),
      c('actual_per_customer', 'double', 'Actual / customers'),
      c('predicted_per_customer', 'double', 'Predicted / customers'),
    ],
  },
  {
    name: 'subscription_retention',
    description: 'Subscriptions surviving each billing period: observed, fitted by sBG and projected',
    prefix: 'results/subscription_retention',
    partitionKey: 'as_of',
    columns: [
      c('scope', 'string', 'all, or <dimension>=<value> (plan=Gold, start_year=2024, ...)'),
      c('billing_period', 'string', 'month, quarter or year: the unit of period_index'),
      c('period_index', 'bigint', 'Renewals since the start (0 = start)'),
      c(
        'at_risk',
        'bigint',
        'Subscriptions alive after period_index - 1 whose renewal at period_index is past',
      ),
      c('survivors', 'bigint', 'Of those, the ones that renewed'),
      c(
        'observed_survival',
        'double',
        'Kaplan-Meier share surviving period_index renewals (staggered starts)',
      ),
      c('fitted_survival', 'double', 'sBG S(period_index)'),
      c('fitted_retention', 'double', 'sBG S(period_index) / S(period_index - 1)'),
      c(
        'expected_active',
        'double',
        'Currently active subscriptions expected still active period_index periods on',
      ),
      c('projected', 'boolean', 'Beyond the observed periods (fitted only)'),
    ],
  },
  {
    name: 'clv_backtest',
    description:
      "Earlier runs' published predictions scored against what their customers did since (clv.backtestDays), per predicted-CLV decile and in total",
    prefix: 'results/clv_backtest',
    partitionKey: 'as_of',
    columns: [
      c('predicted_as_of', 'date', 'as_of of the earlier run whose customer_metrics are scored'),
      c('lookback_days', 'bigint', 'The configured lookback (clv.backtestDays) this run stands for'),
      c('days', 'bigint', "Days from the earlier run's as_of to this run's: the window of the actuals"),
      c('bucket', 'string', 'decile, no_prediction (no clv_predicted in that run) or total'),
      c('decile', 'bigint', '1 = highest tenth of predicted CLV (bucket decile only)'),
      c('customers', 'bigint', 'Customers of the earlier run in the bucket'),
      c('predicted_clv', 'double', 'Sum of the clv_predicted that run published'),
      c(
        'predicted_purchases',
        'double',
        'expected_orders_next_year x days / 364: the published 52-week expectation pro rata over the window',
      ),
      c(
        'actual_purchases',
        'bigint',
        'Purchase days in the window (orders on one day count once, as the models count); with clv.model bgbb, the years, quarters or months of the window with a purchase',
      ),
      c('actual_orders', 'bigint', 'Distinct orders in the window'),
      c(
        'predicted_revenue',
        'double',
        "predicted_purchases x the customer's expected_spend then (runs before that column: average order value)",
      ),
      c('actual_revenue', 'money', 'Revenue of the window, net of discount'),
      c('purchases_error_pct', 'double', '(actual - predicted) / predicted purchases x 100'),
      c('revenue_error_pct', 'double', '(actual - predicted) / predicted revenue x 100'),
    ],
  },
  {
    name: 'clv_cashflow',
    description:
      'Expected orders, revenue and margin per cohort and future month (clv.cashflowMonths) from the fitted models, undiscounted and discounted',
    prefix: 'results/clv_cashflow',
    partitionKey: 'as_of',
    columns: [
      c('cohort', 'string', 'Acquisition cohort (customer_metrics.cohort), or all'),
      c('month_index', 'bigint', 'Months after as_of (1 = the first)'),
      c('month_start', 'date', 'First day of the month (average months of 365.25 / 12 days from as_of)'),
      c('month_end', 'date', 'Last day of the month'),
      c('customers', 'bigint', "The cohort's customers with a prediction"),
      c('expected_orders', 'double', 'Expected purchases in the month'),
      c('expected_revenue', 'double', 'Expected orders x expected spend per order (Gamma-Gamma)'),
      c('expected_margin', 'double', 'Expected revenue x the margin clv.margin applies'),
      c('discount_factor', 'double', '1 / (1 + monthly rate)^month_index, paid at the end of the month'),
      c('discounted_revenue', 'double', 'Expected revenue x discount factor'),
      c(
        'discounted_margin',
        'double',
        "Expected margin x discount factor; the first clv.horizonMonths months add up to the model's CLVs before rounding, so the sum of clv_predicted (each rounded to the cent) can differ by up to half a cent a customer",
      ),
    ],
  },
  {
    name: 'service_roi',
    description: 'Service-centre ROI per month',
    prefix: 'results/service_roi',
    partitionKey: 'as_of',
    columns: [
      c('month', 'string', 'YYYY-MM'),
      c('loyal_customers', 'bigint', 'Customers with latest satisfaction above the loyal threshold'),
      c('disloyal_customers', 'bigint', 'Customers with latest satisfaction below the disloyal threshold'),
      c('clv', 'money', 'Average CLV per customer used for benefit and loss'),
      c('benefit', 'money', 'CLV x loyal customers, per customer group, summed'),
      c('loss', 'money', 'CLV x disloyal customers, per customer group, summed'),
      c('net_benefit', 'money', 'Benefit - loss'),
      c('net_cost', 'money', 'Service centre net cost of the month'),
      c('roi_pct', 'rate', '(net benefit - net cost) x 100 / net cost; null when net cost <= 0'),
    ],
  },
  {
    name: 'targets',
    description: 'Targets broken down by scope and period, re-planned weekly',
    prefix: 'results/targets',
    partitionKey: 'as_of',
    columns: [
      c('fiscal_year', 'bigint', 'Fiscal year'),
      c('scenario', 'string', 'plan (what lookups serve) or another scenario planned side by side'),
      c('scope', 'string', 'company, team:<id> or rep:<id>'),
      c('metric', 'string', 'revenue, profit, orders, new_customers or margin_pct (percent)'),
      c('level', 'string', 'year, quarter, month, week, day or half_day'),
      c(
        'period_id',
        'string',
        'Fiscal label, e.g. FY2026-Q1, FY2026-M03, FY2026-W07, 2026-02-10, 2026-02-10-AM',
      ),
      c('iso_week', 'string', 'ISO week label of the period start (YYYY-Www)'),
      c('start_date', 'date', 'First day'),
      c('end_date', 'date', 'Last day'),
      c('original_target', 'money', 'Target before re-planning'),
      c('target', 'money', 'Re-planned target'),
      c('actual', 'money', 'Actual to date (half-days: when the sales carry a time of day)'),
      c('attainment_pct', 'rate', 'Actual / target x 100'),
      c('forecast', 'money', 'Run-rate forecast for the period'),
      c('closed', 'boolean', 'Whether the period is closed as of the run'),
      c(
        'unrecoverable_gap',
        'money',
        'What the re-plan rules (catch-up cap, shortfall kept in its quarter, a rep who left) could not spread: year rows, and quarter rows with a gap of their own',
      ),
      c(
        'provisional_calendar',
        'boolean',
        "Holds days planned on China's statutory holidays by rule: the official schedule is not published yet",
      ),
    ],
  },
];

export function resultTable(name: string): TableDefinition {
  const table = RESULT_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`unknown result table ${name}`);
  return table;
}
