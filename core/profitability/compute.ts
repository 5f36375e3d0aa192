import { Money, roundMoney } from '../money.ts';
import type { IsoDate, SatisfactionRecord, SnapshotInput, TransactionColumns } from '../records.ts';
import { allocateAcquisitionCosts } from './acquisition-cost.ts';
import { periodOf } from './calendar.ts';
import { applyTenureAndChurn } from './churn.ts';
import { computeCohorts } from './cohorts.ts';
import { DEFAULT_PROFITABILITY_CONFIG, type ProfitabilityConfig } from './config.ts';
import { formulaClvOf, referredNetRevenue } from './customer-clv.ts';
import { CustomerFactsBuilder, type LineCustomers } from './customer-facts.ts';
import { customerLineTotals } from './customer-line-totals.ts';
import { CustomerMetricsRows } from './customer-metrics.ts';
import { applyProfit } from './customer-profit.ts';
import type { StoredFacts } from './customer-store.ts';
import { type PeriodKpi, periodKpiRows } from './period-kpis.ts';
import { assignProfitTiers, type ProfitTierSummary } from './profit-tiers.ts';
import { allocateRetentionCosts } from './retention-cost.ts';
import { retentionRows } from './retention-triangle.ts';
import {
  type CohortMetricsRow,
  type CohortRetentionRow,
  type CustomerMetricsRow,
  roundRows,
  type SegmentProductProfitRow,
  type ServiceRoiRow,
  type WhaleCurveRow,
} from './rows.ts';
import { allocateServiceCosts, applyServiceCostSets, type TouchpointUnitCost } from './service-cost.ts';
import {
  computeServiceRoi,
  latestSurveys,
  numberSurveyedCustomers,
  publishedServiceRoi,
} from './service-roi.ts';
import { DayLabels, transactionColumnsOf } from './transaction-columns.ts';
import { passLines, type TransactionPass } from './transaction-pass.ts';
import { type CustomerFacts, type UnallocatedCost, Warnings } from './types.ts';
import { rankByProfit, whaleCurve } from './whale-curve.ts';

export interface ProfitabilityResult {
  asOf: IsoDate;
  /** Rows of the result tables, keys = column names, money and rates rounded with the configured mode. */
  customerMetrics: CustomerMetricsRow[];
  cohortMetrics: CohortMetricsRow[];
  cohortRetention: CohortRetentionRow[];
  segmentProductProfit: SegmentProductProfitRow[];
  whaleCurve: WhaleCurveRow[];
  serviceRoi: ServiceRoiRow[];
  /** ARPU and CAC per calendar period (no table yet). */
  periodKpis: PeriodKpi[];
  /** Customers and profit per profit tier with its recommended strategy. */
  profitTiers: ProfitTierSummary[];
  /** Activity-based unit cost of each touchpoint and month. */
  touchpointUnitCosts: TouchpointUnitCost[];
  /** Cost pools (or parts) no customer could take; with the allocated costs they add up to every pool. */
  unallocated: UnallocatedCost[];
  warnings: string[];
}

