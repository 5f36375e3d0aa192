/**
 * The sales roster (`reps` export): which team a rep sells for, from when to when, how the rep ramps up
 * and with what capacity. Each row is a spell: a rep who moves team is listed once per team, each row
 * with its own dates, so the rep is planned in each team for the days of its spell there. A team's
 * target is split among its reps by capacity x ramp on each day they are on the roster, so a rep who
 * has not started or has left gets nothing and the team's other reps carry the difference; the split
 * is made day by day, so every period of the team still adds up.
 */
import { type Money, money } from '../money.ts';
import type { RepRecord } from '../records.ts';
import type { RosterConfig } from './config.ts';
import { type EpochDay, fromYmd, isIsoDate, toEpochDay, toIsoDate, ymd } from './dates.ts';

/** One row of the roster: a rep in one team from `start` to `end`. */
export interface RosterSpell {
  repId: string;
  team: string;
  /** First day in the team; null: always was. */
  start: EpochDay | null;
  /** Last day in the team (`ended_on`); null: still there. */
  end: EpochDay | null;
  /** Share of a full target in month 1, 2, ... after `rampFrom`. */
  ramp: Money[];
  capacity: Money;
  /**
   * The day the ramp counts from: the start of the rep's stay in the company this spell belongs to,
   * so a move between teams does not ramp the rep again. null: no ramp (on the roster always).
   */
  rampFrom: EpochDay | null;
  /** 1-based line of the reps export, when the record carries it. */
  line: number | null;
}

/**
 * A rep's spells, by start and never on the same day; or the rep's spells in one team (see
 * `inTeam`). With `capacityBase`, the factor carries each spell's capacity relative to it.
 */
export interface RosterEntry {
  repId: string;
  spells: readonly RosterSpell[];
  /**
   * The capacity the rep's share of the team was set to: a roster-split rep's factor is
   * capacity / capacityBase x ramp, so a capacity that changes between spells shows. Absent: the
   * rep's share came from a target row, and capacity plays no part.
   */
  capacityBase?: Money;
}

export type Roster = ReadonlyMap<string, RosterEntry>;

/** A reps record, with the line of its export row when the loader keeps it. */
export type RosterRecord = RepRecord & { source_line?: number | bigint | null };

const ONE = money(1);
const ZERO_SHARE = money(0);

/**
 * One entry per rep, its spells in order. Rows with an end before their start are left out with a
 * warning; a row repeated exactly is planned once, with a warning. Rows of one rep naming the same
 * days (in two teams, or twice in one team with different terms) are resolved, with a warning: the
 * row that starts later holds those days (see rosterFromExport's loop), so no rep loses its targets
 * to a roster update that forgot to end the old row.
 *
 * The ramp counts from the start of the rep's stay in the company: a spell that starts when the one
 * before ends (the next day, or after days that are all off work, as with a move recorded as ending
 * on a Friday and starting on the Monday) continues the stay, so the ramp runs on through a move.
 * A spell after a gap with a working day in it (the rep left and came back) starts a new stay and
 * ramps again: a returning rep rebuilds a pipeline as a new hire does, and a company that thinks
 * otherwise gives the returning row `ramp_months` 0. Each spell ramps by its own `ramp_months` (or
 * the default), counted from the stay's start.
 */
