import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collapseRfm, collapseSpend } from '../../../core/clv/collapse.ts';
import { TupleIndex } from '../../../core/clv/tuple-index.ts';

// Values that collide as keys (0 and -0, NaNs) or nearly (neighbouring doubles), plus any double.
const value = fc.oneof(
  fc.constantFrom(0, -0, Number.NaN, 1, 1 / 7, 1 / 7 + 2 ** -55, 52.142857142857146, 1e300, -3),
  fc.integer({ min: 0, max: 30 }),
  fc.double(),
);
const tuples = fc.array(fc.tuple(value, value, value), { maxLength: 3000 });

/** What the grouping used to key by: the tuple's text. */
const text = (a: number, b: number, c: number) => `${a}|${b}|${c}`;

describe('TupleIndex', () => {
  it('numbers tuples in order of first sight, equal as their text keys are', () => {
    fc.assert(
      fc.property(tuples, (rows) => {
        const index = new TupleIndex(4);
        const reference = new Map<string, number>();
        for (const [a, b, c] of rows) {
          const expected = reference.get(text(a, b, c)) ?? reference.size;
          reference.set(text(a, b, c), expected);
          expect(index.numberOf(a, b, c)).toBe(expected);
        }
        expect(index.size).toBe(reference.size);
      }),
      { numRuns: 200 },
    );
  });

  it('holds a million distinct cells', () => {
    const index = new TupleIndex();
    let wrong = 0;
    for (let i = 0; i < 1_000_000; i++) if (index.numberOf(i % 31, i / 7, i) !== i) wrong++;
    for (let i = 0; i < 1_000_000; i += 997) if (index.numberOf(i % 31, i / 7, i) !== i) wrong++;
    expect(wrong).toBe(0);
    expect(index.size).toBe(1_000_000);
  });
});

describe('collapse', () => {
  // The rows the text-keyed grouping gave: first sight order, first value seen, summed weights.
  function reference(columns: number[][], include: (i: number) => boolean) {
    const at = new Map<string, number>();
    const rows: number[][] = columns.map(() => []);
    const weight: number[] = [];
    for (let i = 0; i < (columns[0] as number[]).length; i++) {
      if (!include(i)) continue;
      const key = columns.map((c) => `${c[i]}`).join('|');
      const row = at.get(key);
      if (row !== undefined) weight[row]! += 1;
      else {
        at.set(key, weight.length);
        for (const [k, c] of columns.entries()) rows[k]?.push(c[i] as number);
        weight.push(1);
      }
    }
    return { rows, weight };
  }
  const same = (actual: Float64Array, expected: number[]) =>
    expect([...actual].map((v) => (Object.is(v, -0) ? '-0' : `${v}`))).toEqual(
      expected.map((v) => (Object.is(v, -0) ? '-0' : `${v}`)),
    );

  it('merges equal (x, t_x, T) and (x, m) rows as the text keys did', () => {
    fc.assert(
      fc.property(tuples, fc.integer({ min: 1, max: 4 }), (rows, every) => {
        const include = (i: number) => i % every !== 1;
        const x = rows.map((r) => r[0]);
        const tx = rows.map((r) => r[1]);
        const T = rows.map((r) => r[2]);
        const rfm = collapseRfm(
          { frequency: Float64Array.from(x), recency: Float64Array.from(tx), age: Float64Array.from(T) },
          include,
        );
        const expected = reference([x, tx, T], include);
        same(rfm.frequency, expected.rows[0] as number[]);
        same(rfm.recency, expected.rows[1] as number[]);
        same(rfm.age, expected.rows[2] as number[]);
        same(rfm.weight, expected.weight);
        const spend = collapseSpend(Float64Array.from(x), Float64Array.from(tx), include);
        const expectedSpend = reference([x, tx], include);
        same(spend.frequency, expectedSpend.rows[0] as number[]);
        same(spend.monetary, expectedSpend.rows[1] as number[]);
        same(spend.weight, expectedSpend.weight);
      }),
      { numRuns: 200 },
    );
  });
});
