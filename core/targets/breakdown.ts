/**
 * Original targets of one (fiscal year, metric): every scope's annual target split down the period tree.
 *
 * In time, a target is split parent by parent with the largest remainder on the smallest unit, so every
 * period's children add up exactly to it. In space, a scope with shares is split so that its children
 * add up exactly to it in EVERY period, not just for the year (see split-grid.ts).
 */
import { allocateCount, type Money } from '../money.ts';
import type { EpochDay } from './dates.ts';
import type { FiscalYearCalendar, Period } from './fiscal-calendar.ts';
import { allocateInt, type IntWeights, integerChildWeights, integerWeights } from './int-weights.ts';
import { fullAllAlong, type RosterEntry, rosterBreaks, rosterFactor } from './roster.ts';
import { splitGrid } from './split-grid.ts';
import type { ScopeTarget, TargetGroup } from './validate-targets.ts';

/**
 * Units (cents or counts) per period index of every scope of the group, parents before their
 * children. Lazy: only the scopes on the path being split are held, not the whole group's.
 *
 * A rep who moved between teams during the year is a child of each team it was in, with its part
 * of each (zero on the days it was elsewhere): its target is the sum of those parts, given once,
 * after its last part is split, so each team's children still add up to the team and the rep has
 * one series.
 */
export function* breakDownGroup(
  group: TargetGroup,
  calendar: FiscalYearCalendar,
  childWeights: readonly Money[][],
  rosterOf: (child: ScopeTarget, parent: ScopeTarget) => RosterEntry | undefined = () => undefined,
): Generator<[scope: string, units: bigint[]]> {
  const { start, end } = calendar.bounds;
  const parts = new Map<string, number>();
  const count = (targets: readonly ScopeTarget[]) => {
    for (const t of targets) {
      parts.set(t.scope, (parts.get(t.scope) ?? 0) + 1);
      count(t.children);
    }
  };
  count(group.roots);
  const pending = new Map<string, { left: number; values: bigint[] }>();
  function* visit(target: ScopeTarget, values: bigint[]): Generator<[string, bigint[]]> {
    const of = parts.get(target.scope) ?? 1;
    if (of === 1) yield [target.scope, values];
    else {
      const sum = pending.get(target.scope) ?? { left: of, values: values.map(() => 0n) };
      for (let i = 0; i < values.length; i++)
        sum.values[i] = (sum.values[i] as bigint) + (values[i] as bigint);
      sum.left -= 1;
      pending.set(target.scope, sum);
      if (sum.left === 0) {
        pending.delete(target.scope);
        yield [target.scope, sum.values];
      }
    }
    if (target.children.length === 0) return;
    const entries = target.children.map((c) => rosterOf(c, target));
    const dated = entries.some((e) => e !== undefined && !fullAllAlong(e, start, end));
    const split = dated
      ? splitByDay(target, values, calendar, entries)
      : splitAmongChildren(target, values, calendar.periods);
    for (const [child, childValues] of split) yield* visit(child, childValues);
  }
  for (const root of group.roots)
    yield* visit(root, splitOverTime(root.units ?? 0n, calendar.periods, childWeights));
}

/** Top-down largest-remainder split of an annual amount; periods come parents first. */
export function splitOverTime(
  total: bigint,
  periods: readonly Period[],
  childWeights: readonly Money[][],
): bigint[] {
  const weights = integerChildWeights(childWeights);
  const values = new Array<bigint>(periods.length).fill(0n);
  values[0] = total;
  for (const period of periods) {
    const children = period.children;
    if (children.length === 0) continue;
    const parts = allocateInt(values[period.index] as bigint, weights[period.index] as IntWeights);
    for (let i = 0; i < children.length; i++) values[children[i] as number] = parts[i] as bigint;
  }
  return values;
}

function splitAmongChildren(
  parent: ScopeTarget,
  parentValues: readonly bigint[],
  periods: readonly Period[],
): [ScopeTarget, bigint[]][] {
  const children = parent.children;
  const values = children.map(() => periods.map(() => 0n));
  const yearly = allocateCount(
    parentValues[0] as bigint,
    children.map((c) => c.share as Money),
  );
  children.forEach((child, i) => {
    (values[i] as bigint[])[0] = yearly[i] as bigint;
    child.units = yearly[i] as bigint;
  });
  for (const period of periods) {
    if (period.children.length === 0) continue;
    const rowTotals = values.map((v) => v[period.index] as bigint);
    const colTotals = period.children.map((c) => parentValues[c] as bigint);
    const grid = splitGrid(rowTotals, colTotals);
    grid.forEach((cells, i) => {
      period.children.forEach((c, j) => {
        (values[i] as bigint[])[c] = cells[j] as bigint;
      });
    });
  }
  return children.map((child, i) => [child, values[i] as bigint[]]);
}

/**
 * Splits a parent among children whose weights change during the year (roster starts, ramps, leavers):
 * every leaf period (half-day, or a day without half-days) is split by share x roster factor of that
 * day, and every higher period of a child is the sum of its leaves, so each period's children add up
 * exactly to the parent's. A day on which no child is on the roster is split by the shares alone.
 */
function splitByDay(
  parent: ScopeTarget,
  parentValues: readonly bigint[],
  calendar: FiscalYearCalendar,
  entries: readonly (RosterEntry | undefined)[],
): [ScopeTarget, bigint[]][] {
  const { periods, bounds } = calendar;
  const children = parent.children;
  const base = children.map((c) => c.share as Money);
  const values = children.map(() => new Array<bigint>(periods.length).fill(0n));
  // Stretches of days with the same weights: cut wherever any child's factor may change.
  const cuts = new Set<EpochDay>([bounds.start]);
  for (const entry of entries)
    if (entry) for (const d of rosterBreaks(entry, bounds.start, bounds.end)) cuts.add(d);
  const starts = [...cuts].sort((a, b) => a - b);
  const weightsAt = new Map<EpochDay, IntWeights>();
  const stretchWeights = (day: EpochDay): IntWeights => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as EpochDay) <= day) lo = mid;
      else hi = mid - 1;
    }
    const first = starts[lo] as EpochDay;
    let weights = weightsAt.get(first);
    if (!weights) {
      const dayWeights = base.map((share, i) => {
        const entry = entries[i];
        return entry ? share.times(rosterFactor(entry, first)) : share;
      });
      weights = integerWeights(dayWeights.every((w) => w.isZero()) ? base : dayWeights);
      weightsAt.set(first, weights);
    }
    return weights;
  };
  for (const period of periods) {
    if (period.children.length > 0) continue;
    const parts = allocateInt(parentValues[period.index] as bigint, stretchWeights(period.start));
    for (let i = 0; i < children.length; i++) (values[i] as bigint[])[period.index] = parts[i] as bigint;
  }
  for (let p = periods.length - 1; p >= 0; p--) {
    const period = periods[p] as Period;
    if (period.parent === null) continue;
    for (const childValues of values) {
      childValues[period.parent] = (childValues[period.parent] as bigint) + (childValues[p] as bigint);
    }
  }
  children.forEach((child, i) => {
    child.units = (values[i] as bigint[])[0] as bigint;
  });
  return children.map((child, i) => [child, values[i] as bigint[]]);
}
