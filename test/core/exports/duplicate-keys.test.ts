import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateKeys } from '../../../core/exports/duplicate-keys.ts';

describe('DuplicateKeys', () => {
  it('agrees with a Map on which keys repeat and where they first appeared (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.string({ maxLength: 3 })), { maxLength: 3000 }),
        (pairs) => {
          const compact = new DuplicateKeys();
          const reference = new Map<string, number>();
          pairs.forEach(([order, product], i) => {
            const line = i + 2;
            const key = `${order}\u0000${product}`;
            expect(compact.firstLine(order, product, line)).toBe(reference.get(key));
            if (!reference.has(key)) reference.set(key, line);
          });
        },
      ),
    );
  });

  it('keeps every one of 200,000 distinct keys apart', () => {
    const keys = new DuplicateKeys();
    for (let i = 0; i < 200_000; i++) expect(keys.firstLine(`SO${i}`, `P${i % 30}`, i + 2)).toBeUndefined();
    expect(keys.firstLine('SO123', 'P3', 999_999)).toBe(125);
  });
});
