import { describe, expect, it } from 'vitest';
import { money } from '../../core/money.ts';
import { resultTable } from '../../core/tables.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import {
  loadBacktestInputs,
  publishedRunDates,
  readLastModelParameters,
} from '../../functions/compute/clv-backtest-input.ts';
import type { LakeReader } from '../../functions/compute/lake-reader.ts';

/** Just what the reader calls: list and getBytes over a map. */
function memoryLake(files: Map<string, Uint8Array>): LakeReader {
  return {
    list: async (prefix: string) => [...files.keys()].filter((key) => key.startsWith(prefix)).sort(),
    getBytes: async (key: string) => (files.get(key) as Uint8Array).slice(),
  } satisfies LakeReader;
}

const metrics = resultTable('customer_metrics');
const models = resultTable('clv_models');

/** A customer_metrics row with every column of the table (null where the test does not care). */
function customerRow(
  id: string,
  clv: string | null,
  next: number | null,
  aov: string | null,
  spend: string | null = null,
) {
  const row: Record<string, unknown> = Object.fromEntries(metrics.columns.map((c) => [c.name, null]));
  return {
    ...row,
    customer_id: id,
    clv_predicted: clv === null ? null : money(clv),
    expected_orders_next_year: next,
    average_order_value: aov === null ? null : money(aov),
    expected_spend: spend === null ? null : money(spend),
  };
}

/** customer_metrics as runs published it before expected_spend was a column. */
const olderMetrics = metrics.columns.filter((c) => c.name !== 'expected_spend');

function modelRow(model: string, scope: string, parameter: string, value: number | null) {
  return {
    model,
    scope,
    parameter,
    value,
    std_error: null,
    log_likelihood: -100,
    customers: 10,
    converged: true,
    calibration_end: '2025-01-01',
    time_unit: 'weeks',
    note: null,
  };
}

describe('CLV backtest and drift inputs from the lake', () => {
  const files = new Map<string, Uint8Array>([
    [
      'results/customer_metrics/as_of=2025-01-01/part-00000.parquet',
      encodeParquet(metrics.columns, [
        customerRow('A', '1234.56', 3.5, '100.25', '80.40'),
        customerRow('B', null, 0.25, '9.99'),
      ]),
    ],
    [
      'results/customer_metrics/as_of=2025-01-01/part-00001.parquet',
      encodeParquet(olderMetrics, [customerRow('C', '0.01', null, null)]),
    ],
    ['results/customer_metrics/as_of=2025-03-28/part-00000.parquet', encodeParquet(metrics.columns, [])],
    // Staged, never published: not a run anyone saw.
    [
      'staging/results/abc/customer_metrics/as_of=2024-10-03/part-00000.parquet',
      encodeParquet(metrics.columns, [customerRow('Z', '1', 1, '1')]),
    ],
    [
      'results/clv_models/as_of=2025-03-28/part-00000.parquet',
      encodeParquet(models.columns, [
        modelRow('bgnbd', 'all', 'r', 0.25),
        modelRow('pareto_nbd', 'all', 'not_fitted', null),
      ]),
    ],
    [
      'results/clv_models/as_of=2025-03-31/part-00000.parquet',
      encodeParquet(models.columns, [
        modelRow('bgnbd', 'all', 'r', 0.3),
        modelRow('sbg', 'plan=Gold', 'beta', 1.5),
      ]),
    ],
    ['results/clv_models/as_of=2025-04-01/part-00000.parquet', encodeParquet(models.columns, [])],
  ]);
  const lake = memoryLake(files);

  it('lists the published runs of a table', async () => {
    expect(await publishedRunDates(lake, 'customer_metrics')).toEqual(['2025-01-01', '2025-03-28']);
    expect(await publishedRunDates(lake, 'clv_backtest')).toEqual([]);
  });

  it('reads the predictions of the runs clv.backtestDays before, every part, nulls as NaN', async () => {
    const inputs = await loadBacktestInputs(lake, '2025-04-01', [90, 180, 365]);
    expect(inputs.map((i) => i.run)).toEqual([{ lookbackDays: 90, asOf: '2025-01-01' }]);
    const p = inputs[0]!.predictions;
    expect(p.asOf).toBe('2025-01-01');
    expect(p.customerIds).toEqual(['A', 'B', 'C']);
    expect(Array.from(p.clvPredicted)).toEqual([1234.56, Number.NaN, 0.01]);
    expect(Array.from(p.expectedOrdersNextYear)).toEqual([3.5, 0.25, Number.NaN]);
    expect(Array.from(p.averageOrderValue)).toEqual([100.25, 9.99, Number.NaN]);
    // C's part is of a run published before the column: NaN, as a null.
    expect(Array.from(p.expectedSpend ?? [])).toEqual([80.4, Number.NaN, Number.NaN]);
    expect(await loadBacktestInputs(lake, '2025-04-01', [])).toEqual([]);
  });

  it("reads the clv_models parameters of the newest run before tonight's", async () => {
    expect(await readLastModelParameters(lake, '2025-04-01')).toEqual({
      asOf: '2025-03-31',
      parameters: [
        { model: 'bgnbd', scope: 'all', parameter: 'r', value: 0.3 },
        { model: 'sbg', scope: 'plan=Gold', parameter: 'beta', value: 1.5 },
      ],
    });
    expect((await readLastModelParameters(lake, '2025-03-31'))?.asOf).toBe('2025-03-28');
    expect(await readLastModelParameters(lake, '2025-03-28')).toBeNull();
  });
});
