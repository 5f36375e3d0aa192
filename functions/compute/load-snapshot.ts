import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { EXPORT_KINDS, type ExportKind } from '../../core/exports/kinds.ts';
import type { Snapshot } from '../../core/records.ts';
import type { ObjectStore } from '../adapters/object-store.ts';
import { decodeParquet } from '../adapters/parquet.ts';

/**
 * Reads every published curated export into memory as domain records. Only published folders
 * exist under `curated/` (ingest writes to staging first and deletes replaced exports), so the
 * listing is the set of exports that currently count.
 */
export async function loadSnapshot(lake: ObjectStore): Promise<{ snapshot: Snapshot; exportIds: string[] }> {
  const snapshot = Object.fromEntries(EXPORT_KINDS.map((kind) => [kind, []])) as unknown as Snapshot;
  const exportIds = new Set<string>();
  for (const kind of EXPORT_KINDS) {
    const keys = (await lake.list(`curated/${kind}/`)).filter((key) => key.endsWith('.parquet'));
    const target = snapshot[kind] as unknown[];
    for (const key of keys) {
      const match = /export_id=([^/]+)\//.exec(key);
      if (match?.[1]) exportIds.add(match[1]);
      const rows = await decodeParquet(await lake.getBytes(key), curatedColumns(kind));
      for (const row of rows) target.push(toRecord(kind, row, match?.[1] ?? ''));
    }
  }
  // Part order follows export ids; sort so results never depend on listing order.
  snapshot.transactions.sort((a, b) => cmp(a.order_date, b.order_date) || cmp(a.order_id, b.order_id));
  snapshot.customers.sort((a, b) => cmp(a.customer_id, b.customer_id));
  return { snapshot, exportIds: [...exportIds].sort() };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toRecord(kind: ExportKind, row: Record<string, unknown>, exportId: string): unknown {
  if (kind === 'targets') {
    return {
      fiscal_year: row.fiscal_year,
      metric: row.metric,
      amount: row.amount,
      scope: row.scope ?? 'company',
      share: row.share ?? null,
      source_line: row.source_line,
      export_id: exportId,
    };
  }
  const { source_line: _line, ...rest } = row;
  return rest;
}
