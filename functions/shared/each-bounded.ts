/**
 * Runs `task` on every item, at most `limit` at a time; the first failure fails the whole, once
 * the tasks already started have ended (none starts after it): the caller may then close what
 * the tasks write to. Hand written: a dozen lines where a pool library would be a dependency for
 * one loop.
 */
export async function eachBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = settled.find((outcome) => outcome.status === 'rejected');
  if (rejected) throw rejected.reason;
}