/** The result with the customer_metrics rows still to be made (see CustomerMetricsRows). */
export type ProfitabilityParts = Omit<ProfitabilityResult, 'customerMetrics'> & {
  /** The customers of customer_metrics, in row order, with every fact the rows read. */
  customers: CustomerFacts[];
  /** The customers with lines in the transaction pass's order, by fact (see LineCustomers). */
  lineCustomers: LineCustomers;
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Customer and cohort profitability as of a date (see computeProfitabilityParts), with the
 * customer_metrics rows built.
 */
export function computeProfitability(
  snapshot: SnapshotInput,
  asOf: IsoDate,
  config: ProfitabilityConfig = DEFAULT_PROFITABILITY_CONFIG,
  transactions: TransactionColumns | TransactionPass = transactionColumnsOf(snapshot),
): ProfitabilityResult {
  const {
    customers,
    lineCustomers: _lineCustomers,
    ...parts
  } = computeProfitabilityParts(snapshot, asOf, config, transactions);
  const customerMetrics = new CustomerMetricsRows(customers, config.cohortGrain, config.rounding).toArray();
  return { ...parts, customerMetrics };
}

/**
 * Customer and cohort profitability as of a date from one snapshot of the curated exports: a pure
 * function, one pass over the transaction columns (passTransactions), everything else per customer
 * or per cost pool. `transactions` are the snapshot's transactions as columns, when the caller
 * already has them, or their pass made elsewhere (the scale-out run's buckets, merged).
 */
export function computeProfitabilityParts(
  snapshot: SnapshotInput,
  asOf: IsoDate,
  config: ProfitabilityConfig = DEFAULT_PROFITABILITY_CONFIG,
  transactions: TransactionColumns | TransactionPass = transactionColumnsOf(snapshot),
): ProfitabilityParts {
  if (!ISO_DATE.test(asOf)) throw new RangeError(`as_of must be YYYY-MM-DD, got ${asOf}`);
  const warnings = new Warnings();

  const labels = new DayLabels();
  const builder = new CustomerFactsBuilder(asOf, warnings, labels);
  builder.addCustomers(snapshot.customers);
  let pass: TransactionPass;
  let lineCustomers: LineCustomers;
  if (isPass(transactions)) {
    pass = checkedPass(transactions, asOf, config);
    lineCustomers = builder.addLineTotals(pass.customers);
  } else {
    // The totals go to the facts first: the pass then reads each customer's export row by their
    // fact number, not by looking a million ids up a second time. Adding totals changes no
    // export row (segment, acquisition date) the pass reads.
    const lines = customerLineTotals(transactions, asOf);
    lineCustomers = builder.addLineTotals(lines.totals);
    const { facts } = lineCustomers;
    pass = passLines(
      transactions,
      lines,
      (entry) => builder.exportedFact(facts[entry] as number),
      asOf,
      config,
      labels,
    );
  }
  const customers = builder.finish();
  const included = new Uint8Array(builder.facts.length);
  for (const customer of customers) included[(customer as StoredFacts).index] = 1;
  const includedFact = (number: number): CustomerFacts | undefined =>
    included[number] === 1 ? builder.facts[number] : undefined;
  // The builder's id -> number map, limited to the included customers: a second map of a million
  // ids would only repeat it. The modules only look customers up (get).
  // A lookup first tries the fact after the one found last, else the map. The service cost
  // query's customers come sorted by id (byte order), and the customers export's facts follow
  // its rows, which loadSnapshot sorts by id: where the two orders agree (ids without characters
  // past U+FFFF) a customer costs one string comparison, not a hash of a string fresh from DuckDB
  // (1.6 s at 1M); any order gives the same customers.
  let hint = 0;
  const customersById = {
    get: (id: string): CustomerFacts | undefined => {
      const next = builder.facts[hint];
      const number = next !== undefined && next.customerId === id ? hint : builder.byId.get(id);
      if (number === undefined) return undefined;
      hint = number + 1;
      return includedFact(number);
    },
  } as ReadonlyMap<string, CustomerFacts>;

  applyTenureAndChurn(customers, asOf, config.inactivityDays);
  const sets = snapshot.serviceCosts;
  if (sets && sets.asOf !== asOf) {
    throw new RangeError(`the snapshot's service costs are as of ${sets.asOf}, not ${asOf}`);
  }
  const service = sets
    ? applyServiceCostSets(customersById, sets, warnings)
    : allocateServiceCosts(customersById, snapshot.interactions, snapshot.touchpoint_costs, asOf, warnings);
  const unallocated: UnallocatedCost[] = [
    ...service.unallocated,
    ...allocateAcquisitionCosts(customers, snapshot.acquisition_spend, asOf),
    ...allocateRetentionCosts(customers, snapshot.retention_spend, asOf),
  ];
  applyProfit(customers);
  // The surveys' customers numbered by their facts once: one lookup a survey for the latest
  // scores and the service ROI's monthly sweep both (three per survey before, in maps of ids).
  const surveyed = numberSurveyedCustomers(
    snapshot.satisfaction,
    (id) => builder.byId.get(id),
    builder.facts.length,
    includedFact,
  );
  const latest = latestSurveys(snapshot.satisfaction, surveyed, asOf);
  for (let number = 0; number < latest.length; number++) {
    const at = latest[number] as number;
    const customer = at === -1 ? undefined : surveyed.customerOf(number);
    if (customer) customer.satisfactionScore = (snapshot.satisfaction[at] as SatisfactionRecord).score;
  }

  const cohorts = computeCohorts(customers, config);
  const lifespan = config.lifespan;
  const fixedYears = new Money(lifespan.source === 'fixed' ? lifespan.years : lifespan.fallbackYears);
  const lifespanOf =
    lifespan.source === 'fixed'
      ? () => fixedYears
      : (customer: CustomerFacts) =>
          cohorts.expectedTenureByCohort.get(periodOf(customer.acquiredOn, config.cohortGrain)) ?? fixedYears;
  // Computed when read (service ROI, the rows), never held: see CustomerStore.
  builder.store.formulaClv = formulaClvOf(
    referredNetRevenue(customers, customersById, warnings),
    lifespanOf,
    config,
  );

  const ranked = rankByProfit(customers);
  const curve = whaleCurve(ranked, config.whalePoints);
  const profitTiers = assignProfitTiers(ranked, config.profitTiers, warnings);

  const serviceRoi = computeServiceRoi(
    customers,
    surveyed,
    snapshot.satisfaction,
    snapshot.service_costs,
    asOf,
    config,
    warnings,
  );

  const mode = config.rounding;
  return {
    asOf,
    customers,
    lineCustomers,
    cohortMetrics: roundRows('cohort_metrics', cohorts.rows, mode),
    cohortRetention: roundRows(
      'cohort_retention',
      retentionRows(
        pass.retention,
        pass.linesBeforeAcquisition,
        config.cohortGrain,
        customers,
        asOf,
        warnings,
      ),
      mode,
    ),
    segmentProductProfit: roundRows('segment_product_profit', pass.segmentProduct, mode),
    whaleCurve: roundRows('whale_curve', curve, mode),
    serviceRoi: publishedServiceRoi(serviceRoi, mode),
    periodKpis: periodKpiRows(pass.kpis, config.kpiGrain, customers, asOf).map((kpi) => ({
      ...kpi,
      revenue: roundMoney(kpi.revenue, 2, mode),
      arpu: kpi.arpu && roundMoney(kpi.arpu, 2, mode),
      acquisition_cost: roundMoney(kpi.acquisition_cost, 2, mode),
      cac: kpi.cac && roundMoney(kpi.cac, 2, mode),
    })),
    profitTiers: profitTiers.map((tier) => ({ ...tier, profit: roundMoney(tier.profit, 2, mode) })),
    touchpointUnitCosts: service.unitCosts.map((unit) => ({
      ...unit,
      unit_cost: unit.unit_cost && roundMoney(unit.unit_cost, 6, mode),
    })),
    unallocated,
    warnings: warnings.list(),
  };
}

function isPass(transactions: TransactionColumns | TransactionPass): transactions is TransactionPass {
  return 'segmentProduct' in transactions;
}

/** A pass made elsewhere must be of this run's date and grains. */
function checkedPass(pass: TransactionPass, asOf: IsoDate, config: ProfitabilityConfig): TransactionPass {
  if (pass.asOf !== asOf || pass.cohortGrain !== config.cohortGrain || pass.kpiGrain !== config.kpiGrain)
    throw new RangeError(
      `the transaction pass is as of ${pass.asOf} by ${pass.cohortGrain}/${pass.kpiGrain}, not ${asOf} by ${config.cohortGrain}/${config.kpiGrain}`,
    );
  return pass;
}
