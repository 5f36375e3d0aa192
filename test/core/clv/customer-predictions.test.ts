import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustomerPredictions } from '../../../core/clv/customer-predictions.ts';
import { computeProfitabilityParts } from '../../../core/profitability/compute.ts';
import { resolveConfig } from '../../../core/profitability/config.ts';
import { CustomerStore, StoredFacts } from '../../../core/profitability/customer-store.ts';
import { type CustomerLedger, CustomerMetricsRows } from '../../../core/profitability/index.ts';
import type { CustomerMetricsRow } from '../../../core/profitability/rows.ts';
import { decodePass, encodePass } from '../../../functions/scale-out/pass-codec.ts';
import { customer, snapshot, tx } from '../profitability/fixtures.ts';

/**
 * placeFacts finds each prediction's customer by walking the pass's canonical order once instead
 * of an id map; positionOf must then answer exactly as indexOf does, for every customer.
 */
describe('CustomerPredictions.placeFacts', () => {
  const predictionsOf = (ids: readonly string[]) =>
    new CustomerPredictions(
      ids,
      Float64Array.from(ids, (_, i) => i),
      new Float64Array(ids.length),
      new Float64Array(ids.length),
    );

  it('places by fact exactly where indexOf finds each customer, for any subsequence and fact order', () => {
    const ids = fc
      .uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 60 })
      .chain((unique) =>
        fc.tuple(
          fc.constant(unique),
          fc.shuffledSubarray(unique, { minLength: unique.length, maxLength: unique.length }),
        ),
      );
    fc.assert(
      fc.property(ids, fc.infiniteStream(fc.boolean()), ([unique, factOrder], keep) => {
        const store = new CustomerStore();
        // Facts numbered in another order than the pass's (exported customers come first).
        const facts = factOrder.map((id) => new StoredFacts(store, store.add(), id, '2024-01-01'));
        const canonical = [...facts].sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
        const predicted = [...unique].sort().filter(() => keep.next().value);
        const predictions = predictionsOf(predicted);
        const placed = predictions.placeFacts({
          customerIds: canonical.map((f) => f.customerId),
          facts: Int32Array.from(canonical, (f) => f.index),
          store,
        });
        expect(placed).toBe(true);
        for (const customer of facts)
          expect(predictions.positionOf(customer)).toBe(predicted.indexOf(customer.customerId));
      }),
    );
  });

  it('places nothing when the predictions are in another order, and looks them up by id instead', () => {
    const store = new CustomerStore();
    const facts = ['a', 'b', 'c'].map((id) => new StoredFacts(store, store.add(), id, '2024-01-01'));
    const predictions = predictionsOf(['c', 'a']);
    expect(
      predictions.placeFacts({ customerIds: ['a', 'b', 'c'], facts: Int32Array.of(0, 1, 2), store }),
    ).toBe(false);
    expect(facts.map((f) => predictions.positionOf(f))).toEqual([1, -1, 0]);
  });

  it('looks up customers of another store (or plain facts) by id', () => {
    const store = new CustomerStore();
    const facts = ['a', 'b'].map((id) => new StoredFacts(store, store.add(), id, '2024-01-01'));
    const predictions = predictionsOf(['b']);
    expect(predictions.placeFacts({ customerIds: ['a', 'b'], facts: Int32Array.of(0, 1), store })).toBe(true);
    const other = new CustomerStore();
    const stranger = new StoredFacts(other, other.add(), 'b', '2024-01-01');
    expect(predictions.positionOf(stranger)).toBe(0);
    expect(predictions.positionOf(facts[0] as StoredFacts)).toBe(-1);
    expect(predictions.positionOf({ customerId: 'b' } as never)).toBe(0);
  });
});

/**
 * The model's doubles are rounded to the cent once, in the run's rounding mode, where the
 * customer_metrics rows are made (in one function or, through the scale-out's ledger JSON, in a
 * bucket's): 2.125 and 0.125 are exact binary fractions, so the modes part on them.
 */
describe('predicted columns in customer_metrics, rounded once in the run mode', () => {
  const data = snapshot({
    customers: [customer('A', '2024-01-01'), customer('B', '2024-01-01')],
    transactions: [tx('A', '2024-02-01', '10.00'), tx('B', '2024-03-01', '20.00')],
  });
  const predicted = () =>
    new CustomerPredictions(
      ['A', 'B'],
      Float64Array.of(2.125, -0.015),
      Float64Array.of(0.9, 0.5),
      Float64Array.of(1, 2),
      Float64Array.of(1.005, Number.NaN),
      Float64Array.of(3.375, Number.NaN),
      Float64Array.of(0.125, 7.0050000001),
    );
  const published = (rows: CustomerMetricsRow[]) =>
    rows.map((r) => [
      r.customer_id,
      r.clv_predicted?.toFixed(2) ?? null,
      r.clv_predicted_p10?.toFixed(2) ?? null,
      r.clv_predicted_p90?.toFixed(2) ?? null,
      r.expected_spend?.toFixed(2) ?? null,
    ]);
  // The model's value is its double to six decimals, as published before: 1.005 (the double
  // 1.00499999999999989...) is 1.005000 and 7.0050000001 is 7.005000, both exact half cents.
  const expected = {
    half_even: [
      ['A', '2.12', '1.00', '3.38', '0.12'],
      ['B', '-0.02', null, null, '7.00'],
    ],
    half_up: [
      ['A', '2.13', '1.01', '3.38', '0.13'],
      ['B', '-0.02', null, null, '7.01'],
    ],
  };

  for (const mode of ['half_even', 'half_up'] as const)
    it(`${mode}: in one function and through a scale-out ledger alike`, () => {
      const parts = computeProfitabilityParts(data, '2024-12-31', resolveConfig({ rounding: mode }));
      const rows = new CustomerMetricsRows(parts.customers, 'month', mode, predicted());
      expect(published(rows.toArray())).toEqual(expected[mode]);
      const fromLedgers = [...rows.ledgers(() => 0, 1)].flatMap((ledger) =>
        CustomerMetricsRows.fromLedger(decodePass<CustomerLedger>(encodePass(ledger))).toArray(),
      );
      expect(published(fromLedgers)).toEqual(expected[mode]);
    });
});
