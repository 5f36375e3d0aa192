import { createHash } from 'node:crypto';
import type { Config } from '../../core/config.ts';
import type { IsoDate } from '../../core/records.ts';
import { resultTable } from '../../core/tables.ts';
import {
  actualsFromTransactions,
  planTargets,
  repTeamsFromTransactions,
  type TargetRow,
  withTargetsDefaults,
} from '../../core/targets/index.ts';
import type { Item, ItemStore } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { loadSnapshot } from '../compute/load-snapshot.ts';
import { publishResults } from '../compute/publish-results.ts';
import { resultItem } from '../compute/result-items.ts';

export interface TargetsPorts {
  lake: ObjectStore;
  items: ItemStore;
  config: Config;
}

export interface TargetsSummary {
  as_of: IsoDate;
  week: string;
  rows: number;
  /** Target export rows that could not be planned, each naming its file and line. */
  errors: string[];
  warnings: string[];
}

/**
 * The weekly re-plan as of a Monday: every day before it is closed and keeps its actual; what is
 * left of each annual target is spread over the remaining days. Writes `results/targets/as_of=` and
 * one TARGET# item per scope, metric and period, so "my goal today" is a single GetItem.
 */
export async function runTargets(ports: TargetsPorts, asOf: IsoDate, week: string): Promise<TargetsSummary> {
  // Actuals read transaction records, not the compute job's columns.
  const { snapshot, exportIds } = await loadSnapshot(ports.lake, { transactionRecords: true });
  const settings = withTargetsDefaults(ports.config.targets as Parameters<typeof withTargetsDefaults>[0]);
  const firstOrderDates = new Map<string, IsoDate>();
  for (const t of snapshot.transactions) {
    const first = firstOrderDates.get(t.customer_id);
    if (!first || t.order_date < first) firstOrderDates.set(t.customer_id, t.order_date);
  }
  const actuals = actualsFromTransactions(snapshot.transactions, {
    revenueNetOfReturns: settings.revenueNetOfReturns,
    firstOrderDates,
  });
  const plan = planTargets({
    targets: snapshot.targets,
    actuals,
    config: settings,
    asOf,
    repTeams: repTeamsFromTransactions(snapshot.transactions),
  });
  const files = await exportFiles(ports.items);
  const errors = plan.errors.map((e) => {
    const record = snapshot.targets.find((t) => t.source_line === e.source_line && t.scope === e.scope);
    const file = record?.export_id ? files.get(record.export_id) : undefined;
    return file ? `${file}: ${e.message}` : e.message;
  });
  const table = resultTable('targets');
  const runId = createHash('sha256')
    .update(`targets\n${asOf}\n${exportIds.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  await publishResults(
    ports.lake,
    asOf,
    runId,
    new Map([[table, plan.rows as unknown as Record<string, unknown>[]]]),
  );
  await ports.items.putAll(plan.rows.map((row) => targetItem(row, table)));
  await ports.items.put({
    PK: `TARGETS_RUN#${asOf}`,
    SK: 'META',
    week,
    rows: plan.rows.length,
    errors,
    warnings: plan.warnings,
  });
  return { as_of: asOf, week, rows: plan.rows.length, errors, warnings: plan.warnings };
}

function targetItem(row: TargetRow, table: ReturnType<typeof resultTable>): Item {
  return resultItem(
    `TARGET#${row.scope}#${row.metric}#FY${row.fiscal_year}`,
    `${row.level}#${row.period_id}`,
    row as unknown as Record<string, unknown>,
    table,
  );
}

async function exportFiles(items: ItemStore): Promise<Map<string, string>> {
  const exports = await items.scanPrefix('EXPORT#');
  return new Map(exports.map((e) => [String(e.export_id), String(e.s3_key)]));
}
