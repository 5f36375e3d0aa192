import { describe, expect, it } from 'vitest';
import { addDays } from '../../core/clv/dates.ts';
import { summarizeForClv } from '../../core/clv/index.ts';
import { clvSettings, parseConfig } from '../../core/config.ts';
import { money } from '../../core/money.ts';
import { toTransactionColumns } from '../../core/profitability/transaction-columns.ts';
import type { TransactionColumns, TransactionRecord } from '../../core/records.ts';
import { computeResults } from '../../core/results.ts';
import { predictOnWorker, sharedColumns } from '../../functions/compute/clv-prediction-worker.ts';
import { computeResultsOnTwoThreads } from '../../functions/compute/compute-results.ts';
import { customer, snapshot, tx } from '../core/profitability/fixtures.ts';
import { fromRoot, runAsLambdaBundle } from '../support/lambda-bundle.ts';

/**
 * 400 customers over two years: every fourth buys once, the others come back at their own pace
 * and some stop, with spend of their own; enough for every model to be fitted.
 */
function transactions(): TransactionRecord[] {
  const rows: TransactionRecord[] = [];
  for (let c = 0; c < 400; c++) {
    const first = (c * 37) % 420;
    const orders = c % 4 === 0 ? 1 : 2 + ((c * 13) % 9);
    const gap = 9 + ((c * 17) % 60);
    for (let k = 0; k < orders; k++) {
      const day = first + k * gap + ((c + k) % 5);
      if (day > 720) break;
      const revenue = (40 + ((c * 29 + k * 7) % 300)).toFixed(2);
      rows.push(
        tx(`C${c}`, addDays('2023-01-01', day), revenue, {
          cost: (Number(revenue) * 0.55).toFixed(2),
          product_category: c % 3 === 0 ? 'software' : 'services',
        }),
      );
    }
  }
  return rows;
}

const AS_OF = '2024-12-31';
const records = transactions();
const customers = Array.from({ length: 400 }, (_, c) =>
  customer(`C${c}`, '2023-01-01', { segment: c % 2 ? 'SMB' : 'Enterprise' }),
);

function tablesOf(result: ReturnType<typeof computeResults>): string {
  return JSON.stringify([[...result.tables].map(([t, rows]) => [t.name, [...rows]]), result.warnings]);
}

/** The columns with every array in shared memory, as the big load makes them. */
function inSharedMemory(columns: TransactionColumns): TransactionColumns {
  const share = <T extends Int32Array | Uint8Array | Float64Array>(array: T): T => {
    const shared = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(
      new SharedArrayBuffer(array.byteLength),
    );
    shared.set(array as never);
    return shared;
  };
  return {
    ...columns,
    customer: share(columns.customer),
    day: share(columns.day),
    orderStart: share(columns.orderStart),
    category: share(columns.category),
    revenue: { cents: share(columns.revenue.cents), exact: columns.revenue.exact },
    cost: { cents: share(columns.cost.cents), exact: columns.cost.exact },
    returned: { cents: share(columns.returned.cents), exact: columns.returned.exact },
  };
}

describe('computing results on two threads', () => {
  const settings: [string, object][] = [
    ['bgnbd (the default)', {}],
    ['pareto_nbd with a holdout', { model: 'pareto_nbd', holdoutDays: 90 }],
    ['mbgnbd', { model: 'mbgnbd' }],
    ['auto (three models, its own holdout)', { model: 'auto' }],
    ['bgbb by quarter', { model: 'bgbb', opportunityPeriod: 'quarter' }],
  ];
  for (const [name, clv] of settings) {
    for (const shared of [false, true]) {
      it(`gives exactly computeResults' tables and warnings: ${name}, ${shared ? 'columns in shared memory (summarised on the worker)' : 'summaries sent'}`, async () => {
        const config = parseConfig({ clv: { minRepeatCustomers: 10, ...clv } });
        const input = snapshot({ transactions: records, customers });
        const inline = computeResults(input, AS_OF, config);
        const columns = shared ? inSharedMemory(toTransactionColumns(records)) : undefined;
        expect(columns === undefined || sharedColumns(columns)).toBe(true);
        const parallel = await computeResultsOnTwoThreads(
          columns ? { ...input, transactionColumns: columns } : input,
          AS_OF,
          config,
          [],
          { predictOnWorkerFromCustomers: 0 },
        );
        // The prediction and its cash flows are there (not an empty result on both sides).
        const metrics = [...(parallel.tables.values().next().value ?? [])] as Record<string, unknown>[];
        expect(metrics.filter((row) => row.p_alive !== null).length).toBeGreaterThan(300);
        const cashflows = [...parallel.tables].find(([table]) => table.name === 'clv_cashflow')?.[1];
        expect(cashflows?.length).toBeGreaterThan(24);
        expect(tablesOf(parallel)).toBe(tablesOf(inline));
      });
    }
  }

  it('sends columns to the worker only from shared memory and without exact amounts', () => {
    const columns = toTransactionColumns(records);
    expect(sharedColumns(columns)).toBe(false);
    const shared = inSharedMemory(columns);
    expect(sharedColumns(shared)).toBe(true);
    shared.cost.exact.set(0, money('90071992547409.93'));
    expect(sharedColumns(shared)).toBe(false);
  });

  it('reports a failure on the prediction thread as the run failing, naming it', async () => {
    const config = clvSettings(parseConfig({}));
    const summaries = summarizeForClv(toTransactionColumns(records), AS_OF, config);
    // Continuous-time summaries with a by-period model: predictFromSummaries refuses them.
    await expect(predictOnWorker({ summaries }, { ...config, model: 'bgbb' })).rejects.toThrow(
      /predicting CLV failed: .*summaries by period/,
    );
  });

  it('runs from the Lambda bundle, where the worker loads the bundle itself', async () => {
    const stdout = await runAsLambdaBundle(
      `import { computeResultsOnTwoThreads } from ${fromRoot('functions/compute/compute-results.ts')};
import { computeResults } from ${fromRoot('core/results.ts')};
import { parseConfig } from ${fromRoot('core/config.ts')};
import { snapshot, tx } from ${fromRoot('test/core/profitability/fixtures.ts')};
const rows = [];
for (let c = 0; c < 60; c++) for (let k = 0; k < 1 + (c % 5); k++) rows.push(tx('C' + c, '2024-0' + (1 + ((c + k * 2) % 9)) + '-1' + (k % 9), String(20 + c + k)));
const config = parseConfig({ clv: { minRepeatCustomers: 5 } });
const input = snapshot({ transactions: rows });
const tables = (r) => JSON.stringify([...r.tables].map(([t, v]) => [t.name, [...v]]));
const parallel = await computeResultsOnTwoThreads(input, '2024-12-31', config, [], { predictOnWorkerFromCustomers: 0 });
const models = [...parallel.tables].find(([t]) => t.name === 'clv_models')[1];
console.log(JSON.stringify({ same: tables(parallel) === tables(computeResults(input, '2024-12-31', config)), fitted: models.filter((m) => m.model === 'bgnbd' && typeof m.value === 'number').length }));
`,
    );
    expect(JSON.parse(stdout)).toEqual({ same: true, fitted: 4 });
  }, 60_000);
});
