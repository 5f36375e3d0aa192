import { parse } from 'csv-parse/sync';
import { compareCodePoints } from '../../core/text/code-points.ts';
import type { Item } from '../adapters/item-store.ts';
import type { ObjectStore } from '../adapters/object-store.ts';

/**
 * The `exports` table: every export ingest has seen, from the registry's items, by export id in
 * code point order (the same on every machine; localeCompare's follows its locale). An export still
 * `loading` (or one whose claim died with its invocation) has no totals yet: zeros, not NaN.
 */
export function exportsTableRows(items: readonly Item[]): Record<string, unknown>[] {
  return items
    .filter((item) => item.SK.startsWith('EXPORT#'))
    .map((item) => ({
      export_id: item.export_id,
      kind: item.kind,
      s3_key: item.s3_key,
      version: item.version,
      status: item.status,
      status_reason: item.status_reason || null,
      encoding: item.encoding ?? null,
      encoding_confidence: item.encoding_confidence ?? null,
      warnings: JSON.stringify(item.warnings ?? []),
      rows_in: Number(item.rows_in ?? 0),
      rows_curated: Number(item.rows_curated ?? 0),
      rows_quarantined: Number(item.rows_quarantined ?? 0),
      control_totals: item.control_totals ?? '{}',
      received_at: receivedAt(item.received_at),
    }))
    .sort((a, b) => compareCodePoints(String(a.export_id), String(b.export_id)));
}

/** The `rejects` table: the quarantined rows of exports that still count (loaded or blocked). */
export async function rejectsTableRows(
  lake: ObjectStore,
  items: readonly Item[],
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const current = items
    .filter((item) => item.quarantine_key && (item.status === 'loaded' || item.status === 'blocked'))
    .sort((a, b) => compareCodePoints(String(a.export_id), String(b.export_id)));
  for (const item of current) {
    const text = await lake.getText(String(item.quarantine_key));
    if (!text) continue;
    const records = parse(text, { bom: true, from_line: 2, relax_column_count: true }) as string[][];
    for (const [line, column, reason] of records) {
      rows.push({ export_id: item.export_id, kind: item.kind, line: Number(line), column, reason });
    }
  }
  return rows;
}

function receivedAt(value: unknown): Date | null {
  const instant = new Date(String(value));
  return Number.isNaN(instant.getTime()) ? null : instant;
}
