import fc from 'fast-check';

/** A customer's (frequency x, recency tx, age T), up to 500 repeat purchases over 1000 weeks. */
export const rfmCustomer = fc
  .record({
    x: fc.integer({ min: 0, max: 500 }),
    T: fc.double({ min: 0.1, max: 1000, noNaN: true }),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ x, T, share }) => ({ x, T, tx: x === 0 ? 0 : share * T }));
