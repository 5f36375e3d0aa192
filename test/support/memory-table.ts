import type { Item, ItemKey, WriteStats } from '../../functions/adapters/item-store.ts';
import type { ComputeTable } from '../../functions/compute/run-compute.ts';

/**
 * The table as a compute run uses it, in memory, for tests whose subject is what is written, not
 * how: a run over 100,000 customers writes their items in a second here and in over a minute
 * through the local DynamoDB server (the protocol is covered by the tests that run cval).
 * Conditional puts are not modelled: the runs that use it do not reconcile exports.
 */
export class MemoryTable implements ComputeTable {
  readonly items = new Map<string, Item>();

  private static key(pk: unknown, sk: unknown): string {
    return `${String(pk)}\u0000${String(sk)}`;
  }

  async get(pk: string, sk: string): Promise<Item | undefined> {
    const item = this.items.get(MemoryTable.key(pk, sk));
    return item && structuredClone(item);
  }

  async put(item: Item): Promise<void> {
    this.items.set(MemoryTable.key(item.PK, item.SK), structuredClone(item));
  }

  async putIf(): Promise<boolean> {
    throw new Error('MemoryTable does not model conditional puts');
  }

  async query(pk: string, skPrefix?: string, options: { newestFirst?: boolean; limit?: number } = {}) {
    const found = [...this.items.values()]
      .filter((item) => item.PK === pk && (!skPrefix || String(item.SK).startsWith(skPrefix)))
      .sort((a, b) => (String(a.SK) < String(b.SK) ? -1 : 1));
    if (options.newestFirst) found.reverse();
    return found.slice(0, options.limit ?? found.length).map((item) => structuredClone(item));
  }

  async putAll(items: Iterable<Item>): Promise<WriteStats> {
    let count = 0;
    for (const item of items) {
      await this.put(item);
      count += 1;
    }
    return { batches: Math.ceil(count / 25), items: count, retries: 0, throttles: 0 };
  }

  async deleteAll(keys: Iterable<ItemKey>): Promise<WriteStats> {
    let count = 0;
    for (const { PK, SK } of keys) {
      this.items.delete(MemoryTable.key(PK, SK));
      count += 1;
    }
    return { batches: Math.ceil(count / 25), items: count, retries: 0, throttles: 0 };
  }
}
