import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DuplicateKeys,
  hashKey,
  MAX_TRANSACTION_ROWS,
  TooManyOrderLines,
  tableBytesFor,
} from '../../../core/exports/duplicate-keys.ts';

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

  it('finds the same first lines when keys are checked in runs of any length (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.string({ maxLength: 2 })), { maxLength: 3000 }),
        fc.integer({ min: 1, max: 700 }),
        (pairs, run) => {
          const oneByOne = new DuplicateKeys();
          const inRuns = new DuplicateKeys();
          const hashes = new Int32Array(pairs.length * 2);
          pairs.forEach(([order, product], i) => {
            hashKey(order, product, hashes, i * 2);
          });
          const lines = Int32Array.from(pairs, (_, i) => i + 2);
          const found = new Int32Array(pairs.length);
          for (let start = 0; start < pairs.length; start += run) {
            const count = Math.min(run, pairs.length - start);
            inRuns.firstLinesOfHashes(
              hashes.subarray(start * 2),
              lines.subarray(start),
              count,
              found.subarray(start),
            );
          }
          pairs.forEach(([order, product], i) => {
            expect(found[i]).toBe(oneByOne.firstLine(order, product, i + 2) ?? 0);
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

  it('refuses an order line past its limit by name, while lines it holds still answer', () => {
    const keys = new DuplicateKeys(5);
    for (let i = 0; i < 5; i++) expect(keys.firstLine(`SO${i}`, 'P', i + 2)).toBeUndefined();
    expect(keys.firstLine('SO3', 'P', 99)).toBe(5);
    expect(() => keys.firstLine('SO5', 'P', 100)).toThrow(TooManyOrderLines);
    expect(() => keys.firstLine('SO5', 'P', 100)).toThrow(/more than 5 order lines/);
  });

  it('refuses the limit on the batch path too', () => {
    const keys = new DuplicateKeys(5);
    const hashes = new Int32Array(14);
    for (let i = 0; i < 7; i++) hashKey(`SO${i}`, 'P', hashes, i * 2);
    const lines = Int32Array.from({ length: 7 }, (_, i) => i + 2);
    expect(() => keys.firstLinesOfHashes(hashes, lines, 7, new Int32Array(7))).toThrow(TooManyOrderLines);
  });

  it('sets aside no more memory than its limit needs, whatever size is expected', () => {
    const keys = new DuplicateKeys(1000);
    keys.reserve(1_000_000_000);
    expect(keys.bytes).toBe(tableBytesFor(1000));
    expect(tableBytesFor(1000)).toBeLessThan(tableBytesFor(1_000_000));
  });

  it('holds the default limit in at most 1 GiB, so no table is ever rebuilt past it', () => {
    expect(tableBytesFor(MAX_TRANSACTION_ROWS)).toBeLessThanOrEqual(2 ** 30);
  });
});
