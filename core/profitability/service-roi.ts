import type { Decimal } from 'decimal.js';
import { Money, type RoundingMode, ZERO } from '../money.ts';
import type { IsoDate, SatisfactionRecord, ServiceCostRecord } from '../records.ts';
import { minDate, parsePeriod } from './calendar.ts';
import { attributeOf } from './cohorts.ts';
import type { ClvFormulaKind, CohortAttribute } from './config.ts';
import { FormulaClvTotal } from './customer-clv.ts';
import { rowRounder, type ServiceRoiRow } from './rows.ts';
import type { CustomerFacts, Warnings } from './types.ts';

/**
 * ROI % = (net benefit - net cost) x 100 / net cost; null when the month cost nothing or earned
 * money (net cost <= 0): a return on a negative cost flips sign, and a month the centre earned
 * 1,000 read far worse than one it cost 1,000.
 */
export function serviceRoiPct(netBenefit: Decimal.Value, netCost: Decimal.Value): Money | null {
  const cost = new Money(netCost);
  if (cost.lte(0)) return null;
  return new Money(netBenefit).minus(cost).times(100).dividedBy(cost);
}

/**
 * A customer group's month: its loyal and disloyal customers and its CLV, given per customer
 * (`clv`) or as the total CLV of the group's `customers` customers (`clvTotal`): the total is
 * multiplied by each count before it is divided, so benefit and loss are exact where the group's
 * average is not (37.675 / 3 at 40 digits, times 3, came to 37.67499...9 and rounded a cent low).
 */
export type RoiGroup = { loyal: number; disloyal: number } & GroupClv;

/** A customer group's CLV: per customer, or as a total over its customers (or, for none, zero). */
type GroupClv = { clv: Decimal.Value } | { clvTotal: Decimal.Value; customers: number };

/** The group's CLV over `count` of its customers. */
function groupValue(group: RoiGroup, count: number): Money {
  if (count === 0) return ZERO;
  return 'clvTotal' in group
    ? new Money(group.clvTotal).times(count).dividedBy(group.customers)
    : new Money(group.clv).times(count);
}

/**
 * The service-centre month of John Anton's model: benefit = CLV x loyal customers and loss = CLV x
 * disloyal customers, each customer group with its own CLV, summed; net benefit = benefit - loss.
 * Exact: publishedServiceRoi rounds the rows.
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
    benefit = benefit.plus(groupValue(group, group.loyal));
    loss = loss.plus(groupValue(group, group.disloyal));
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

/**
 * The rows as published: the money columns to the cent and the ROI % to its scale in the run's
 * rounding mode, with net_benefit the published benefit - loss and roi_pct that of the published
 * net benefit and net cost, so a reader re-computing either from the table gets the table's figure
 * (rounded on their own, from the exact values, net benefit was at times a cent off benefit - loss).
 */
export function publishedServiceRoi(rows: readonly ServiceRoiRow[], mode: RoundingMode): ServiceRoiRow[] {
  const round = rowRounder('service_roi', mode);
  return rows.map((exact) => {
    const row = round({ ...exact });
    row.net_benefit = row.benefit.minus(row.loss);
    const roiPct = serviceRoiPct(row.net_benefit, row.net_cost);
    row.roi_pct = roiPct && (round({ roi_pct: roiPct }).roi_pct as Money);
    return row;
  });
}

export interface ServiceRoiSettings {
  loyalAbove: number;
  disloyalBelow: number;
  serviceRoiClv: ClvFormulaKind;
  serviceRoiGroupBy: CohortAttribute;
}

/** A survey's loyalty: its score above loyalAbove, below disloyalBelow, or neither. */
const LOYAL = 0;
const DISLOYAL = 1;
const NEUTRAL = 2;

/**
 * The surveys' customers numbered once: survey i's customer is number numbers[i] (one number an
 * id), customerOf(number) that customer, or undefined for an id outside the customer base or of a
 * customer the run leaves out. The compute job numbers them by its facts (one lookup a survey);
 * the sweeps below then keep their state in arrays by number, not in maps of a million ids.
 */
export interface SurveyedCustomers {
  /** The surveys numbered (the very array: a numbering is for these surveys only). */
  surveys: readonly SatisfactionRecord[];
  numbers: Int32Array;
  /** Numbers run from 0 to count - 1. */
  count: number;
  customerOf(number: number): CustomerFacts | undefined;
}

