import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CuratedBatch } from '../../../core/exports/curated-batch.ts';

const BIG = 2n ** 62n;

/** A transactions batch with the given rows: order id text (or null) and revenue cents (some beyond 2^53). */
function batchOf(rows: readonly [string | null, bigint][]): CuratedBatch {
  const batch = new CuratedBatch('transactions');
  const order = batch.definitions.findIndex((d) => d.name === 'order_id');
  const revenue = batch.definitions.findIndex((d) => d.name === 'revenue');
  for (const [id, cents] of rows) {
    batch.reserve();
    batch.setValue(order, batch.length, id);
    batch.setValue(revenue, batch.length, cents);
    batch.length += 1;
  }
  return batch;
}

describe('CuratedBatch.removeRows', () => {
  it('leaves exactly the rows a batch built without them has (property)', () => {
    const row = fc.tuple(
      fc.option(fc.string({ maxLength: 40 }), { nil: null }),
      fc.oneof(fc.bigInt({ min: -1000n, max: 1000n }), fc.constant(BIG), fc.constant(-BIG)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(row, fc.boolean()), { maxLength: 3000 }), (marked) => {
        const batch = batchOf(marked.map(([r]) => r));
        const removed = marked.flatMap(([, remove], index) => (remove ? [index] : []));
        batch.removeRows(removed);
        const expected = batchOf(marked.filter(([, remove]) => !remove).map(([r]) => r));
        expect(batch.length).toBe(expected.length);
        for (let i = 0; i < batch.length; i++) expect(batch.row(i)).toEqual(expected.row(i));
      }),
      { numRuns: 100 },
    );
  });
});
