import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cumulativeExpectations, numberCells } from '../../../core/clv/cell-expectations.ts';
import { collapseCells, collapseRfm } from '../../../core/clv/collapse.ts';
import { purchasePredictorAt } from '../../../core/clv/transaction-model.ts';

/**
 * cumulativeExpectations computes BG/NBD's factor without t_x once per (x, T) and horizon: every
 * number must still be the predictor's own expectedPurchases, bit for bit (tables are compared
 * byte for byte across engines), whatever the parameters, cells and horizons.
 */
const parameters = fc.tuple(
  fc.double({ min: 0.05, max: 20, noNaN: true }),
  fc.double({ min: 0.1, max: 200, noNaN: true }),
  // a near 1 is the removable pole the evaluation splits out.
  fc.oneof(fc.double({ min: 0.2, max: 30, noNaN: true }), fc.constantFrom(1, 1 + 1e-9, 1 - 1e-9)),
  fc.double({ min: 0.2, max: 60, noNaN: true }),
);
const cells = fc.array(
  fc
    .record({
      // -0 beside 0: one (x, T) pair, as the TupleIndex matches them.
      x: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(-0)),
      T: fc.constantFrom(0, 1, 12.5, 52, 104.285714, 200),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ x, T, share }) => ({ x, T, tx: x === 0 ? 0 : T * share })),
  { maxLength: 40 },
);
const horizons = fc.array(
  fc.oneof(fc.constantFrom(0, -0, Number.NaN), fc.double({ min: 0.01, max: 600, noNaN: true })),
  {
    minLength: 1,
    maxLength: 13,
  },
);

describe('cumulativeExpectations', () => {
  for (const model of ['bgnbd', 'mbgnbd', 'pareto_nbd'] as const) {
    it(`gives ${model}'s expectedPurchases for every cell and horizon, bit for bit`, () => {
      fc.assert(
        fc.property(parameters, cells, horizons, (params, list, ts) => {
          const predictor = purchasePredictorAt(model, params);
          const out = cumulativeExpectations(
            predictor,
            {
              count: list.length,
              x: list.map((c) => c.x),
              tx: list.map((c) => c.tx),
              T: list.map((c) => c.T),
            },
            ts,
          );
          for (const [i, c] of list.entries())
            for (const [k, t] of ts.entries())
              expect(Object.is(out[i * ts.length + k], predictor.expectedPurchases(t, c.x, c.tx, c.T))).toBe(
                true,
              );
        }),
        { numRuns: model === 'pareto_nbd' ? 30 : 200 },
      );
    });
  }
});

describe('collapseCells', () => {
  it("is collapseRfm's histogram, row for row, from the cells numberCells made", () => {
    const value = fc.constantFrom(0, -0, 1, 2.5, 7, 30);
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value, value), { maxLength: 80 }), (rows) => {
        const frequency = Float64Array.from(rows, (r) => r[0]);
        const recency = Float64Array.from(rows, (r) => r[1]);
        const age = Float64Array.from(rows, (r) => r[2]);
        const { cells, cellOf } = numberCells(frequency, recency, age);
        const collapsed = collapseCells(cells, cellOf);
        const expected = collapseRfm({ frequency, recency, age });
        expect(collapsed).toEqual(expected);
        // -0 and 0 alike, the first seen kept, as collapseRfm keeps it.
        expect([...collapsed.frequency].map((x) => Object.is(x, -0))).toEqual(
          [...expected.frequency].map((x) => Object.is(x, -0)),
        );
      }),
    );
  });
});
