import { describe, expect, it } from 'vitest';
import { hashKey } from '../../../core/exports/duplicate-keys.ts';
import { KeySketch } from '../../../core/exports/key-sketch.ts';
import { sharedLineWarnings } from '../../../core/exports/shared-line-warnings.ts';

const hashed = new Int32Array(2);
function exportOf(key: string, orders: readonly number[]) {
  const sketch = new KeySketch();
  for (const order of orders) {
    hashKey(`SO${order}`, 'P1', hashed, 0);
    sketch.offer(hashed[0] as number, hashed[1] as number);
  }
  return { key, lines: orders.length, sketch: sketch.toString() };
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('sharedLineWarnings', () => {
  it('names a revised re-export beside its original, exactly when both are small', () => {
    const warnings = sharedLineWarnings([
      exportOf('transactions/march.csv', range(0, 40)),
      exportOf('transactions/april.csv', range(40, 80)),
      exportOf('transactions/march-fixed.csv', range(0, 38)),
    ]);
    expect(warnings).toEqual([
      'transactions/march-fixed.csv and transactions/march.csv share 38 order lines (the same order_id and product_id; 100% of the smaller): both count, so where they are the same sales those are counted twice. If one replaces the other, delete the one that is out of date',
    ]);
  });

  it('estimates for large exports, and says so', () => {
    const [warning, ...others] = sharedLineWarnings([
      exportOf('transactions/a.csv', range(0, 10_000)),
      exportOf('transactions/b.csv', range(5_000, 15_000)),
    ]);
    expect(others).toEqual([]);
    const shared = Number(/share about ([\d,]+) order lines/.exec(warning ?? '')?.[1]?.replace(/,/g, ''));
    expect(shared).toBeGreaterThan(3_500);
    expect(shared).toBeLessThan(6_500);
    expect(warning).toMatch(/estimated from a sample of each/);
  });

  it('says nothing of exports that share no line, or of one export alone', () => {
    expect(
      sharedLineWarnings([
        exportOf('transactions/a.csv', range(0, 5_000)),
        exportOf('transactions/b.csv', range(5_000, 10_000)),
        exportOf('transactions/c.csv', range(10_000, 10_050)),
      ]),
    ).toEqual([]);
    expect(sharedLineWarnings([exportOf('transactions/a.csv', range(0, 10))])).toEqual([]);
  });

  it('gives a group of overlapping exports one warning: a month of month-to-date files is one, not 435', () => {
    const files = Array.from({ length: 30 }, (_, day) =>
      exportOf(`transactions/mtd-${String(day + 1).padStart(2, '0')}.csv`, range(0, 20 * (day + 1))),
    );
    const warnings = sharedLineWarnings([...files, exportOf('transactions/other.csv', range(5_000, 5_010))]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^30 transactions exports share order lines with one another \(transactions\/mtd-01\.csv, transactions\/mtd-02\.csv, transactions\/mtd-03\.csv, transactions\/mtd-04\.csv, transactions\/mtd-05\.csv and 25 more\), most transactions\/mtd-\d\d\.csv and transactions\/mtd-\d\d\.csv, about [\d,]+ order lines .*keep only the latest$/,
      ),
    ]);
  });

  it('names twenty groups at most and counts the rest', () => {
    const pairs = Array.from({ length: 25 }, (_, g) => [
      exportOf(`transactions/g${String(g).padStart(2, '0')}-a.csv`, range(g * 100, g * 100 + 10)),
      exportOf(`transactions/g${String(g).padStart(2, '0')}-b.csv`, range(g * 100, g * 100 + 10)),
    ]).flat();
    const warnings = sharedLineWarnings(pairs);
    expect(warnings).toHaveLength(21);
    expect(warnings.at(-1)).toBe('5 more groups of transactions exports share order lines (not listed)');
  });
});