/**
 * Numbers the surveys' customers: by `numberOf` (numbers below `known`, e.g. fact numbers) where
 * it knows the id, the other ids from `known` up in order of first sight.
 */
export function numberSurveyedCustomers(
  satisfaction: readonly SatisfactionRecord[],
  numberOf: (id: string) => number | undefined,
  known: number,
  customerOf: (number: number) => CustomerFacts | undefined,
): SurveyedCustomers {
  const numbers = new Int32Array(satisfaction.length);
  const others = new Map<string, number>();
  for (let i = 0; i < satisfaction.length; i++) {
    const id = (satisfaction[i] as SatisfactionRecord).customer_id;
    let number = numberOf(id);
    if (number === undefined) {
      number = others.get(id);
      if (number === undefined) {
        number = known + others.size;
        others.set(id, number);
      }
    }
    numbers[i] = number;
  }
  return {
    surveys: satisfaction,
    numbers,
    count: known + others.size,
    customerOf: (number) => (number < known ? customerOf(number) : undefined),
  };
}

function checkNumbering(surveyed: SurveyedCustomers, satisfaction: readonly SatisfactionRecord[]): void {
  if (surveyed.surveys !== satisfaction)
    throw new RangeError('the surveyed customers are numbered for other surveys');
}

function isNumbered(
  customers: ReadonlyMap<string, CustomerFacts> | SurveyedCustomers,
): customers is SurveyedCustomers {
  return (customers as SurveyedCustomers).numbers instanceof Int32Array;
}

/** The same from a map of the customers by id (numbered among the surveys, in order of first sight). */
export function surveyedCustomersById(
  satisfaction: readonly SatisfactionRecord[],
  customersById: ReadonlyMap<string, CustomerFacts>,
): SurveyedCustomers {
  const surveyed = numberSurveyedCustomers(
    satisfaction,
    () => undefined,
    0,
    () => undefined,
  );
  const customers = new Array<CustomerFacts | undefined>(surveyed.count);
  for (let i = 0; i < satisfaction.length; i++)
    customers[surveyed.numbers[i] as number] ??= customersById.get(
      (satisfaction[i] as SatisfactionRecord).customer_id,
    );
  return { ...surveyed, customerOf: (number) => customers[number] };
}

/**
 * Each surveyed customer's latest survey on or before the date (the later given of one date), as
 * the survey's index by customer number (-1: none).
 */
export function latestSurveys(
  satisfaction: readonly SatisfactionRecord[],
  surveyed: SurveyedCustomers,
  asOf: IsoDate,
): Int32Array {
  checkNumbering(surveyed, satisfaction);
  const latest = new Int32Array(surveyed.count).fill(-1);
  for (let i = 0; i < satisfaction.length; i++) {
    const record = satisfaction[i] as SatisfactionRecord;
    if (record.surveyed_on > asOf) continue;
    const number = surveyed.numbers[i] as number;
    const current = latest[number] as number;
    if (current === -1 || record.surveyed_on >= (satisfaction[current] as SatisfactionRecord).surveyed_on)
      latest[number] = i;
  }
  return latest;
}

/**
 * One row per month of service_costs up to as_of. Each month counts customers by their latest score
 * up to the month's end, swept forward once over the surveys sorted by date. The surveys'
 * customers come numbered (see SurveyedCustomers) or as a map of the customers by id.
 */
