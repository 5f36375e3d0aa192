import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateCount } from '../../../core/money.ts';
import { splitGrid } from '../../../core/targets/split-grid.ts';

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

describe('splitGrid', () => {
  it('keeps both margins and stays within one unit of the exact share', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(100), { minLength: 1, maxLength: 8 }),
        fc.bigInt({ min: 0n, max: 10_000_000n }),
        (shareWeights, colWeights, total) => {
          const rows = allocateCount(total, shareWeights);
          const cols = allocateCount(total, colWeights);
          const grid = splitGrid(rows, cols);
          grid.forEach((cells, i) => {
            expect(sum(cells)).toBe(rows[i]);
          });
          cols.forEach((c, j) => {
            expect(sum(grid.map((cells) => cells[j] as bigint))).toBe(c);
          });
          grid.forEach((cells, i) => {
            cells.forEach((cell, j) => {
              if (total === 0n) return;
              const exact = (rows[i] as bigint) * (cols[j] as bigint);
              expect(cell * total <= exact + total - 1n && cell * total >= exact - total + 1n).toBe(true);
              expect(cell >= 0n).toBe(true);
            });
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives whole orders to reps across the days of a week', () => {
    // 7 orders for 3 reps sharing 3/7, 2/7, 2/7 across days planned 2, 2, 1, 1, 1.
    const grid = splitGrid([3n, 2n, 2n], [2n, 2n, 1n, 1n, 1n]);
    expect(grid.map(sum)).toEqual([3n, 2n, 2n]);
    expect([0, 1, 2, 3, 4].map((j) => sum(grid.map((r) => r[j] as bigint)))).toEqual([2n, 2n, 1n, 1n, 1n]);
  });

  it('refuses margins that disagree', () => {
    expect(() => splitGrid([1n], [2n])).toThrow(RangeError);
  });
});
