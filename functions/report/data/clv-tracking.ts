import { addDays, daysBetween, isIsoDate } from '../../../core/calendar.ts';
import { bgnbdExpectedPurchasesNewCustomer } from '../../../core/clv/bgnbd-predict.ts';
import { mbgnbdExpectedPurchasesNewCustomer } from '../../../core/clv/mbgnbd.ts';
import { paretoNbdExpectedPurchasesNewCustomer } from '../../../core/clv/pareto-nbd-predict.ts';
import type { SqlRunner } from '../../shared/sql-runner.ts';
import { dateLiteral, toNullableNumber, toNumber, toText } from './sql-values.ts';

/**
 * The tracking plot (Fader, Hardie & Lee 2005, figure 2): cumulative repeat purchases week by week
 * since the first customer's first order, actual against what the fitted model expects, across the
 * calibration period and the holdout after it (clv.holdoutDays) up to the run's as-of date.
 *
 * No result table holds purchases by week, so both curves are built here from what the run
 * published plus the curated orders:
 * - the population is the run's customers (customer_metrics) whose first purchase day is on or
 *   before the model's calibration end (clv_models.calibration_end), the customers the model was
 *   fitted on;
 * - actual: their purchase days after the first (orders on one day count once, and a day of credit
 *   notes only is none, as the models count: core/clv/rfm-summary.ts, isPurchaseLine), from the
 *   curated `transactions`, per week;
 * - model: Σ over first-order days b of n_b · E[X(t − b)], the expected repeat purchases of a
 *   customer acquired at b (BG/NBD, Pareto/NBD or MBG/NBD, with the run's parameters).
 * BG/BB (purchases at yearly/quarterly/monthly opportunities) has no weekly tracking plot.
 */
export interface ClvTracking {
  model: string;
  /** First day of week 1: the earliest first purchase day of the population. */
  start: string;
  calibrationEnd: string;
  asOf: string;
  customers: number;
  /** One point per week (the last one may be cut short by as_of): its last day and the cumulative counts. */
  weeks: { end: string; actual: number; model: number }[];
}

type Expectation = (parameters: Record<string, number>, t: number) => number;

const EXPECTATIONS: Record<string, { parameters: string[]; expected: Expectation }> = {
  bgnbd: {
    parameters: ['r', 'alpha', 'a', 'b'],
    expected: (p, t) => bgnbdExpectedPurchasesNewCustomer({ r: p.r!, alpha: p.alpha!, a: p.a!, b: p.b! }, t),
  },
  mbgnbd: {
    parameters: ['r', 'alpha', 'a', 'b'],
    expected: (p, t) => mbgnbdExpectedPurchasesNewCustomer({ r: p.r!, alpha: p.alpha!, a: p.a!, b: p.b! }, t),
  },
  pareto_nbd: {
    parameters: ['r', 'alpha', 's', 'beta'],
    expected: (p, t) =>
      paretoNbdExpectedPurchasesNewCustomer({ r: p.r!, alpha: p.alpha!, s: p.s!, beta: p.beta! }, t),
  },
};

const UNIT_DAYS: Record<string, number> = { days: 1, weeks: 7 };

interface FittedModel {
  model: string;
  parameters: Record<string, number>;
  calibrationEnd: string;
  unitDays: number;
  chosen: boolean;
}

/** The run's purchase model: the one `auto` chose, else the one fitted (scope all, every parameter finite). */
async function fittedModel(sql: SqlRunner, asOf: string): Promise<FittedModel | null> {
  const result = await sql.query(
    `SELECT model, parameter, value, CAST(calibration_end AS VARCHAR) AS calibration_end, time_unit, note
     FROM clv_models
     WHERE as_of = ${dateLiteral(asOf)} AND scope = 'all' AND model IN ('bgnbd', 'mbgnbd', 'pareto_nbd')
     ORDER BY model, parameter`,
  );
  const models = new Map<string, FittedModel>();
  for (const row of result.rows) {
    const name = toText(row.model);
    const calibrationEnd = toText(row.calibration_end);
    const unitDays = UNIT_DAYS[toText(row.time_unit)];
    if (!isIsoDate(calibrationEnd) || unitDays === undefined) continue;
    let model = models.get(name);
    if (!model) {
      const note = toText(row.note);
      model = { model: name, parameters: {}, calibrationEnd, unitDays, chosen: !note.includes('not chosen') };
      models.set(name, model);
    }
    const value = toNullableNumber(row.value);
    if (value !== null) model.parameters[toText(row.parameter)] = value;
  }
  const complete = [...models.values()].filter((m) =>
    EXPECTATIONS[m.model]!.parameters.every((p) => Number.isFinite(m.parameters[p]) && m.parameters[p]! > 0),
  );
  return complete.find((m) => m.chosen) ?? null;
}