export function computeServiceRoi(
  customers: readonly CustomerFacts[],
  surveyedCustomers: SurveyedCustomers | ReadonlyMap<string, CustomerFacts>,
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

  // CLV per customer group: the total of the chosen CLV over the group's customers and their
  // number (exact sums; multiplied by a month's counts before divided, see RoiGroup).
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
  const allTotal = allSum.total();
  const overall: GroupClv =
    customers.length > 0 ? { clvTotal: allTotal, customers: customers.length } : { clv: ZERO };
  const overallClv = customers.length > 0 ? allTotal.dividedBy(customers.length) : ZERO;
  const groupClvs = new Map<string | null, GroupClv>(
    [...clvSums].map(([group, sum]) => [group, { clvTotal: sum.total(), customers: sum.count }]),
  );
  const groupClv = (group: string | null): GroupClv => groupClvs.get(group) ?? overall;

  const surveyed = isNumbered(surveyedCustomers)
    ? surveyedCustomers
    : surveyedCustomersById(satisfaction, surveyedCustomers);
  checkNumbering(surveyed, satisfaction);
  const surveys = surveysInDateOrder(satisfaction, asOf);
  // Compared as Decimals made once, not a Decimal of the setting per survey.
  const loyalAbove = new Money(settings.loyalAbove);
  const disloyalBelow = new Money(settings.disloyalBelow);
  // By customer number: their group's number (-1 until their first survey) and their latest
  // loyalty; groups numbered in order of first sight, each with its CLV, their counts in arrays by
  // that number. Ids that are not the run's customers form a group of their own valued at the
  // average over every customer: their attribute is unknown, which is not the same as a customer's
  // empty one (the group of the customers without a segment has its own CLV).
  const groupOf = new Int32Array(surveyed.count).fill(-1);
  const latestLoyalty = new Int8Array(surveyed.count);
  const groupNumbers = new Map<string | null, number>();
  const groupClvOf: GroupClv[] = [];
  let outsideGroup = -1;
  const newGroup = (clv: GroupClv): number => groupClvOf.push(clv) - 1;
  // Loyal and disloyal counts by group number; the groups in the order of their first count.
  const loyal: number[] = [];
  const disloyal: number[] = [];
  const counted: number[] = [];
  const tally = (group: number, loyalty: number, delta: number): void => {
    if (loyalty === NEUTRAL) return;
    if (loyal[group] === undefined) {
      loyal[group] = 0;
      disloyal[group] = 0;
      counted.push(group);
    }
    if (loyalty === LOYAL) loyal[group] = (loyal[group] as number) + delta;
    else disloyal[group] = (disloyal[group] as number) + delta;
  };

  const rows: ServiceRoiRow[] = [];
  let next = 0;
  for (const month of [...costByMonth.keys()].sort()) {
    const { end, cost } = costByMonth.get(month) as { end: IsoDate; cost: Money };
    for (
      ;
      next < surveys.length &&
      (satisfaction[surveys[next] as number] as SatisfactionRecord).surveyed_on <= end;
      next++
    ) {
      const at = surveys[next] as number;
      const survey = satisfaction[at] as SatisfactionRecord;
      const number = surveyed.numbers[at] as number;
      let group = groupOf[number] as number;
      if (group === -1) {
        const customer = surveyed.customerOf(number);
        if (customer === undefined) {
          if (outsideGroup === -1) outsideGroup = newGroup(overall);
          group = outsideGroup;
        } else {
          const name = attributeOf(customer, settings.serviceRoiGroupBy);
          const known = groupNumbers.get(name);
          group = known ?? newGroup(groupClv(name));
          if (known === undefined) groupNumbers.set(name, group);
        }
        groupOf[number] = group;
      } else tally(group, latestLoyalty[number] as number, -1);
      const loyalty = survey.score.gt(loyalAbove)
        ? LOYAL
        : survey.score.lt(disloyalBelow)
          ? DISLOYAL
          : NEUTRAL;
      latestLoyalty[number] = loyalty;
      tally(group, loyalty, 1);
    }
    const groups = counted.map(
      (group): RoiGroup => ({
        ...(groupClvOf[group] as GroupClv),
        loyal: loyal[group] as number,
        disloyal: disloyal[group] as number,
      }),
    );
    rows.push(serviceCentreMonth(month, groups, cost, overallClv));
  }
  return rows;
}

/**
 * The surveys on or before as_of by date, those of one date in their given order (what a stable
 * sort by date gives), as indices: grouped under the (few) distinct dates, only those sorted.
 */
function surveysInDateOrder(satisfaction: readonly SatisfactionRecord[], asOf: IsoDate): Int32Array {
  const byDate = new Map<IsoDate, number[]>();
  for (let i = 0; i < satisfaction.length; i++) {
    const date = (satisfaction[i] as SatisfactionRecord).surveyed_on;
    if (date > asOf) continue;
    const day = byDate.get(date);
    if (day) day.push(i);
    else byDate.set(date, [i]);
  }
  const dates = [...byDate.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const surveys = new Int32Array(dates.reduce((sum, date) => sum + (byDate.get(date) as number[]).length, 0));
  let at = 0;
  for (const date of dates) for (const index of byDate.get(date) as number[]) surveys[at++] = index;
  return surveys;
}
