/**
 * The analysts' saved queries: Athena named queries in the cloud (infra/), the same SQL over
 * DuckDB locally (`cval query`). Only SQL both engines run unchanged: standard joins, aggregates,
 * CAST, CASE, LIKE, scalar subqueries; no engine-specific functions. Identifiers are the column
 * names of core/tables.ts; the one reserved word among them, `column`, is double-quoted (standard
 * SQL, accepted by both). Every query reads the latest run of its table: `as_of` is the partition
 * string `YYYY-MM-DD`, so its maximum is the newest run.
 */
export interface NamedQuery {
  /** Athena named-query name (unique, 1-128 characters). */
  name: string;
  description: string;
  sql: string;
}

const latest = (table: string, alias?: string) =>
  `${alias ? `${alias}.` : ''}as_of = (SELECT max(as_of) FROM ${table})`;

/**
 * The average of a DECIMAL(18,2) column to the cent, half away from zero, as Athena's avg() gives
 * it. DuckDB's avg() of a DECIMAL is a DOUBLE, so casting it back rounded 1.005 to 1.00 where
 * Athena gives 1.01: the sum is taken in whole cents and divided as integers (Trino's integer
 * division, which `cval query` sets on DuckDB too). NULL when every value is NULL.
 */
const centsAverage = (column: string) => {
  const cents = `CAST(sum(${column}) * 100 AS BIGINT)`;
  const count = `count(${column})`;
  const halfUp = `(abs(${cents}) * 2 + ${count}) / (2 * nullif(${count}, 0))`;
  return `CAST(CAST(CASE WHEN ${cents} < 0 THEN -1 ELSE 1 END * ${halfUp} AS DECIMAL(18,0)) * DECIMAL '0.01' AS DECIMAL(18,2))`;
};

export const NAMED_QUERIES: NamedQuery[] = [
  {
    name: 'most_profitable_cohorts',
    description: 'The 10 cohorts with the highest profit per customer in the latest run, by cohort dimension',
    sql: `SELECT cohort_dimension, cohort, customers, active_customers, churn_rate, revenue, profit,
       profit_per_customer, annual_profit_per_customer, cohort_clv
FROM cohort_metrics
WHERE ${latest('cohort_metrics')}
ORDER BY profit_per_customer DESC, cohort_dimension, cohort
LIMIT 10`,
  },
  {
    name: 'least_profitable_cohorts',
    description: 'The 10 cohorts with the lowest profit per customer in the latest run, by cohort dimension',
    sql: `SELECT cohort_dimension, cohort, customers, active_customers, churn_rate, revenue, profit,
       profit_per_customer, annual_profit_per_customer, cohort_clv
FROM cohort_metrics
WHERE ${latest('cohort_metrics')}
ORDER BY profit_per_customer ASC, cohort_dimension, cohort
LIMIT 10`,
  },
  {
    name: 'whale_curve',
    description: 'Cumulative profit by share of customers, most profitable first (latest run)',
    sql: `SELECT customer_rank_pct, customers, cumulative_profit, cumulative_profit_pct
FROM whale_curve
WHERE ${latest('whale_curve')}
ORDER BY customer_rank_pct`,
  },
  {
    name: 'clv_by_segment',
    description: 'Customers, profit and average formula and predicted CLV per segment (latest run)',
    // Grouped by the segment as stored: customers without one come as a row whose segment is NULL,
    // apart from any segment whose text could stand for "none".
    sql: `SELECT segment,
       count(*) AS customers,
       sum(CASE WHEN churned THEN 0 ELSE 1 END) AS active_customers,
       sum(revenue) AS revenue,
       sum(profit) AS profit,
       ${centsAverage('clv_formula')} AS avg_clv_formula,
       ${centsAverage('clv_predicted')} AS avg_clv_predicted,
       sum(clv_predicted) AS total_clv_predicted,
       avg(p_alive) AS avg_p_alive
FROM customer_metrics
WHERE ${latest('customer_metrics')}
GROUP BY segment
ORDER BY total_clv_predicted DESC, segment NULLS LAST`,
  },
  {
    name: 'service_roi_by_month',
    description:
      'Service-centre ROI per month: loyal and disloyal customers, benefit, loss, net cost (latest run)',
    sql: `SELECT month, loyal_customers, disloyal_customers, clv, benefit, loss, net_benefit, net_cost, roi_pct
FROM service_roi
WHERE ${latest('service_roi')}
ORDER BY month`,
  },
  {
    name: 'week_target_attainment_by_team_and_rep',
    description: 'Target, actual and attainment of each team and rep for the week of the latest targets run',
    sql: `SELECT CASE WHEN scope LIKE 'team:%' THEN 'team' ELSE 'rep' END AS scope_kind,
       scope, metric, fiscal_year, period_id, iso_week, start_date, end_date,
       original_target, target, actual, attainment_pct, forecast
FROM targets
WHERE ${latest('targets')}
  AND COALESCE(scenario, 'plan') = 'plan'
  AND level = 'week'
  AND (scope LIKE 'team:%' OR scope LIKE 'rep:%')
  AND CAST(as_of AS DATE) BETWEEN start_date AND end_date
ORDER BY metric, scope_kind DESC, attainment_pct ASC, scope`,
  },
  {
    name: 'target_scenarios_vs_plan',
    description: 'Each scenario next to the plan, per scope, metric and quarter of the latest targets run',
    sql: `SELECT s.fiscal_year, s.scenario, s.scope, s.metric, s.period_id,
       p.target AS plan_target, s.target AS scenario_target,
       s.target - p.target AS difference, s.actual,
       s.attainment_pct AS scenario_attainment_pct, p.attainment_pct AS plan_attainment_pct
FROM targets s
JOIN targets p
  ON p.as_of = s.as_of AND p.scenario = 'plan' AND p.fiscal_year = s.fiscal_year
  AND p.scope = s.scope AND p.metric = s.metric AND p.period_id = s.period_id
WHERE ${latest('targets', 's')}
  AND s.scenario <> 'plan'
  AND s.level IN ('year', 'quarter')
ORDER BY s.fiscal_year, s.metric, s.scope, s.scenario, s.period_id`,
  },
  {
    name: 'exports_with_rejected_rows',
    description: 'Exports with quarantined rows: row counts, rejected rows, columns at fault',
    sql: `SELECT e.export_id, e.kind, e.s3_key, e.status, e.rows_in, e.rows_curated, e.rows_quarantined,
       count(*) AS rejected_rows,
       count(DISTINCT r."column") AS columns_at_fault,
       min(r.reason) AS example_reason,
       e.received_at
FROM exports e
JOIN rejects r ON r.export_id = e.export_id
GROUP BY e.export_id, e.kind, e.s3_key, e.status, e.rows_in, e.rows_curated, e.rows_quarantined, e.received_at
ORDER BY rejected_rows DESC, e.s3_key`,
  },
];
