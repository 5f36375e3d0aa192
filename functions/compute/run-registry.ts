import type { IsoDate } from '../../core/records.ts';
import type { Item, ItemStore } from '../adapters/item-store.ts';

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
    export_ids: exportIds,
    tables,
    warnings,
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
