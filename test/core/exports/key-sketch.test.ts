import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashKey } from '../../../core/exports/duplicate-keys.ts';
import { KeySketch, SKETCH_SIZE, sharedLinesOf } from '../../../core/exports/key-sketch.ts';

const hashed = new Int32Array(2);
function sketchOf(keys: readonly string[]): KeySketch {
  const sketch = new KeySketch();
  for (const key of keys) {
    hashKey(key, 'P', hashed, 0);
    sketch.offer(hashed[0] as number, hashed[1] as number);
  }
  return sketch;
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `SO${from + i}`);

describe('KeySketch', () => {
  it('keeps the same sample whatever order the lines come in, and reads back what it wrote', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(range(0, 600), { minLength: 600 }), (shuffled) => {
        const sketch = sketchOf(shuffled);
        expect(sketch.toString()).toBe(sketchOf(range(0, 600)).toString());
        expect(KeySketch.parse(sketch.toString()).toString()).toBe(sketch.toString());
      }),
      { numRuns: 20 },
    );
  });

  it('is exact for exports smaller than its sample', () => {
    const a = sketchOf(range(0, 50));
    const b = sketchOf(range(30, 90));
    expect(sharedLinesOf(a, 50, b, 60)).toBe(20);
    expect(sharedLinesOf(a, 50, sketchOf(range(50, 100)), 50)).toBe(0);
  });

  it('estimates the lines two large exports share: a re-export, a corrected one, two months apart', () => {
    const march = sketchOf(range(0, 20_000));
    const reExport = sketchOf(range(0, 20_000));
    const corrected = sketchOf([...range(0, 19_000), ...range(50_000, 50_500)]);
    const april = sketchOf(range(20_000, 40_000));
    expect(sharedLinesOf(march, 20_000, reExport, 20_000)).toBe(20_000);
    const shared = sharedLinesOf(march, 20_000, corrected, 19_500);
    expect(shared).toBeGreaterThan(19_000 * 0.75);
    expect(shared).toBeLessThan(19_500);
    expect(sharedLinesOf(march, 20_000, april, 20_000)).toBe(0);
  });

  it('holds at most its sample size, whatever the export', () => {
    expect(KeySketch.parse(sketchOf(range(0, 5000)).toString()).size).toBe(SKETCH_SIZE);
  });

  it('refuses text that is no sketch', () => {
    expect(() => KeySketch.parse('zz!')).toThrow(/key sketch/);
  });
});
