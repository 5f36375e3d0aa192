import { describe, expect, it } from 'vitest';
import { ArrayPool } from '../../functions/adapters/array-pool.ts';

describe('ArrayPool', () => {
  it('hands back the smallest buffer given that is big enough, each once', () => {
    const pool = new ArrayPool();
    const small = new ArrayBuffer(100);
    const middle = new ArrayBuffer(1000);
    const large = new ArrayBuffer(10_000);
    pool.give([large, small, middle, middle]);
    expect(pool.take(500)).toBe(middle);
    expect(pool.take(500)).toBe(large);
    expect(pool.take(50)).toBe(small);
    const fresh = pool.take(50);
    expect([small, middle, large]).not.toContain(fresh);
    expect(fresh.byteLength).toBe(50);
  });

  it('passes over shared, empty and detached buffers, and holds no more than its limit', () => {
    const pool = new ArrayPool();
    const detached = new ArrayBuffer(64);
    structuredClone(detached, { transfer: [detached] });
    pool.give([new SharedArrayBuffer(64), new ArrayBuffer(0), detached]);
    expect(pool.take(1).byteLength).toBe(1);
    const huge = new ArrayBuffer(200 * 1024 * 1024);
    const more = new ArrayBuffer(100 * 1024 * 1024);
    pool.give([huge, more]);
    expect(pool.take(1)).toBe(huge);
    expect(pool.take(1)).not.toBe(more);
  });
});
