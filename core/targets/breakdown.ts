/**
 * Original targets of one (fiscal year, metric): every scope's annual target split down the period tree.
 *
 * In time, a target is split parent by parent with the largest remainder on the smallest unit, so every
 * period's children add up exactly to it. In space, a scope with shares is split so that its children
 * add up exactly to it in EVERY period, not just for the year (see split-grid.ts).
 */
import { allocateCount, type Money } from '../money.ts';
import type { FiscalYearCalendar, Period } from './fiscal-calendar.ts';
import { splitGrid } from './split-grid.ts';
import type { ScopeTarget, TargetGroup } from './validate-targets.ts';

/** Units (cents or counts) per period index, by canonical scope. */
export type ScopeBreakdown = Map<string, bigint[]>;

export function breakDownGroup(
  group: TargetGroup,
  calendar: FiscalYearCalendar,
  childWeights: readonly Money[][],
): ScopeBreakdown {
  const result: ScopeBreakdown = new Map();
  const visit = (target: ScopeTarget, values: bigint[]) => {
    result.set(target.scope, values);
    if (target.children.length === 0) return;
    for (const [child, childValues] of splitAmongChildren(target, values, calendar.periods))
      visit(child, childValues);
  };
  for (const root of group.roots)
    visit(root, splitOverTime(root.units ?? 0n, calendar.periods, childWeights));
  return result;
}

/** Top-down largest-remainder split of an annual amount; periods come parents first. */
export function splitOverTime(
  total: bigint,
  periods: readonly Period[],
  childWeights: readonly Money[][],
): bigint[] {
  const values = periods.map(() => 0n);
  values[0] = total;
  for (const period of periods) {
    if (period.children.length === 0) continue;
    const parts = allocateCount(values[period.index] as bigint, childWeights[period.index] as Money[]);
    period.children.forEach((child, i) => {
      values[child] = parts[i] as bigint;
    });
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
