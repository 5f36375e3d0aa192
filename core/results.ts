import { predictCustomerValue } from './clv/index.ts';
import { type Config, clvSettings, profitabilitySettings } from './config.ts';
import { type Money, roundMoney } from './money.ts';
import { computeProfitability } from './profitability/index.ts';
import { transactionColumnsOf } from './profitability/transaction-columns.ts';
import type { IsoDate, SnapshotInput } from './records.ts';
import { resultTable, type TableDefinition } from './tables.ts';

export interface ComputedResults {
  tables: Map<TableDefinition, Record<string, unknown>[]>;
  warnings: string[];
}

/**
 * Everything the compute job derives from a snapshot as of a date: profitability (customer,
 * cohort, segment x product, whale curve, service ROI) and predictive CLV, merged per customer.
 */
export function computeResults(snapshot: SnapshotInput, asOf: IsoDate, config: Config): ComputedResults {
  const settings = profitabilitySettings(config);
  // Records become columns once; both engines read the columns.
  const columns = transactionColumnsOf(snapshot);
  const profitability = computeProfitability(snapshot, asOf, settings, columns);
  const prediction = predictCustomerValue({
    transactions: columns,
    asOf,
    config: clvSettings(config),
  });
  const customerMetrics = profitability.customerMetrics.map((row) => {
    const predicted = prediction.customers.get(row.customer_id);
    return predicted
      ? {
          ...row,
          clv_predicted: predicted.clv_predicted
            ? roundMoney(predicted.clv_predicted as Money, 2, settings.rounding)
            : null,
          p_alive: predicted.p_alive,
          expected_orders_next_year: predicted.expected_orders_next_year,
        }
      : row;
  });
  const unallocated = profitability.unallocated.map(
    (u) =>
      `unallocated ${u.pool} ${u.period}${u.key ? ` (${u.key})` : ''}: ${u.amount.toFixed(2)} — ${u.reason}`,
  );
  return {
    tables: new Map<TableDefinition, Record<string, unknown>[]>([
      [resultTable('customer_metrics'), customerMetrics as unknown as Record<string, unknown>[]],
      [resultTable('cohort_metrics'), profitability.cohortMetrics as unknown as Record<string, unknown>[]],
      [
        resultTable('cohort_retention'),
        profitability.cohortRetention as unknown as Record<string, unknown>[],
      ],
      [
        resultTable('segment_product_profit'),
        profitability.segmentProductProfit as unknown as Record<string, unknown>[],
      ],
      [resultTable('whale_curve'), profitability.whaleCurve as unknown as Record<string, unknown>[]],
      [resultTable('service_roi'), profitability.serviceRoi as unknown as Record<string, unknown>[]],
      [resultTable('period_kpis'), profitability.periodKpis as unknown as Record<string, unknown>[]],
      [resultTable('clv_models'), prediction.models as unknown as Record<string, unknown>[]],
      // Empty unless a holdout period is configured (clv.holdoutDays).
      [resultTable('clv_holdout'), prediction.diagnostics as unknown as Record<string, unknown>[]],
    ]),
    warnings: [...profitability.warnings, ...prediction.notes, ...unallocated],
  };
}
