import type { SqlRunner } from '../../shared/sql-runner.ts';
import { type ClvDiagnostics, type ClvHistogram, loadClvDiagnostics, loadClvHistogram } from './clv.ts';
import { type ClvTracking, loadClvTracking } from './clv-tracking.ts';
import {
  type BacktestRow,
  loadBacktest,
  loadPAlive,
  loadSurvival,
  type PAliveCell,
  type SurvivalCurve,
} from './clv-validation.ts';
import { type HeadlineData, loadHeadline } from './headline.ts';
import {
  type CohortProfit,
  loadCohortProfit,
  loadRetention,
  loadSegmentProduct,
  loadWhale,
  type RetentionCell,
  type SegmentProductCell,
  type WhalePoint,
} from './profitability.ts';
import { loadServiceRoi, type ServiceRoiMonth } from './service-roi.ts';
import { dateLiteral } from './sql-values.ts';
import { loadTargets, type TargetsData } from './targets.ts';

export type { ClvBucketDiagnostic, ClvDiagnostics, ClvHistogram, ClvModelFit } from './clv.ts';
export type { ClvBin } from './clv-bins.ts';
export type { ClvTracking } from './clv-tracking.ts';
export {
  type BacktestRow,
  FREQUENCY_CAP,
  type PAliveCell,
  RECENCY_BUCKETS,
  type SurvivalCurve,
} from './clv-validation.ts';
export type { HeadlineData } from './headline.ts';
export {
  COST_PARTS,
  type CohortProfit,
  type CostPart,
  type RetentionCell,
  type SegmentProductCell,
  type WhalePoint,
} from './profitability.ts';
export type { ServiceRoiMonth } from './service-roi.ts';
export type { Attainment, BurnUpWeek, TargetsData } from './targets.ts';

/** Everything the report shows, read from the output tables of one run. */
export interface ReportData {
  /** The run shown; null when the lake has no run at all. */
  asOf: string | null;
  headline: HeadlineData | null;
  whale: WhalePoint[];
  cohortProfit: CohortProfit[];
  retention: RetentionCell[];
  clvHistogram: ClvHistogram | null;
  clvDiagnostics: ClvDiagnostics;
  /** Cumulative repeat purchases by week, actual vs the purchase model; null without a fitted model. */
  clvTracking: ClvTracking | null;
  pAlive: PAliveCell[];
  survival: SurvivalCurve[];
  backtest: BacktestRow[];
  segmentProduct: SegmentProductCell[];
  serviceRoi: ServiceRoiMonth[];
  targets: TargetsData | null;
}

/** The latest run: the newest as_of of customer_metrics (every compute run writes it). */
export async function latestAsOf(sql: SqlRunner): Promise<string | null> {
  const result = await sql.query('SELECT max(as_of) AS as_of FROM customer_metrics');
  const value = result.rows[0]?.as_of;
  return typeof value === 'string' ? value : null;
}

export async function loadReportData(sql: SqlRunner, requestedAsOf?: string): Promise<ReportData> {
  if (requestedAsOf !== undefined) dateLiteral(requestedAsOf);
  const asOf = requestedAsOf ?? (await latestAsOf(sql));
  const empty: ReportData = {
    asOf,
    headline: null,
    whale: [],
    cohortProfit: [],
    retention: [],
    clvHistogram: null,
    clvDiagnostics: { buckets: [], models: [] },
    clvTracking: null,
    pAlive: [],
    survival: [],
    backtest: [],
    segmentProduct: [],
    serviceRoi: [],
    targets: await loadTargets(sql, asOf),
  };
  if (!asOf) return empty;
  const headline = await loadHeadline(sql, asOf);
  return {
    ...empty,
    headline: headline.customers > 0 || headline.latestRoi ? headline : null,
    whale: await loadWhale(sql, asOf),
    cohortProfit: await loadCohortProfit(sql, asOf),
    retention: await loadRetention(sql, asOf),
    clvHistogram: await loadClvHistogram(sql, asOf),
    clvDiagnostics: await loadClvDiagnostics(sql, asOf),
    clvTracking: await loadClvTracking(sql, asOf),
    pAlive: await loadPAlive(sql, asOf),
    survival: await loadSurvival(sql, asOf),
    backtest: await loadBacktest(sql, asOf),
    segmentProduct: await loadSegmentProduct(sql, asOf),
    serviceRoi: await loadServiceRoi(sql, asOf),
  };
}
