import type { Decimal } from 'decimal.js';
import { Money, ZERO } from '../money.ts';
import type { IsoDate, SatisfactionRecord, ServiceCostRecord } from '../records.ts';
import { minDate, parsePeriod } from './calendar.ts';
import { attributeOf } from './cohorts.ts';
import type { ClvFormulaKind, CohortAttribute } from './config.ts';
import { FormulaClvTotal } from './customer-clv.ts';
import type { ServiceRoiRow } from './rows.ts';
import type { CustomerFacts, Warnings } from './types.ts';

/** ROI % = (net benefit - net cost) x 100 / net cost; null when the month cost nothing. */
export function serviceRoiPct(netBenefit: Decimal.Value, netCost: Decimal.Value): Money | null {
  const cost = new Money(netCost);
  if (cost.isZero()) return null;
  return new Money(netBenefit).minus(cost).times(100).dividedBy(cost);
}

export interface RoiGroup {
  clv: Decimal.Value;
  loyal: number;
  disloyal: number;
}

/**
 * The service-centre month of John Anton's model: benefit = CLV x loyal customers and loss = CLV x
 * disloyal customers, each customer group with its own CLV, summed; net benefit = benefit - loss.
 */
export function serviceCentreMonth(
  month: string,
  groups: readonly RoiGroup[],
  netCost: Decimal.Value,
  fallbackClv: Decimal.Value = ZERO,
): ServiceRoiRow {
  let benefit = ZERO;
  let loss = ZERO;
  let loyal = 0;
  let disloyal = 0;
  for (const group of groups) {
    benefit = benefit.plus(new Money(group.clv).times(group.loyal));
    loss = loss.plus(new Money(group.clv).times(group.disloyal));
    loyal += group.loyal;
    disloyal += group.disloyal;
  }
  const netBenefit = benefit.minus(loss);
  const counted = loyal + disloyal;
  return {
    month,
    loyal_customers: loyal,
    disloyal_customers: disloyal,
    // The CLV actually applied, averaged over the customers it was applied to.
    clv: counted > 0 ? benefit.plus(loss).dividedBy(counted) : new Money(fallbackClv),
    benefit,
    loss,
    net_benefit: netBenefit,
    net_cost: new Money(netCost),
    roi_pct: serviceRoiPct(netBenefit, netCost),
  };
}

export interface ServiceRoiSettings {
  loyalAbove: number;
  disloyalBelow: number;
  serviceRoiClv: ClvFormulaKind;
  serviceRoiGroupBy: CohortAttribute;
}

type Loyalty = 'loyal' | 'disloyal' | 'neutral';
const LOYALTIES: readonly Loyalty[] = ['loyal', 'disloyal', 'neutral'];

/** Latest satisfaction score of each customer surveyed on or before the date. */
export function latestSatisfaction(
  records: readonly SatisfactionRecord[],
  asOf: IsoDate,
): Map<string, SatisfactionRecord> {
  const latest = new Map<string, SatisfactionRecord>();
  for (const record of records) {
    if (record.surveyed_on > asOf) continue;
    const current = latest.get(record.customer_id);
    if (!current || record.surveyed_on >= current.surveyed_on) latest.set(record.customer_id, record);
  }
  return latest;
}

/**
 * One row per month of service_costs up to as_of. Each month counts customers by their latest score
 * up to the month's end, swept forward once over the surveys sorted by date.
 */
