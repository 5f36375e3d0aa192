import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustomerPredictions } from '../../../core/clv/customer-predictions.ts';
import { CustomerStore, StoredFacts } from '../../../core/profitability/customer-store.ts';

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
