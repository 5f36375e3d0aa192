/**
 * Splits a parent's per-period amounts among child scopes so that BOTH every child's periods add up to
 * the child's total AND every period's children add up to the parent's amount for that period.
 *
 * Splitting each period on its own (largest remainder per column) breaks the rows by a few units, and
 * splitting each child on its own breaks the columns. The exact proportional table x[i][j] =
 * row[i] * col[j] / total has integral margins, so an integral table with the same margins and every cell
 * equal to floor or ceil of x exists (integral flow theorem); we find it with the largest remainders
 * first and augmenting paths for whatever the greedy pass leaves.
 *
 * Amounts are integers in the smallest unit (cents, or whole orders).
 */
export function splitGrid(rowTotals: readonly bigint[], colTotals: readonly bigint[]): bigint[][] {
  const total = rowTotals.reduce((a, b) => a + b, 0n);
  if (total !== colTotals.reduce((a, b) => a + b, 0n)) throw new RangeError('row and column totals differ');
  if (rowTotals.some((r) => r < 0n) || colTotals.some((c) => c < 0n)) throw new RangeError('negative total');
  const rows = rowTotals.length;
  const cols = colTotals.length;
  if (total === 0n) return rowTotals.map(() => new Array<bigint>(cols).fill(0n));

  // The floor of each exact cell and its remainder; with every product below 2^53 doubles hold
  // them exactly and cost a fraction of bigints (this runs for every period of every parent scope).
  const base = new Array<bigint>(rows * cols);
  const rowNeed = new Float64Array(rows);
  const colNeed = new Float64Array(cols);
  const candidates: number[] = [];
  let maxRow = 0n;
  let maxCol = 0n;
  for (const r of rowTotals) if (r > maxRow) maxRow = r;
  for (const c of colTotals) if (c > maxCol) maxCol = c;
  const rowLeft = rowTotals.slice();
  const colLeft = colTotals.slice();
  if (maxRow * maxCol < SAFE && total < SAFE) {
    const t = Number(total);
    const rowN = rowTotals.map(Number);
    const colN = colTotals.map(Number);
    const remainders = new Float64Array(rows * cols);
    const rowLeftN = rowN.slice();
    const colLeftN = colN.slice();
    for (let i = 0; i < rows; i++) {
      const r = rowN[i] as number;
      for (let j = 0; j < cols; j++) {
        const exact = r * (colN[j] as number);
        let floor = Math.floor(exact / t);
        let remainder = exact - floor * t;
        if (remainder < 0) {
          floor -= 1;
          remainder += t;
        } else if (remainder >= t) {
          floor += 1;
          remainder -= t;
        }
        const cell = i * cols + j;
        base[cell] = BigInt(floor);
        rowLeftN[i] = (rowLeftN[i] as number) - floor;
        colLeftN[j] = (colLeftN[j] as number) - floor;
        remainders[cell] = remainder;
        if (remainder > 0) candidates.push(cell);
      }
    }
    // Largest remainder first; ties by position so the result is deterministic.
    candidates.sort((a, b) => (remainders[b] as number) - (remainders[a] as number) || a - b);
    for (let i = 0; i < rows; i++) rowNeed[i] = rowLeftN[i] as number;
    for (let j = 0; j < cols; j++) colNeed[j] = colLeftN[j] as number;
  } else {
    const remainders = new Array<bigint>(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = rowTotals[i] as bigint;
      for (let j = 0; j < cols; j++) {
        const exact = r * (colTotals[j] as bigint);
        const floor = exact / total;
        const cell = i * cols + j;
        base[cell] = floor;
        rowLeft[i] = (rowLeft[i] as bigint) - floor;
        colLeft[j] = (colLeft[j] as bigint) - floor;
        remainders[cell] = exact % total;
        if ((remainders[cell] as bigint) > 0n) candidates.push(cell);
      }
    }
    candidates.sort((a, b) => {
      const x = remainders[a] as bigint;
      const y = remainders[b] as bigint;
      return y > x ? 1 : y < x ? -1 : a - b;
    });
    // What is left per row and column is below the number of cells: small numbers.
    for (let i = 0; i < rows; i++) rowNeed[i] = Number(rowLeft[i]);
    for (let j = 0; j < cols; j++) colNeed[j] = Number(colLeft[j]);
  }

  const extra = new Uint8Array(rows * cols);
  const allowed = new Uint8Array(rows * cols);
  for (const cell of candidates) {
    allowed[cell] = 1;
    const row = Math.floor(cell / cols);
    const col = cell - row * cols;
    if ((rowNeed[row] as number) > 0 && (colNeed[col] as number) > 0) {
      extra[cell] = 1;
      rowNeed[row] = (rowNeed[row] as number) - 1;
      colNeed[col] = (colNeed[col] as number) - 1;
    }
  }

  for (let row = 0; row < rows; row++) {
    while ((rowNeed[row] as number) > 0) {
      if (!augment(row, rows, cols, allowed, extra, colNeed))
        throw new Error('splitGrid: no integral split (unreachable)');
      rowNeed[row] = (rowNeed[row] as number) - 1;
    }
  }
  const cells: bigint[][] = [];
  for (let i = 0; i < rows; i++) {
    const line = new Array<bigint>(cols);
    for (let j = 0; j < cols; j++) {
      const cell = i * cols + j;
      line[j] = extra[cell] === 1 ? (base[cell] as bigint) + 1n : (base[cell] as bigint);
    }
    cells.push(line);
  }
  return cells;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Breadth-first search for an alternating path row -> free cell -> column -> taken cell -> row ... that
 * ends in a column still short of units; flipping it gives `start` one more unit and changes no other
 * row's count.
 */
function augment(
  start: number,
  rows: number,
  cols: number,
  allowed: Uint8Array,
  extra: Uint8Array,
  colNeed: Float64Array,
): boolean {
  const cameFromRow = new Int32Array(cols).fill(-1);
  const rowVia = new Map<number, number>([[start, -1]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const row = queue[head] as number;
    for (let col = 0; col < cols; col++) {
      const cell = row * cols + col;
      if (allowed[cell] !== 1 || extra[cell] === 1 || cameFromRow[col] !== -1) continue;
      cameFromRow[col] = row;
      if ((colNeed[col] as number) > 0) {
        colNeed[col] = (colNeed[col] as number) - 1;
        flip(col, cols, cameFromRow, rowVia, extra);
        return true;
      }
      for (let other = 0; other < rows; other++) {
        if (extra[other * cols + col] === 1 && !rowVia.has(other)) {
          rowVia.set(other, col);
          queue.push(other);
        }
      }
    }
  }
  return false;
}

function flip(
  endCol: number,
  cols: number,
  cameFromRow: Int32Array,
  rowVia: Map<number, number>,
  extra: Uint8Array,
): void {
  let col = endCol;
  for (;;) {
    const row = cameFromRow[col] as number;
    extra[row * cols + col] = 1;
    const previousCol = rowVia.get(row) as number;
    if (previousCol === -1) return;
    extra[row * cols + previousCol] = 0;
    col = previousCol;
  }
}