export function rosterFromExport(
  records: readonly RosterRecord[],
  config: RosterConfig,
  isWorkingDay: (day: EpochDay) => boolean = () => true,
): { roster: Map<string, RosterEntry>; warnings: string[] } {
  const warnings: string[] = [];
  const defaultRamp = config.ramp.map((share) => money(share));
  const byRep = new Map<string, { spell: RosterSpell; terms: string }[]>();
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
    const line =
      record.source_line === null || record.source_line === undefined ? null : Number(record.source_line);
    const spell: RosterSpell = { repId, team, start, end, ramp, capacity, rampFrom: start, line };
    const terms = JSON.stringify([team, start, end, months ?? null, capacity.toString()]);
    const spells = byRep.get(repId) ?? [];
    const same = spells.find((s) => s.terms === terms);
    if (same) {
      warnings.push(`reps: ${repId} is listed twice in team:${team} ${span(spell)}; planned once`);
      continue;
    }
    spells.push({ spell, terms });
    byRep.set(repId, spells);
  }

  const roster = new Map<string, RosterEntry>();
  for (const [repId, listed] of byRep) {
    // Two open starts would subtract -Infinity from -Infinity (NaN): compare, do not subtract.
    const from = (s: RosterSpell) => s.start ?? -Infinity;
    const spells = listed
      .map((s) => s.spell)
      .sort((a, b) => (from(a) < from(b) ? -1 : from(a) > from(b) ? 1 : 0));
    // Rows naming the same days: the row that starts later holds the rep on them (the usual
    // roster update is a move added without ending the old row, or a handover day in both rows),
    // the earlier row keeps its days outside them; on the same start, the row listed later wins.
    let kept: RosterSpell[] = [];
    for (const spell of spells) {
      const next: RosterSpell[] = [];
      for (const held of kept) {
        if (!spellsOverlap(held, spell)) {
          next.push(held);
          continue;
        }
        warnings.push(overlapWarning(repId, held, spell));
        if (spell.start !== null && (held.start === null || held.start < spell.start))
          next.push({ ...held, end: spell.start - 1 });
        if (spell.end !== null && (held.end === null || held.end > spell.end))
          next.push({ ...held, start: spell.end + 1, rampFrom: spell.end + 1 });
      }
      next.push(spell);
      kept = next.sort((a, b) => (from(a) < from(b) ? -1 : from(a) > from(b) ? 1 : 0));
    }
    for (let i = 1; i < kept.length; i++) {
      const before = kept[i - 1] as RosterSpell;
      const spell = kept[i] as RosterSpell;
      if (continues(before, spell, isWorkingDay)) spell.rampFrom = before.rampFrom;
    }
    if (kept.length > 0) roster.set(repId, { repId, spells: kept });
  }
  return { roster, warnings };
}

/** Whether `next` (starting after `before` ends) carries on the same stay in the company. */
function continues(
  before: RosterSpell,
  next: RosterSpell,
  isWorkingDay: (day: EpochDay) => boolean,
): boolean {
  if (before.end === null || next.start === null) return false;
  for (let day = before.end + 1; day < next.start; day++) if (isWorkingDay(day)) return false;
  return true;
}

function span(spell: RosterSpell): string {
  const from = spell.start === null ? null : toIsoDate(spell.start);
  const to = spell.end === null ? null : toIsoDate(spell.end);
  if (from === null) return to === null ? '(from the start, open-ended)' : `(until ${to})`;
  return to === null ? `(${from} on)` : `(${from} to ${to})`;
}

function spellsOverlap(a: RosterSpell, b: RosterSpell): boolean {
  return (a.start ?? -Infinity) <= (b.end ?? Infinity) && (b.start ?? -Infinity) <= (a.end ?? Infinity);
}

function overlapWarning(repId: string, held: RosterSpell, later: RosterSpell): string {
  const from = Math.max(held.start ?? -Infinity, later.start ?? -Infinity);
  const to = Math.min(held.end ?? Infinity, later.end ?? Infinity);
  const days = Number.isFinite(from)
    ? Number.isFinite(to)
      ? ` from ${toIsoDate(from)} to ${toIsoDate(to)}`
      : ` from ${toIsoDate(from)}`
    : Number.isFinite(to)
      ? ` until ${toIsoDate(to)}`
      : '';
  const lines = held.line !== null && later.line !== null ? `lines ${held.line} and ${later.line}: ` : '';
  return `reps: ${lines}${repId} is in team:${held.team} ${span(held)} and team:${later.team} ${span(later)} on the same days${days}: planned in team:${later.team} on them (the row that starts later); end the earlier row the day before the next starts`;
}

/** The rep's spells in one team (none when the rep never was in it), factor without capacity. */
export function inTeam(entry: RosterEntry, team: string): RosterEntry {
  return { repId: entry.repId, spells: entry.spells.filter((s) => s.team === team) };
}

/** The entry with its factor carrying capacity relative to `base` (the rep's share of the team). */
export function withCapacity(entry: RosterEntry, base: Money): RosterEntry {
  return { ...entry, capacityBase: base };
}

function spellOn(entry: RosterEntry, day: EpochDay): RosterSpell | undefined {
  return entry.spells.find((s) => (s.start === null || day >= s.start) && (s.end === null || day <= s.end));
}

