import type { PurchasePredictor } from './transaction-model.ts';
import { TupleIndex } from './tuple-index.ts';

/** Distinct (x, t_x, T) cells, cell c at index c of each array. */
export interface Cells {
  count: number;
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
}

/**
 * Each cell's cumulative expected purchases at the horizons `ts`: out[c * ts.length + k] is
 * predictor.expectedPurchases(ts[k], x_c, t_x c, T_c), the same number bit for bit.
 *
 * When the predictor factors (expectedPurchasesIfAlive, BG/NBD), E = max(0, factor(t, x, T) ·
 * P(alive | x, t_x, T)): the factor, which holds the model's series, is computed once per (x, T)
 * and horizon, and P(alive) once per cell, instead of both per cell and horizon. A million
 * customers make several times fewer distinct (x, T) than (x, t_x, T) (79k against 661k at 1M
 * generated customers). Cells are taken (x, T) by (x, T), numbered by a TupleIndex and counting-
 * sorted: a lookup per call (a memo by (t, x, T)) measured slower than the series it saved.
 */
export function cumulativeExpectations(
  predictor: PurchasePredictor,
  cells: Cells,
  ts: ArrayLike<number>,
  pairs?: CellPairs,
): Float64Array {
  const out = new Float64Array(cells.count * ts.length);
  eachCellExpectations(predictor, cells, ts, (cell, row) => out.set(row, cell * ts.length), pairs);
  return out;
}

/**
 * The same numbers cell by cell: `consume(cell, row)` gets each cell's cumulative expectations at
 * `ts` in a row it must not keep (the next cell overwrites it), so the memory is one row however
 * many cells and horizons (clv.horizonMonths may be 1,200 months).
 */
export function eachCellExpectations(
  predictor: PurchasePredictor,
  cells: Cells,
  ts: ArrayLike<number>,
  consume: (cell: number, row: Float64Array) => void,
  pairs?: CellPairs,
): void {
  const horizons = ts.length;
  const row = new Float64Array(horizons);
  const ifAlive = predictor.expectedPurchasesIfAlive?.bind(predictor);
  if (!ifAlive) {
    for (let c = 0; c < cells.count; c++) {
      const x = cells.x[c] as number;
      const tx = cells.tx[c] as number;
      const T = cells.T[c] as number;
      for (let k = 0; k < horizons; k++) row[k] = predictor.expectedPurchases(ts[k] as number, x, tx, T);
      consume(c, row);
    }
    return;
  }
  const { start, members } = pairs ?? cellPairs(cells);
  const factors = new Float64Array(horizons);
  for (let p = 0; p + 1 < start.length; p++) {
    const first = members[start[p] as number] as number;
    const x = cells.x[first] as number;
    const T = cells.T[first] as number;
    // expectedPurchases is 0 for t <= 0 only: a NaN horizon gives NaN, as it does.
    for (let k = 0; k < horizons; k++) {
      const t = ts[k] as number;
      factors[k] = t <= 0 ? 0 : ifAlive(t, x, T);
    }
    for (let at = start[p] as number; at < (start[p + 1] as number); at++) {
      const c = members[at] as number;
      const alive = predictor.probabilityAlive(x, cells.tx[c] as number, T);
      for (let k = 0; k < horizons; k++)
        row[k] = (ts[k] as number) <= 0 ? 0 : Math.max(0, (factors[k] as number) * alive);
      consume(c, row);
    }
  }
}

/** Groups of cells (by (x, T)) or of customers (by cell): group g's are members[start[g]..start[g + 1]). */
export interface CellPairs {
  start: Int32Array;
  members: Int32Array;
}

/** The cells grouped by (x, T), for cumulativeExpectations over the same cells more than once. */
export function cellPairs(cells: Cells): CellPairs {
  const pairs = new TupleIndex();
  const pairOf = new Int32Array(cells.count);
  for (let c = 0; c < cells.count; c++)
    pairOf[c] = pairs.numberOf(cells.x[c] as number, cells.T[c] as number, 0);
  return membersByGroup(pairOf, pairs.size);
}

/**
 * The customers' distinct (x, t_x, T), numbered in order of first sight by a TupleIndex (which
 * matches them as `${x}|${tx}|${T}` text did): cellOf[i] is customer i's cell, -1 for a customer
 * `include` leaves out (none without it).
 */
export function numberCells(
  frequency: ArrayLike<number>,
  recency: ArrayLike<number>,
  age: ArrayLike<number>,
  include?: (customer: number) => boolean,
): { cells: Cells & { x: number[]; tx: number[]; T: number[] }; cellOf: Int32Array } {
  const n = frequency.length;
  const index = new TupleIndex(Math.min(n, 1 << 20) / 2);
  const cellOf = new Int32Array(n).fill(-1);
  const cells = { count: 0, x: [] as number[], tx: [] as number[], T: [] as number[] };
  for (let i = 0; i < n; i++) {
    if (include && !include(i)) continue;
    const x = frequency[i] as number;
    const tx = recency[i] as number;
    const T = age[i] as number;
    const cell = index.numberOf(x, tx, T);
    cellOf[i] = cell;
    if (cell === cells.count) {
      cells.x.push(x);
      cells.tx.push(tx);
      cells.T.push(T);
      cells.count++;
    }
  }
  return { cells, cellOf };
}

/**
 * Items by group, a counting sort: group g's items are members[start[g]..start[g + 1]), in item
 * order; an item of group -1 is in none.
 */
export function membersByGroup(groupOf: Int32Array, groups: number): CellPairs {
  const start = new Int32Array(groups + 1);
  for (const g of groupOf) if (g >= 0) start[g + 1]! += 1;
  for (let g = 0; g < groups; g++) start[g + 1]! += start[g] as number;
  const next = start.slice(0, groups);
  const members = new Int32Array(start[groups] as number);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i] as number;
    if (g >= 0) members[next[g]!++] = i;
  }
  return { start, members };
}