export function computeServiceRoi(
  customers: readonly CustomerFacts[],
  customersById: ReadonlyMap<string, CustomerFacts>,
  satisfaction: readonly SatisfactionRecord[],
  serviceCosts: readonly ServiceCostRecord[],
  asOf: IsoDate,
  settings: ServiceRoiSettings,
  warnings: Warnings,
): ServiceRoiRow[] {
  const asOfMonth = asOf.slice(0, 7);
  const costByMonth = new Map<string, { end: IsoDate; cost: Money }>();
  for (const row of serviceCosts) {
    const period = parsePeriod(row.period);
    if (period === null || period.grain !== 'month') {
      warnings.add('service cost period is not a month (YYYY-MM); row left out of the ROI');
      continue;
    }
    if (period.label > asOfMonth) continue;
    const entry = costByMonth.get(period.label);
    if (entry) entry.cost = entry.cost.plus(row.net_cost);
    else costByMonth.set(period.label, { end: minDate(period.end, asOf), cost: row.net_cost });
  }
  if (costByMonth.size === 0) return [];

  // CLV per customer group: the average of the chosen CLV over the group's customers (exact sums).
  const clvSums = new Map<string | null, FormulaClvTotal>();
  const allSum = new FormulaClvTotal(settings.serviceRoiClv);
  for (const customer of customers) {
    const group = attributeOf(customer, settings.serviceRoiGroupBy);
    let sum = clvSums.get(group);
    if (sum === undefined) {
      sum = new FormulaClvTotal(settings.serviceRoiClv);
      clvSums.set(group, sum);
    }
    sum.add(customer);
    allSum.add(customer);
  }
  const overallClv = customers.length > 0 ? allSum.total().dividedBy(customers.length) : ZERO;
  const groupClvs = new Map([...clvSums].map(([group, sum]) => [group, sum.total().dividedBy(sum.count)]));
  const groupClv = (group: string | null): Money => groupClvs.get(group) ?? overallClv;

  const surveys = surveysInDateOrder(satisfaction, asOf);
  // Compared as Decimals made once, not a Decimal of the setting per survey.
  const loyalAbove = new Money(settings.loyalAbove);
  const disloyalBelow = new Money(settings.disloyalBelow);
  // Each surveyed customer's latest loyalty and group as one number (group number x 3 + loyalty):
  // no object per survey for half a million surveys.
  const latest = new Map<string, number>();
  const groupNumbers = new Map<string | null, number>();
  const groupNames: (string | null)[] = [];
  const counts = new Map<string | null, { loyal: number; disloyal: number }>();
  const tally = (group: string | null, loyalty: Loyalty, delta: number): void => {
    if (loyalty === 'neutral') return;
    let entry = counts.get(group);
    if (!entry) {
      entry = { loyal: 0, disloyal: 0 };
      counts.set(group, entry);
    }
    entry[loyalty] += delta;
  };

  const rows: ServiceRoiRow[] = [];
  let next = 0;
  for (const month of [...costByMonth.keys()].sort()) {
    const { end, cost } = costByMonth.get(month) as { end: IsoDate; cost: Money };
    for (; next < surveys.length && (surveys[next] as SatisfactionRecord).surveyed_on <= end; next++) {
      const survey = surveys[next] as SatisfactionRecord;
      const previous = latest.get(survey.customer_id);
      if (previous !== undefined)
        tally(groupNames[Math.floor(previous / 3)] as string | null, LOYALTIES[previous % 3] as Loyalty, -1);
      const customer = customersById.get(survey.customer_id);
      const group = customer ? attributeOf(customer, settings.serviceRoiGroupBy) : null;
      const loyalty = survey.score.gt(loyalAbove) ? 0 : survey.score.lt(disloyalBelow) ? 1 : 2;
      let groupNumber = groupNumbers.get(group);
      if (groupNumber === undefined) {
        groupNumber = groupNames.length;
        groupNumbers.set(group, groupNumber);
        groupNames.push(group);
      }
      latest.set(survey.customer_id, groupNumber * 3 + loyalty);
      tally(group, LOYALTIES[loyalty] as Loyalty, 1);
    }
    const groups = [...counts].map(([group, c]) => ({
      clv: groupClv(group),
      loyal: c.loyal,
      disloyal: c.disloyal,
    }));
    rows.push(serviceCentreMonth(month, groups, cost, overallClv));
  }
  return rows;
}

/**
 * The surveys on or before as_of by date, those of one date in their given order: what a stable
 * sort by date gives, by grouping under the (few) distinct dates and sorting only those.
 */
function surveysInDateOrder(
  satisfaction: readonly SatisfactionRecord[],
  asOf: IsoDate,
): SatisfactionRecord[] {
  const byDate = new Map<IsoDate, SatisfactionRecord[]>();
  for (const record of satisfaction) {
    if (record.surveyed_on > asOf) continue;
    const day = byDate.get(record.surveyed_on);
    if (day) day.push(record);
    else byDate.set(record.surveyed_on, [record]);
  }
  const dates = [...byDate.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const surveys: SatisfactionRecord[] = [];
  for (const date of dates)
    for (const record of byDate.get(date) as SatisfactionRecord[]) surveys.push(record);
  return surveys;
}