/** Whether the rep is on the roster (in any of the entry's spells) on the day. */
export function onRoster(entry: RosterEntry, day: EpochDay): boolean {
  return spellOn(entry, day) !== undefined;
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

function rampShare(spell: RosterSpell, day: EpochDay): Money {
  if (spell.rampFrom === null || spell.ramp.length === 0) return ONE;
  for (let k = 0; k < spell.ramp.length; k++) {
    if (day < addMonths(spell.rampFrom, k + 1)) return spell.ramp[k] as Money;
  }
  return ONE;
}

/** The rep's share of a full target on the day: 0 off the roster, the ramp's in its first months. */
export function rosterFactor(entry: RosterEntry, day: EpochDay): Money {
  const spell = spellOn(entry, day);
  if (!spell) return ZERO_SHARE;
  const ramp = rampShare(spell, day);
  const base = entry.capacityBase;
  return base === undefined || spell.capacity.equals(base)
    ? ramp
    : ramp.times(spell.capacity).dividedBy(base);
}

/** Days on which the factor may change, from `from` to `to` (the first day of each stretch). */
export function rosterBreaks(entry: RosterEntry, from: EpochDay, to: EpochDay): EpochDay[] {
  const breaks: EpochDay[] = [];
  for (const spell of entry.spells) {
    if (spell.start !== null) breaks.push(spell.start);
    if (spell.rampFrom !== null) {
      for (let k = 0; k <= spell.ramp.length; k++) breaks.push(addMonths(spell.rampFrom, k));
    }
    if (spell.end !== null) breaks.push(spell.end + 1);
  }
  return breaks.filter((d) => d > from && d <= to);
}

/** Whether the rep's factor is 1 on every day from `from` to `to` (no window, ramp or capacity change inside). */
export function fullAllAlong(entry: RosterEntry, from: EpochDay, to: EpochDay): boolean {
  const spell = spellOn(entry, from);
  if (!spell || (spell.end !== null && spell.end < to)) return false;
  if (entry.capacityBase !== undefined && !spell.capacity.equals(entry.capacityBase)) return false;
  return (
    spell.rampFrom === null || spell.ramp.length === 0 || addMonths(spell.rampFrom, spell.ramp.length) <= from
  );
}

function overlaps(spell: RosterSpell, from: EpochDay, to: EpochDay): boolean {
  return (spell.start === null || spell.start <= to) && (spell.end === null || spell.end >= from);
}

/** Whether the rep is on the roster at some day from `from` to `to`. */
export function onRosterDuring(entry: RosterEntry, from: EpochDay, to: EpochDay): boolean {
  return entry.spells.some((s) => overlaps(s, from, to));
}

/**
 * The rep's spells in `team` from `from` to `to` (a fiscal year), or none. The last of them with
 * a capacity gives the rep's share of the team; its other spells there are weighed against it.
 */
export function spellsInTeamDuring(
  entry: RosterEntry,
  team: string,
  from: EpochDay,
  to: EpochDay,
): RosterSpell[] {
  return entry.spells.filter((s) => s.team === team && overlaps(s, from, to));
}

/**
 * The teams the rep was in from `from` to `to` (a fiscal year), most days first, ties to the team
 * the rep was in first; when the rep was in none then, the team of its last spell. A `rep:` share
 * row of the year is a share of the first of these with a target: a rep who moves during the year
 * may hold a share of either team, and the one it sold for longest is the likelier one meant.
 */
export function teamsDuring(entry: RosterEntry, from: EpochDay, to: EpochDay): string[] {
  const days = new Map<string, number>();
  for (const spell of entry.spells) {
    if (!overlaps(spell, from, to)) continue;
    const first = Math.max(spell.start ?? from, from);
    const last = Math.min(spell.end ?? to, to);
    days.set(spell.team, (days.get(spell.team) ?? 0) + last - first + 1);
  }
  if (days.size === 0) {
    const last = entry.spells[entry.spells.length - 1];
    return last ? [last.team] : [];
  }
  // Map keeps first-insertion order and the sort is stable: ties stay in spell order.
  return [...days].sort((a, b) => b[1] - a[1]).map(([team]) => team);
}