export async function loadClvTracking(sql: SqlRunner, asOf: string): Promise<ClvTracking | null> {
  const fitted = await fittedModel(sql, asOf);
  if (!fitted) return null;
  const at = dateLiteral(asOf);
  const calibrationEnd = fitted.calibrationEnd < asOf ? fitted.calibrationEnd : asOf;
  // The run's customers' purchase days up to as_of, and each one's first, on or before the
  // calibration end: the customers the model was fitted on.
  const purchaseDays = `SELECT DISTINCT t.customer_id, t.order_date
       FROM transactions t JOIN customer_metrics c ON c.customer_id = t.customer_id
       WHERE c.as_of = ${at} AND t.revenue >= 0 AND t.order_date <= DATE ${at}`;
  const firsts = `SELECT customer_id, min(order_date) AS first_day FROM (${purchaseDays}) p
       GROUP BY customer_id HAVING min(order_date) <= DATE ${dateLiteral(calibrationEnd)}`;
  const first = await sql.query(`SELECT CAST(min(first_day) AS VARCHAR) AS start FROM (${firsts}) f`);
  const start = toText(first.rows[0]?.start);
  if (!isIsoDate(start)) return null;
  const s = dateLiteral(start);
  const births = await sql.query(
    `SELECT date_diff('day', DATE ${s}, first_day) AS day, count(*) AS n FROM (${firsts}) f GROUP BY 1`,
  );
  const repeats = await sql.query(
    `SELECT date_diff('day', DATE ${s}, p.order_date) AS day, count(*) AS n
     FROM (${purchaseDays}) p JOIN (${firsts}) f ON f.customer_id = p.customer_id
     WHERE p.order_date > f.first_day
     GROUP BY 1`,
  );
  const lastDay = daysBetween(start, asOf);
  const weekCount = Math.floor(lastDay / 7) + 1;
  const actualByWeek = new Float64Array(weekCount);
  for (const row of repeats.rows) {
    const day = toNumber(row.day);
    if (day >= 0 && day <= lastDay) actualByWeek[Math.floor(day / 7)]! += toNumber(row.n);
  }
  // First orders grouped by week, each group at its mean day: at most one group per week.
  const groupN = new Float64Array(weekCount);
  const groupDays = new Float64Array(weekCount);
  let customers = 0;
  for (const row of births.rows) {
    const day = toNumber(row.day);
    const n = toNumber(row.n);
    const week = Math.min(Math.floor(day / 7), weekCount - 1);
    groupN[week]! += n;
    groupDays[week]! += n * day;
    customers += n;
  }
  const { expected, parameters } = { ...EXPECTATIONS[fitted.model]!, parameters: fitted.parameters };
  const weeks: ClvTracking['weeks'] = [];
  let actual = 0;
  for (let w = 0; w < weekCount; w++) {
    const endDay = Math.min(7 * w + 6, lastDay);
    actual += actualByWeek[w]!;
    let model = 0;
    for (let g = 0; g <= w; g++) {
      if (groupN[g] === 0) continue;
      const elapsed = endDay - groupDays[g]! / groupN[g]!;
      if (elapsed > 0) model += groupN[g]! * expected(parameters, elapsed / fitted.unitDays);
    }
    weeks.push({ end: addDays(start, endDay), actual, model });
  }
  return { model: fitted.model, start, calibrationEnd, asOf, customers, weeks };
}
