import { createHash } from 'node:crypto';
import type { IsoDate } from '../../core/records.ts';
import type { Item, ItemStore } from '../adapters/item-store.ts';
import type { RunWarnings } from '../report/run-warnings-section.ts';
import { recordedMessages } from '../shared/recorded-messages.ts';

/**
 * Compute runs in the registry: `RUNS` / `AS_OF#<date>` per published day and `RUNS` / `LATEST`,
 * a copy of the newest. Dated records expire (`expires_at`, the table's TTL attribute) after
 * RUN_RECORD_DAYS, so the partition holds about a year of nights; the runs' tables stay in Athena.
 */
export const RUNS_PK = 'RUNS';
export const RUN_RECORD_DAYS = 400;

export const runKey = (asOf: IsoDate | 'LATEST') => ({
  PK: RUNS_PK,
  SK: asOf === 'LATEST' ? 'LATEST' : `AS_OF#${asOf}`,
});

/** About 110 KB of ids of 20 characters, with DynamoDB's overhead. */
const RECORDED_EXPORT_IDS = 5_000;
/** Beside the ids, well within the 400 KB an item holds. */
const RECORDED_WARNING_BYTES = 100_000;

function recordedWarnings(warnings: readonly string[]) {
  const { kept, count } = recordedMessages(warnings, RECORDED_WARNING_BYTES);
  return { warnings: kept, warnings_count: count };
}

/**
 * The warnings a run record kept and how many the run had. A record written before the count was
 * kept has only its list; a dumped item's numbers may be text (mirror-outputs.ts writes bigints so).
 */
export function runWarningsOf(record: Item): RunWarnings {
  const listed = Array.isArray(record.warnings) ? record.warnings.map(String) : [];
  const count = Number(record.warnings_count ?? listed.length);
  return { listed, count: Number.isFinite(count) ? Math.max(count, listed.length) : listed.length };
}

export function runItem(
  asOf: IsoDate,
  runId: string,
  exportIds: string[],
  tables: Record<string, number>,
  warnings: string[],
  publishedAt: Date,
): Item {
  return {
    ...runKey(asOf),
    run_id: runId,
    as_of: asOf,
    // The first RECORDED_EXPORT_IDS ids, their number and a digest of them all: years of daily
    // exports would pass the 400 KB a DynamoDB item holds, and every run would then fail at its
    // record, after publishing. The run's summary (the CLI, the log) lists every one.
    export_ids: exportIds.slice(0, RECORDED_EXPORT_IDS),
    export_count: exportIds.length,
    export_ids_digest: createHash('sha256').update(exportIds.join('\n')).digest('hex'),
    tables,
    ...recordedWarnings(warnings),
    published_at: publishedAt.toISOString(),
    expires_at: Math.floor(publishedAt.getTime() / 1000) + RUN_RECORD_DAYS * 86_400,
  };
}

export async function latestRun(items: Pick<ItemStore, 'get'>): Promise<Item | undefined> {
  const { PK, SK } = runKey('LATEST');
  return items.get(PK, SK);
}

export async function runOf(items: Pick<ItemStore, 'get'>, asOf: IsoDate): Promise<Item | undefined> {
  const { PK, SK } = runKey(asOf);
  return items.get(PK, SK);
}
