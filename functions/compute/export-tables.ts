import { pipeline, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
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

/**
 * The `rejects` table: the quarantined rows of exports that still count (loaded or blocked). A
 * quarantine file can hold millions of rows and GBs (each line carries the whole rejected row), past
 * what one string can hold: it is streamed, and each record cut to the cells the table keeps as it
 * is parsed, so memory grows with the rejected rows' count, not their size.
 */
export async function rejectsTableRows(
  lake: Pick<ObjectStore, 'openStream'>,
  items: readonly Item[],
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const current = items
    .filter((item) => item.quarantine_key && (item.status === 'loaded' || item.status === 'blocked'))
    .sort((a, b) => compareCodePoints(String(a.export_id), String(b.export_id)));
  for (const item of current) {
    const body = await openQuarantine(lake, String(item.quarantine_key));
    if (!body) continue;
    const parser = parse({
      bom: true,
      from_line: 2,
      relax_column_count: true,
      on_record: (record: string[]) => record.slice(0, 3),
    });
    // pipeline, not pipe: a body that fails midway fails the parser (and so this loop) with it.
    for await (const [line, column, reason] of pipeline(body, parser, () => {}) as AsyncIterable<string[]>) {
      rows.push({ export_id: item.export_id, kind: item.kind, line: Number(line), column, reason });
    }
  }
  return rows;
}

/** The file's bytes, or null when it is gone (a registry item can outlive its file). */
async function openQuarantine(lake: Pick<ObjectStore, 'openStream'>, key: string): Promise<Readable | null> {
  try {
    return (await lake.openStream(key)).body ?? null;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return null;
    throw error;
  }
}

function receivedAt(value: unknown): Date | null {
  const instant = new Date(String(value));
  return Number.isNaN(instant.getTime()) ? null : instant;
}
