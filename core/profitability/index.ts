/** Profitability engine: customer and cohort profitability, formula CLV, service ROI, whale curve. */

export {
  annuityFactor,
  continuousValue,
  discountedClv,
  perpetuityFactor,
  simpleClv,
  yearlyProfitFromMonthly,
} from './clv-formulas.ts';
export {
  computeProfitability,
  computeProfitabilityParts,
  type ProfitabilityParts,
  type ProfitabilityResult,
} from './compute.ts';
export {
  type ClvFormulaKind,
  type CohortAttribute,
  DEFAULT_PROFIT_TIERS,
  DEFAULT_PROFITABILITY_CONFIG,
  type LifespanSetting,
  type ProfitabilityConfig,
  type ProfitTierDefinition,
  resolveConfig,
} from './config.ts';
export type { CustomerLedger } from './customer-ledger.ts';
export { CustomerMetricsRows } from './customer-metrics.ts';
export { customerProfit } from './customer-profit.ts';
export type { PeriodKpi } from './period-kpis.ts';
export type { ProfitTierSummary } from './profit-tiers.ts';
export { retentionCostPerCustomer } from './retention-cost.ts';
export type {
  CohortMetricsRow,
  CohortRetentionRow,
  CustomerMetricsRow,
  SegmentProductProfitRow,
  ServiceRoiRow,
  WhaleCurveRow,
} from './rows.ts';
export type { TouchpointUnitCost } from './service-cost.ts';
export { serviceCentreMonth, serviceRoiPct } from './service-roi.ts';
export type { CostPool, UnallocatedCost } from './types.ts';
