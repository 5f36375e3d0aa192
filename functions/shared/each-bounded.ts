/**
 * Runs `task` on every item, at most `limit` at a time; the first failure fails the whole. Hand
 * written: a dozen lines where a pool library would be a dependency for one loop.
 */
export async function eachBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
