import { createHash } from 'node:crypto';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import {
  COLUMN_SCALE,
  type PeriodFigures,
  type PlannedSeries,
  periodFigures,
  unitsText,
} from '../../core/targets/index.ts';
import type { Item } from '../adapters/item-store.ts';

/**
 * The DynamoDB items of the target lookups, per scope, metric and fiscal year (one partition,
 * `TARGET#<scope>#<metric>#FY<year>`):
 * - `YEAR`: the year's figures, with `quarters` and `months` maps (period id -> figures);
 * - `WEEK#<first day>`: a week's figures with a `days` map (date -> figures, and for a working day
 *   its `half_days` AM and PM), for the weeks around the run date: the week before it, its own week
 *   and the next. "My goal today" is one GetItem of the week holding today, "the whole week" the
 *   same item; earlier and later weeks are in Athena (`targets`), where the whole plan is.
 *
 * Every re-plan spreads the remaining gap over every open day, so an item per future week would
 * change every Monday: the window keeps a week's writes to about four items a scope and metric.
 * Money is exact: DynamoDB numbers made from decimal text, never from a JS number.
 */
export interface WeekWindow {
  /** A week is kept when it ends on or after as_of - daysBefore ... */
  daysBefore: number;
  /** ... and starts before as_of + daysAfter. */
  daysAfter: number;
}

/** The previous week, the current one and the next (Monday runs, Monday-Sunday weeks). */
export const DEFAULT_WEEK_WINDOW: WeekWindow = { daysBefore: 7, daysAfter: 14 };

export const targetPk = (scope: string, metric: string, fiscalYear: number) =>
  `TARGET#${scope}#${metric}#FY${fiscalYear}`;
export const YEAR_SK = 'YEAR';
export const weekSk = (startDate: string) => `WEEK#${startDate}`;

type Figures = Record<string, unknown>;

function figures(f: PeriodFigures, scale: number): Figures {
  const out: Figures = {
    original_target: NumberValue.from(unitsText(f.original, scale)),
    target: NumberValue.from(unitsText(f.target, scale)),
  };
  if (f.actual !== null) out.actual = NumberValue.from(unitsText(f.actual, scale));
  if (f.attainment !== null) out.attainment_pct = NumberValue.from(unitsText(f.attainment, 6));
  if (f.forecast !== null) out.forecast = NumberValue.from(unitsText(f.forecast, COLUMN_SCALE));
  out.closed = f.closed;
  return out;
}

/** The items of one planned scope and metric, in key order of creation (year first). */
export function* seriesItems(
  series: PlannedSeries,
  window: WeekWindow = DEFAULT_WEEK_WINDOW,
): Generator<Item> {
  const { calendar, basis } = series.year;
  const { periods } = calendar;
  const pk = targetPk(series.scope, series.metric, series.fiscalYear);
  const head = { fiscal_year: series.fiscalYear, scope: series.scope, metric: series.metric };
  const year = periods[0];
  if (!year) return;
  const quarters: Figures = {};
  const months: Figures = {};
  for (const p of periods) {
    if (p.level !== 'quarter' && p.level !== 'month') continue;
    (p.level === 'quarter' ? quarters : months)[p.id] = {
      start_date: p.startDate,
      end_date: p.endDate,
      ...figures(periodFigures(p, basis, series), series.scale),
    };
  }
  // A year planned on statutory holidays by rule says so; the unrecoverable gap is on the year.
  const provisional = series.year.provisional;
  const gap = series.unrecoverable[0] ?? 0n;
  yield {
    PK: pk,
    SK: YEAR_SK,
    ...head,
    period_id: year.id,
    start_date: year.startDate,
    end_date: year.endDate,
    ...figures(periodFigures(year, basis, series), series.scale),
    ...(gap !== 0n ? { unrecoverable_gap: NumberValue.from(unitsText(gap, series.scale)) } : {}),
    ...(provisional[year.index] ? { provisional_calendar: true } : {}),
    quarters,
    months,
  };

  const from = basis.asOf - window.daysBefore;
  const until = basis.asOf + window.daysAfter;
  for (const week of periods) {
    if (week.level !== 'week' || week.end < from || week.start >= until) continue;
    const days: Figures = {};
    for (const d of week.children) {
      const day = periods[d];
      if (!day) continue;
      const entry = figures(periodFigures(day, basis, series), series.scale);
      if (day.children.length > 0) {
        const halves: Figures = {};
        for (const h of day.children) {
          const half = periods[h];
          if (half) halves[half.id.slice(-2)] = figures(periodFigures(half, basis, series), series.scale);
        }
        entry.half_days = halves;
      }
      days[day.startDate] = entry;
    }
    yield {
      PK: pk,
      SK: weekSk(week.startDate),
      ...head,
      period_id: week.id,
      iso_week: week.isoWeek,
      start_date: week.startDate,
      end_date: week.endDate,
      ...figures(periodFigures(week, basis, series), series.scale),
      ...(provisional[week.index] ? { provisional_calendar: true } : {}),
      days,
    };
  }
}

/** The item as canonical text: attribute order as built, numbers as their decimal text. */
export function itemText(item: Item): string {
  return JSON.stringify(item, (_key, value) =>
    value instanceof NumberValue ? `#${value.toString()}` : value,
  );
}

/** 96 bits of SHA-256 of the item's text: equal digests mean an unchanged item. */
export function itemDigest(item: Item): string {
  return createHash('sha256').update(itemText(item)).digest('base64url').slice(0, 16);
}

/**
 * DynamoDB's size of an item (attribute names and values, numbers as ~1 byte per two digits),
 * close enough to count write units: one per started KB.
 */
export function itemSize(value: unknown): number {
  if (value instanceof NumberValue) return Math.ceil(value.toString().replace(/[-.]/g, '').length / 2) + 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'boolean' || value === null) return 1;
  if (typeof value === 'number') return 8;
  if (typeof value === 'object' && value !== null) {
    let size = 3;
    for (const [key, inner] of Object.entries(value)) size += Buffer.byteLength(key) + 1 + itemSize(inner);
    return size;
  }
  return 0;
}
