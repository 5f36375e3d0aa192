import { type BacktestRun, backtestRuns, type EarlierPredictions } from '../../core/clv/backtest.ts';
import type { ParameterValue } from '../../core/clv/drift.ts';
import type { Money } from '../../core/money.ts';
import type { IsoDate } from '../../core/records.ts';
import { resultTable } from '../../core/tables.ts';
import { decodeCaches, decodeParquet } from '../adapters/parquet.ts';
import { lakeKeys } from '../ingest/lake-keys.ts';
import type { LakeReader } from './lake-reader.ts';

/**
 * What the CLV backtest and drift check need from earlier runs, read from the lake: the published
 * `customer_metrics` of the runs clv.backtestDays before, and the last run's `clv_models`. Only
 * published folders (results/<table>/as_of=<date>/) count: a staged run that never published made
 * no prediction anyone saw.
 */

/** The as_of dates with a published folder of `table`, ascending. */
export async function publishedRunDates(lake: LakeReader, table: string): Promise<IsoDate[]> {
  const prefix = `${resultTable(table).prefix}/`;
  const dates = new Set<IsoDate>();
  for (const key of await lake.list(prefix)) {
    const match = /^as_of=(\d{4}-\d{2}-\d{2})\//.exec(key.slice(prefix.length));
    if (match?.[1]) dates.add(match[1]);
  }
  return [...dates].sort();
}

/** Customer predictions as an earlier run published them (customer_metrics, every part file). */
export async function readEarlierPredictions(lake: LakeReader, asOf: IsoDate): Promise<EarlierPredictions> {
  const table = resultTable('customer_metrics');
  const wanted = [
    'customer_id',
    'clv_predicted',
    'expected_orders_next_year',
    'average_order_value',
    'expected_spend',
  ];
  const columns = table.columns.filter((column) => wanted.includes(column.name));
  const ids: string[] = [];
  const clv: number[] = [];
  const orders: number[] = [];
  const aov: number[] = [];
  const spend: number[] = [];
  const caches = decodeCaches();
  const asNumber = (value: unknown): number =>
    value === null || value === undefined
      ? Number.NaN
      : typeof value === 'number'
        ? value
        : (value as Money).toNumber();
  for (const key of await lake.list(lakeKeys.resultFolder(table.name, asOf))) {
    if (!key.endsWith('.parquet')) continue;
    // Rows are turned into numbers part by part, so only one part's row objects live at a time.
    for (const row of await decodeParquet(await lake.getBytes(key), columns, caches)) {
      if (row.customer_id === null) continue;
      ids.push(String(row.customer_id));
      clv.push(asNumber(row.clv_predicted));
      orders.push(asNumber(row.expected_orders_next_year));
      aov.push(asNumber(row.average_order_value));
      // Absent from parts published before the column: NaN, and the backtest prices by order.
      spend.push(asNumber(row.expected_spend));
    }
    caches.money.clear();
  }
  return {
    asOf,
    customerIds: ids,
    clvPredicted: Float64Array.from(clv),
    expectedOrdersNextYear: Float64Array.from(orders),
    averageOrderValue: Float64Array.from(aov),
    expectedSpend: Float64Array.from(spend),
  };
}

/** The runs to score tonight (see backtestRuns) with their published predictions. */
export async function loadBacktestInputs(
  lake: LakeReader,
  asOf: IsoDate,
  lookbackDays: readonly number[],
): Promise<{ run: BacktestRun; predictions: EarlierPredictions }[]> {
  if (lookbackDays.length === 0) return [];
  const runs = backtestRuns(await publishedRunDates(lake, 'customer_metrics'), asOf, lookbackDays);
  const inputs: { run: BacktestRun; predictions: EarlierPredictions }[] = [];
  for (const run of runs) inputs.push({ run, predictions: await readEarlierPredictions(lake, run.asOf) });
  return inputs;
}

/** The `clv_models` parameters of the newest published run before `asOf`; null when there is none. */
export async function readLastModelParameters(
  lake: LakeReader,
  asOf: IsoDate,
): Promise<{ asOf: IsoDate; parameters: ParameterValue[] } | null> {
  const earlier = (await publishedRunDates(lake, 'clv_models')).filter((date) => date < asOf);
  const last = earlier.at(-1);
  if (!last) return null;
  const table = resultTable('clv_models');
  const columns = table.columns.filter((column) =>
    ['model', 'scope', 'parameter', 'value'].includes(column.name),
  );
  const parameters: ParameterValue[] = [];
  for (const key of await lake.list(lakeKeys.resultFolder(table.name, last))) {
    if (!key.endsWith('.parquet')) continue;
    for (const row of await decodeParquet(await lake.getBytes(key), columns))
      parameters.push({
        model: String(row.model),
        // Runs before clv_models had a scope fitted on the whole base.
        scope: row.scope === null ? 'all' : String(row.scope),
        parameter: String(row.parameter),
        value: typeof row.value === 'number' ? row.value : null,
      });
  }
  return { asOf: last, parameters };
}
