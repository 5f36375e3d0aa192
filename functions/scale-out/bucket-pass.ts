import {
  backtestPurchaseUnit,
  type ClvSummaries,
  mergeClvSummaries,
  mergeWindowActuals,
  summarizeForClv,
  type WindowActuals,
  windowActuals,
} from '../../core/clv/index.ts';
import { clvSettings, profitabilitySettings } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { columnTotal } from '../../core/profitability/cents.ts';
import {
  type ExportedCustomer,
  mergeTransactionPasses,
  passTransactions,
  type TransactionPass,
} from '../../core/profitability/transaction-pass.ts';
import type { CentsColumn, TransactionColumns } from '../../core/records.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { decodeParquet } from '../adapters/parquet.ts';
import type { MergedBuckets } from '../compute/compute-results.ts';
import { loadTransactionColumns } from '../compute/load-transactions.ts';
import type { ComputePorts } from '../compute/run-compute.ts';
import { decodePass, encodePass } from './pass-codec.ts';
import { type BucketTotals, type RunPlan, readRunText, runKeys } from './run-folder.ts';

/**
 * pass/bucket=<b>.json: everything the run takes from a bucket's transaction lines, so the combine
 * step never holds a line: profitability's pass (each customer's totals, the set cells), the CLV
 * summaries and each backtest window's actuals, all per customer of the bucket or summable.
 */
export interface BucketPass {
  transactions: TransactionPass;
  clv: ClvSummaries;
  actuals: WindowActuals[];
}

/**
 * The bucket's pass over its lines (the partition step's Parquet under the bucket's folder), with
 * the control totals of the lines as read. Its customers' rows of the customers exports (segment,
 * acquisition date) come from the partition too (see bucketCustomers).
 */
export async function passBucket(
  ports: Pick<ComputePorts, 'lake' | 'config'>,
  plan: RunPlan,
  bucket: number,
): Promise<BucketTotals> {
  // The partition's Parquet (DuckDB's or Athena's writer) read as the embedded load reads the
  // curated parts: columns in canonical order, about 37 bytes a line.
  const keys = await ports.lake.list(runKeys.bucketTransactions(plan.run_id, bucket));
  const lines = await loadTransactionColumns(ports.lake, keys);
  const { customers: exported, rows: customerRows } = await bucketCustomers(ports.lake, plan, bucket);
  const totals = { ...lineTotals(bucket, lines), customer_rows: customerRows };
  const clv = clvSettings(ports.config);
  const pass: BucketPass = {
    transactions: passTransactions(
      lines,
      (id) => exported.get(id),
      plan.as_of,
      profitabilitySettings(ports.config),
    ),
    clv: summarizeForClv(lines, plan.as_of, clv),
    actuals: (plan.backtest_from ?? []).map((from) =>
      windowActuals(lines, from, plan.as_of, backtestPurchaseUnit(clv)),
    ),
  };
  // Without a holdout the calibration and current summaries are one object: written once.
  const written =
    pass.clv.current === pass.clv.calibration ? { ...pass, clv: { ...pass.clv, current: null } } : pass;
  await ports.lake.put(runKeys.pass(plan.run_id, bucket), encodePass(written), 'application/json');
  return totals;
}

/** The buckets' passes as one: what one pass over all the run's lines gives. */
export async function mergeBucketPasses(
  lake: Pick<ObjectStore, 'getText'>,
  plan: RunPlan,
): Promise<MergedBuckets> {
  const passes: BucketPass[] = [];
  for (let bucket = 0; bucket < plan.buckets; bucket++) {
    const text = await readRunText(lake, runKeys.pass(plan.run_id, bucket), 'the summarise step');
    const pass = decodePass<BucketPass>(text);
    if (pass.clv.current === null) pass.clv.current = pass.clv.calibration as typeof pass.clv.current;
    passes.push(pass);
  }
  const from = plan.backtest_from ?? [];
  return {
    pass: mergeTransactionPasses(passes.map((p) => p.transactions)),
    clv: mergeClvSummaries(passes.map((p) => p.clv)),
    actuals: from.map((_, k) => mergeWindowActuals(passes.map((p) => p.actuals[k] as WindowActuals))),
  };
}

/**
 * The bucket's customers' rows of the run's customers exports (the partition step's), the last row
 * of a customer winning as on the embedded path: exports in id order, then lines in order; and how
 * many rows there were, for the control totals.
 */
async function bucketCustomers(
  lake: Pick<ObjectStore, 'list' | 'getBytes'>,
  plan: RunPlan,
  bucket: number,
): Promise<{ customers: Map<string, ExportedCustomer>; rows: number }> {
  const columns = [
    ...curatedColumns('customers').filter((column) =>
      ['customer_id', 'acquired_on', 'segment', 'source_line'].includes(column.name),
    ),
    { name: 'export_id', type: 'string', description: 'the export of the row' } as const,
  ];
  const rows: { id: string; exportId: string; line: number; customer: ExportedCustomer }[] = [];
  for (const key of await lake.list(runKeys.bucketCustomers(plan.run_id, bucket))) {
    for (const row of await decodeParquet(await lake.getBytes(key), columns))
      rows.push({
        id: String(row.customer_id),
        // As the lake lists the parts (export_id=<id>/part-...), so ids that prefix others sort alike.
        exportId: `${String(row.export_id)}/`,
        line: Number(row.source_line),
        customer: { acquiredOn: row.acquired_on as string, segment: (row.segment as string | null) ?? null },
      });
  }
  rows.sort((a, b) => (a.exportId < b.exportId ? -1 : a.exportId > b.exportId ? 1 : a.line - b.line));
  const customers = new Map<string, ExportedCustomer>();
  for (const row of rows) customers.set(row.id, row.customer);
  return { customers, rows: rows.length };
}

function lineTotals(bucket: number, lines: TransactionColumns): Omit<BucketTotals, 'customer_rows'> {
  const sum = (column: CentsColumn) => columnTotal(column, lines.length).toFixed(2);
  return {
    bucket,
    lines: lines.length,
    customers: lines.customerIds.length,
    revenue: sum(lines.revenue),
    cost: sum(lines.cost),
    returned_amount: sum(lines.returned),
  };
}
