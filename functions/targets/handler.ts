import { isoWeekLabel, toEpochDay } from '../../core/calendar.ts';
import { targetWeekRefusal } from '../../core/run-day.ts';
import { mondayOf, mondayOfIsoWeek } from '../../core/targets/week.ts';
import { awsClients } from '../adapters/aws-clients.ts';
import { ItemStore } from '../adapters/item-store.ts';
import { ObjectStore } from '../adapters/object-store.ts';
import { readSettings } from '../adapters/settings.ts';
import { todayIn } from '../shared/dates.ts';
import { lambdaHandler } from '../shared/handler-wiring.ts';
import { logger, metrics } from '../shared/logger.ts';
import { runTargets, type TargetsSummary } from './run-targets.ts';

/** ISO week label of a Monday, e.g. 2026-W48. */
const weekLabel = (monday: string) => isoWeekLabel(toEpochDay(monday));

/**
 * The weekly target job: `{ "week": "YYYY-Www" }` re-plans as of that week's Monday; without it,
 * as of this week's Monday in the business time zone (the schedule fires Monday 06:00). The same
 * week always writes the same partition and items, so a retry or a second run changes nothing (and
 * writes no item: only items that differ from the table's are written).
 */
export async function targets(event: { week?: string } | undefined): Promise<TargetsSummary> {
  let asOf: string;
  const timeZone = process.env.BUSINESS_TIME_ZONE ?? readSettings().config.time_zone;
  const today = todayIn(timeZone);
  if (event?.week) {
    const monday = mondayOfIsoWeek(event.week);
    if (!monday) throw new Error(`week must be an ISO week YYYY-Www, got "${event.week}"`);
    const refusal = targetWeekRefusal('week', event.week, monday, today, timeZone);
    if (refusal) throw new Error(refusal);
    asOf = monday;
  } else {
    asOf = mondayOf(today);
  }
  const settings = readSettings();
  const { s3, dynamodb } = awsClients();
  const { writes, ...summary } = await runTargets(
    {
      lake: new ObjectStore(s3, settings.lakeBucket),
      items: new ItemStore(dynamodb, settings.tableName, { writeConcurrency: settings.writeConcurrency }),
      config: settings.config,
    },
    asOf,
    weekLabel(asOf),
  );
  logger.info('targets re-planned', { ...summary, writes });
  metrics.addMetric('TargetRows', 'Count', summary.rows);
  metrics.addMetric('TargetItemsWritten', 'Count', writes.written);
  metrics.addMetric('TargetItemsDeleted', 'Count', writes.deleted);
  metrics.addMetric('TargetErrors', 'Count', summary.errors.length);
  return summary;
}

export const handler = lambdaHandler(targets);
