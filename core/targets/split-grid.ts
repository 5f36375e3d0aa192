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
  const cells = rowTotals.map(() => colTotals.map(() => 0n));
  if (total === 0n) return cells;

  const rowNeed = rowTotals.map((r) => r);
  const colNeed = colTotals.map((c) => c);
  /** Cells whose exact value is fractional: each may take one extra unit. */
  const candidates: { row: number; col: number; remainder: bigint }[] = [];
  rowTotals.forEach((r, i) => {
    colTotals.forEach((c, j) => {
      const exact = r * c;
      const base = exact / total;
      (cells[i] as bigint[])[j] = base;
      rowNeed[i] = (rowNeed[i] as bigint) - base;
      colNeed[j] = (colNeed[j] as bigint) - base;
      const remainder = exact % total;
      if (remainder > 0n) candidates.push({ row: i, col: j, remainder });
    });
  });

  // Largest remainder first; ties by position so the result is deterministic.
  candidates.sort((a, b) =>
    b.remainder > a.remainder ? 1 : b.remainder < a.remainder ? -1 : a.row - b.row || a.col - b.col,
  );
  const extra = rowTotals.map(() => colTotals.map(() => false));
  const allowed = rowTotals.map(() => colTotals.map(() => false));
  for (const { row, col } of candidates) {
    (allowed[row] as boolean[])[col] = true;
    if ((rowNeed[row] as bigint) > 0n && (colNeed[col] as bigint) > 0n) {
      (extra[row] as boolean[])[col] = true;
      rowNeed[row] = (rowNeed[row] as bigint) - 1n;
      colNeed[col] = (colNeed[col] as bigint) - 1n;
    }
  }

  for (let row = 0; row < rowTotals.length; row++) {
    while ((rowNeed[row] as bigint) > 0n) {
      if (!augment(row, allowed, extra, colNeed))
        throw new Error('splitGrid: no integral split (unreachable)');
      rowNeed[row] = (rowNeed[row] as bigint) - 1n;
    }
  }
  extra.forEach((flags, i) => {
    flags.forEach((flag, j) => {
      if (flag) (cells[i] as bigint[])[j] = ((cells[i] as bigint[])[j] as bigint) + 1n;
    });
  });
  return cells;
}

/**
 * Breadth-first search for an alternating path row -> free cell -> column -> taken cell -> row ... that
 * ends in a column still short of units; flipping it gives `start` one more unit and changes no other
 * row's count.
 */
function augment(start: number, allowed: boolean[][], extra: boolean[][], colNeed: bigint[]): boolean {
  const cols = colNeed.length;
  const cameFromRow = new Array<number>(cols).fill(-1);
  const rowVia = new Map<number, number>([[start, -1]]);
  const queue = [start];
  while (queue.length > 0) {
    const row = queue.shift() as number;
    for (let col = 0; col < cols; col++) {
      if (!allowed[row]?.[col] || extra[row]?.[col] || cameFromRow[col] !== -1) continue;
      cameFromRow[col] = row;
      if ((colNeed[col] as bigint) > 0n) {
        colNeed[col] = (colNeed[col] as bigint) - 1n;
        flip(col, cameFromRow, rowVia, extra);
        return true;
      }
      for (let other = 0; other < extra.length; other++) {
        if (extra[other]?.[col] && !rowVia.has(other)) {
          rowVia.set(other, col);
          queue.push(other);
        }
      }
    }
  }
  return false;
}

function flip(endCol: number, cameFromRow: number[], rowVia: Map<number, number>, extra: boolean[][]): void {
  let col = endCol;
  for (;;) {
    const row = cameFromRow[col] as number;
    (extra[row] as boolean[])[col] = true;
    const previousCol = rowVia.get(row) as number;
    if (previousCol === -1) return;
    (extra[row] as boolean[])[previousCol] = false;
    col = previousCol;
  }
}
