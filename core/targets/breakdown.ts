/**
 * Original targets of one (fiscal year, metric): every scope's annual target split down the period tree.
 *
 * In time, a target is split parent by parent with the largest remainder on the smallest unit, so every
 * period's children add up exactly to it. In space, a scope with shares is split so that its children
 * add up exactly to it in EVERY period, not just for the year (see split-grid.ts).
 */
import { allocateCount, type Money } from '../money.ts';
import type { FiscalYearCalendar, Period } from './fiscal-calendar.ts';
import { allocateInt, type IntWeights, integerChildWeights } from './int-weights.ts';
import { splitGrid } from './split-grid.ts';
import type { ScopeTarget, TargetGroup } from './validate-targets.ts';

/**
 * Units (cents or counts) per period index of every scope of the group, parents before their
 * children. Lazy: only the scopes on the path being split are held, not the whole group's.
 */
export function* breakDownGroup(
  group: TargetGroup,
  calendar: FiscalYearCalendar,
  childWeights: readonly Money[][],
): Generator<[scope: string, units: bigint[]]> {
  function* visit(target: ScopeTarget, values: bigint[]): Generator<[string, bigint[]]> {
    yield [target.scope, values];
    if (target.children.length === 0) return;
    for (const [child, childValues] of splitAmongChildren(target, values, calendar.periods))
      yield* visit(child, childValues);
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
