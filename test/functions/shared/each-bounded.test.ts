import { describe, expect, it } from 'vitest';
import { eachBounded } from '../../../functions/shared/each-bounded.ts';

describe('eachBounded', () => {
  it('runs every item, at most `limit` at a time', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await eachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      done.push(n);
      running -= 1;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('starts nothing after a failure and fails only once the tasks under way have ended', async () => {
    const started: number[] = [];
    let slowEnded = false;
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const outcome = eachBounded([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 1) {
        await slow;
        slowEnded = true;
      }
      if (n === 2) throw new Error('bucket 2 failed');
    });
    let settled = false;
    outcome.catch(() => undefined).finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    // Item 2 failed: no other item starts, and the whole waits for item 1, still running.
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(false);
    release();
    await expect(outcome).rejects.toThrow('bucket 2 failed');
    expect(slowEnded).toBe(true);
    expect(started).toEqual([1, 2]);
  });
});
