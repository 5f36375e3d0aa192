/**
 * The sales roster (`reps` export): which team a rep sells for, from when to when, how the rep ramps up
 * and with what capacity. A team's target is split among its reps by capacity x ramp on each day they
 * are on the roster, so a rep who has not started or has left gets nothing and the team's other reps
 * carry the difference; the split is made day by day, so every period of the team still adds up.
 */
import { type Money, money } from '../money.ts';
import type { RepRecord } from '../records.ts';
import type { RosterConfig } from './config.ts';
import { type EpochDay, fromYmd, isIsoDate, toEpochDay, ymd } from './dates.ts';

export interface RosterEntry {
  repId: string;
  team: string;
  /** First day on the roster; null: always was. */
  start: EpochDay | null;
  /** Last day on the roster (`ended_on`); null: still there. */
  end: EpochDay | null;
  /** Share of a full target in month 1, 2, ... after `start`. */
  ramp: Money[];
  capacity: Money;
}

export type Roster = ReadonlyMap<string, RosterEntry>;

const ONE = money(1);
const ZERO_SHARE = money(0);

/**
 * One entry per rep: a rep listed twice (a move between teams) keeps the row that started last.
 * Rows with an end before their start are left out with a warning.
 */
export function rosterFromExport(
  records: readonly RepRecord[],
  config: RosterConfig,
): { roster: Map<string, RosterEntry>; warnings: string[] } {
  const roster = new Map<string, RosterEntry>();
  const warnings: string[] = [];
  const defaultRamp = config.ramp.map((share) => money(share));
  for (const record of records) {
    const repId = String(record.rep_id ?? '').trim();
    const team = String(record.team ?? '').trim();
    if (repId === '' || team === '') continue;
    const start = record.started_on && isIsoDate(record.started_on) ? toEpochDay(record.started_on) : null;
    const end = record.ended_on && isIsoDate(record.ended_on) ? toEpochDay(record.ended_on) : null;
    if (start !== null && end !== null && end < start) {
      warnings.push(
        `reps: ${repId} ends (${record.ended_on}) before starting (${record.started_on}), left out`,
      );
      continue;
    }
    const months = record.ramp_months;
    const ramp =
      months === null || months === undefined
        ? defaultRamp
        : Array.from({ length: Math.max(0, Math.min(36, Number(months))) }, (_, k) =>
            money(k + 1).dividedBy(Number(months) + 1),
          );
    const capacity = record.capacity === null || record.capacity === undefined ? ONE : money(record.capacity);
    const entry: RosterEntry = { repId, team, start, end, ramp, capacity };
    const earlier = roster.get(repId);
    if (earlier) {
      if ((earlier.start ?? -Infinity) > (start ?? -Infinity)) continue;
      if (earlier.team !== team) {
        warnings.push(
          `reps: ${repId} is listed in ${earlier.team} and ${team}; planned in ${team}, the later start`,
        );
      }
    }
    roster.set(repId, entry);
  }
  return { roster, warnings };
}

/** Whether the rep is on the roster on the day. */
export function onRoster(entry: RosterEntry, day: EpochDay): boolean {
  return (entry.start === null || day >= entry.start) && (entry.end === null || day <= entry.end);
}

/** The day `months` calendar months after `day` (clamped to the month's end: 31 Jan + 1 = 28/29 Feb). */
export function addMonths(day: EpochDay, months: number): EpochDay {
  const { year, month, day: date } = ymd(day);
  const target = month - 1 + months;
  const y = year + Math.floor(target / 12);
  const m = (((target % 12) + 12) % 12) + 1;
  const last = ymd(fromYmd(y, m + 1, 0)).day;
  return fromYmd(y, m, Math.min(date, last));
}

/** The rep's share of a full target on the day: 0 off the roster, the ramp's in its first months. */
export function rosterFactor(entry: RosterEntry, day: EpochDay): Money {
  if (!onRoster(entry, day)) return ZERO_SHARE;
  if (entry.start === null || entry.ramp.length === 0) return ONE;
  for (let k = 0; k < entry.ramp.length; k++) {
    if (day < addMonths(entry.start, k + 1)) return entry.ramp[k] as Money;
  }
  return ONE;
}

/** Days on which the factor may change, from `from` to `to` (the first day of each stretch). */
export function rosterBreaks(entry: RosterEntry, from: EpochDay, to: EpochDay): EpochDay[] {
  const breaks: EpochDay[] = [];
  if (entry.start !== null) {
    for (let k = 0; k <= entry.ramp.length; k++) breaks.push(addMonths(entry.start, k));
  }
  if (entry.end !== null) breaks.push(entry.end + 1);
  return breaks.filter((d) => d > from && d <= to);
}

/** Whether the rep's factor is 1 on every day from `from` to `to` (no window or ramp inside). */
export function fullAllAlong(entry: RosterEntry, from: EpochDay, to: EpochDay): boolean {
  if (entry.end !== null && entry.end < to) return false;
  if (entry.start === null) return true;
  return addMonths(entry.start, entry.ramp.length) <= from;
}

/** Whether the rep is on the roster at some day from `from` to `to`. */
export function onRosterDuring(entry: RosterEntry, from: EpochDay, to: EpochDay): boolean {
  return (entry.start === null || entry.start <= to) && (entry.end === null || entry.end >= from);
}
