import type { Money } from '../money.ts';
import type { CentsColumn, TransactionColumns } from '../records.ts';
import { ByteKeys } from '../text/byte-keys.ts';
import { canonicalOrder, centsColumn, flagOrderStarts } from './transaction-columns.ts';

/** A string column's UTF-8 bytes: row r is bytes[ends[r - 1], ends[r]). */
export interface ByteColumn {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** One curated part's transaction lines, as the loader read them. */
export interface TransactionPart {
  rows: number;
  customer: ByteColumn;
  order: ByteColumn;
  day: ArrayLike<number>;
  revenue: CentsColumn;
  cost: CentsColumn;
  returned: CentsColumn;
  /** Index into the categories passed to `finish`. */
  category: ArrayLike<number>;
}

/** 2^6 partitions: at a million customers each holds ~16 thousand, whose tables stay in cache. */
const PARTITION_BITS = 6;

/**
 * Builds TransactionColumns in canonical order (see canonicalOrder) from parts in any order, by
 * radix partitioning: lines are first spread, in one sequential pass, over partitions by a hash of
 * their customer id; then each partition is keyed (customer ids, then (customer, order id)),
 * sorted and flagged on its own, with tables small enough to stay in the CPU cache; finally the
 * partitions, each in customer id order, are merged by customer id. Keying and sorting twenty
 * million lines at once would instead make nearly every line a cache miss, which was most of the
 * compute job's load time. Hand-written because it is the job's own data layout.
 */
export class TransactionPartitions {
  private readonly partitions = Array.from({ length: 1 << PARTITION_BITS }, () => new Partition());

  /** Spreads a part's lines over the partitions; the part's arrays can be dropped afterwards. */
  add(part: TransactionPart): void {
    const { bytes: customerBytes, ends: customerEnds } = part.customer;
    const { bytes: orderBytes, ends: orderEnds } = part.order;
    const shift = 32 - PARTITION_BITS;
    // First each line's partition, so every partition grows once, by exactly what it receives.
    const target = new Uint8Array(part.rows);
    const lines = new Int32Array(this.partitions.length);
    const customerSize = new Int32Array(this.partitions.length);
    const orderSize = new Int32Array(this.partitions.length);
    for (let r = 0; r < part.rows; r++) {
      const cs = r === 0 ? 0 : (customerEnds[r - 1] as number);
      const ce = customerEnds[r] as number;
      let h = 0x811c9dc5;
      for (let i = cs; i < ce; i++) h = Math.imul(h ^ (customerBytes[i] as number), 0x01000193);
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
      const p = (h ^ (h >>> 12)) >>> shift;
      target[r] = p;
      lines[p] = (lines[p] as number) + 1;
      customerSize[p] = (customerSize[p] as number) + ce - cs;
      orderSize[p] =
        (orderSize[p] as number) + (orderEnds[r] as number) - (r === 0 ? 0 : (orderEnds[r - 1] as number));
    }
    this.partitions.forEach((partition, p) => {
      partition.reserve(lines[p] as number, customerSize[p] as number, orderSize[p] as number);
    });
    for (let r = 0; r < part.rows; r++) {
      (this.partitions[target[r] as number] as Partition).push(
        customerBytes,
        r === 0 ? 0 : (customerEnds[r - 1] as number),
        customerEnds[r] as number,
        orderBytes,
        r === 0 ? 0 : (orderEnds[r - 1] as number),
        orderEnds[r] as number,
        part.day[r] as number,
        part.revenue,
        part.cost,
        part.returned,
        r,
        part.category[r] as number,
      );
    }
  }

  /** The lines as columns, in canonical order, with order starts flagged. */
  finish(categories: (string | null)[]): TransactionColumns {
    const sorted = this.partitions.map((partition) => partition.sort(categories));
    this.partitions.length = 0;
    const n = sorted.reduce((sum, partition) => sum + partition.columns.length, 0);
    const out: TransactionColumns = {
      length: n,
      customer: new Int32Array(n),
      customerIds: [],
      day: new Int32Array(n),
      orderStart: new Uint8Array(n),
      revenue: centsColumn(n),
      cost: centsColumn(n),
      returned: centsColumn(n),
      category: new Int32Array(n),
      categories,
    };
    const merge = new IdMerge(sorted.map((partition) => partition.columns.customerIds));
    let at = 0;
    for (let next = merge.pop(); next !== null; next = merge.pop()) {
      const partition = sorted[next.source] as SortedPartition;
      const code = out.customerIds.push(next.id) - 1;
      const from = partition.runStart[next.index] as number;
      const to = partition.runStart[next.index + 1] as number;
      const lines = partition.columns;
      for (let k = from; k < to; k++, at++) {
        out.customer[at] = code;
        out.day[at] = lines.day[k] as number;
        out.orderStart[at] = lines.orderStart[k] as number;
        out.category[at] = lines.category[k] as number;
        out.revenue.cents[at] = lines.revenue.cents[k] as number;
        out.cost.cents[at] = lines.cost.cents[k] as number;
        out.returned.cents[at] = lines.returned.cents[k] as number;
      }
      if (partition.anyExact) {
        for (let k = from, line = at - (to - from); k < to; k++, line++) {
          copyCents(lines.revenue, k, out.revenue, line);
          copyCents(lines.cost, k, out.cost, line);
          copyCents(lines.returned, k, out.returned, line);
        }
      }
    }
    return out;
  }
}

function copyCents(from: CentsColumn, k: number, to: CentsColumn, at: number): void {
  const cents = from.cents[k] as number;
  to.cents[at] = cents;
  if (Number.isNaN(cents)) to.exact.set(at, from.exact.get(k) as Money);
}

interface SortedPartition {
  /** In canonical order; customer = rank of the id among the partition's ids (customerIds sorted). */
  columns: TransactionColumns;
  /** Customer c's lines are [runStart[c], runStart[c + 1]). */
  runStart: Int32Array;
  /** Whether some amount is not whole cents (then it is in the columns' `exact`). */
  anyExact: boolean;
}

/** One partition's lines as added: ids as bytes, amounts as cents (exact beside them). */
class Partition {
  private length = 0;
  private capacity = 0;
  private customerBytes: Uint8Array = new Uint8Array(0);
  private customerEnds = new Uint32Array(0);
  private customerUsed = 0;
  private orderBytes: Uint8Array = new Uint8Array(0);
  private orderEnds = new Uint32Array(0);
  private orderUsed = 0;
  private day = new Int32Array(0);
  private revenue = centsColumn(0);
  private cost = centsColumn(0);
  private returned = centsColumn(0);
  private category = new Int32Array(0);

  push(
    customerBytes: Uint8Array,
    cs: number,
    ce: number,
    orderBytes: Uint8Array,
    os: number,
    oe: number,
    day: number,
    revenue: CentsColumn,
    cost: CentsColumn,
    returned: CentsColumn,
    row: number,
    category: number,
  ): void {
    const k = this.length;
    let used = this.customerUsed;
    const customer = this.customerBytes;
    for (let i = cs; i < ce; i++) customer[used++] = customerBytes[i] as number;
    this.customerUsed = used;
    this.customerEnds[k] = used;
    used = this.orderUsed;
    const order = this.orderBytes;
    for (let i = os; i < oe; i++) order[used++] = orderBytes[i] as number;
    this.orderUsed = used;
    this.orderEnds[k] = used;
    this.day[k] = day;
    this.category[k] = category;
    copyCents(revenue, row, this.revenue, k);
    copyCents(cost, row, this.cost, k);
    copyCents(returned, row, this.returned, k);
    this.length = k + 1;
  }

  /** Room for `lines` more lines with ids of `customerBytes` and `orderBytes` bytes in all. */
  reserve(lines: number, customerBytes: number, orderBytes: number): void {
    // An eighth more than asked, so parts of similar size do not each copy everything.
    const slack = (size: number) => size + (size >>> 3);
    if (this.customerUsed + customerBytes > this.customerBytes.length)
      this.customerBytes = resized(this.customerBytes, slack(this.customerUsed + customerBytes));
    if (this.orderUsed + orderBytes > this.orderBytes.length)
      this.orderBytes = resized(this.orderBytes, slack(this.orderUsed + orderBytes));
    if (this.length + lines <= this.capacity) return;
    const capacity = slack(this.length + lines);
    const ints = (from: Int32Array) => {
      const to = new Int32Array(capacity);
      to.set(from);
      return to;
    };
    const ends = (from: Uint32Array) => {
      const to = new Uint32Array(capacity);
      to.set(from);
      return to;
    };
    const cents = (from: CentsColumn): CentsColumn => {
      const to = new Float64Array(capacity);
      to.set(from.cents);
      return { cents: to, exact: from.exact };
    };
    this.customerEnds = ends(this.customerEnds);
    this.orderEnds = ends(this.orderEnds);
    this.day = ints(this.day);
    this.category = ints(this.category);
    this.revenue = cents(this.revenue);
    this.cost = cents(this.cost);
    this.returned = cents(this.returned);
    this.capacity = capacity;
  }

  /** Keys, sorts and flags the partition's lines; its buffers are released. */
  sort(categories: (string | null)[]): SortedPartition {
    const n = this.length;
    const customerKeys = new ByteKeys();
    const local = new Int32Array(n);
    for (let k = 0; k < n; k++)
      local[k] = customerKeys.code(
        this.customerBytes,
        k === 0 ? 0 : (this.customerEnds[k - 1] as number),
        this.customerEnds[k] as number,
      );
    const orderKeys = new ByteKeys();
    const orderCodes = new Int32Array(n);
    for (let k = 0; k < n; k++)
      orderCodes[k] = orderKeys.code(
        this.orderBytes,
        k === 0 ? 0 : (this.orderEnds[k - 1] as number),
        this.orderEnds[k] as number,
        local[k] as number,
      );
    this.customerBytes = this.orderBytes = new Uint8Array(0);
    this.customerEnds = this.orderEnds = new Uint32Array(0);
    const ids = Array.from({ length: customerKeys.size }, (_, c) => customerKeys.text(c));
    const lines: TransactionColumns = {
      length: n,
      customer: local,
      customerIds: ids,
      day: this.day.subarray(0, n),
      orderStart: new Uint8Array(0),
      revenue: { cents: this.revenue.cents.subarray(0, n), exact: this.revenue.exact },
      cost: { cents: this.cost.cents.subarray(0, n), exact: this.cost.exact },
      returned: { cents: this.returned.cents.subarray(0, n), exact: this.returned.exact },
      category: this.category.subarray(0, n),
      categories,
    };
    const order = canonicalOrder(lines);
    const sorted = order ? gather(lines, order) : lines;
    this.day = this.category = new Int32Array(0);
    this.revenue = this.cost = this.returned = centsColumn(0);
    sorted.orderStart = flagOrderStarts(orderCodes, orderKeys.size, order);
    // Customers renumbered by id, so line customers ascend and runs can be found.
    const rank = new Int32Array(ids.length);
    const byId = Array.from({ length: ids.length }, (_, c) => c).sort((a, b) =>
      (ids[a] as string) < (ids[b] as string) ? -1 : 1,
    );
    for (let r = 0; r < byId.length; r++) rank[byId[r] as number] = r;
    const runStart = new Int32Array(ids.length + 1);
    for (let k = 0; k < n; k++) {
      const r = rank[sorted.customer[k] as number] as number;
      runStart[r + 1] = (runStart[r + 1] as number) + 1;
    }
    for (let r = 0; r < ids.length; r++)
      runStart[r + 1] = (runStart[r + 1] as number) + (runStart[r] as number);
    sorted.customerIds = byId.map((c) => ids[c] as string);
    const anyExact = sorted.revenue.exact.size + sorted.cost.exact.size + sorted.returned.exact.size > 0;
    return { columns: sorted, runStart, anyExact };
  }
}

function gather(lines: TransactionColumns, order: Int32Array): TransactionColumns {
  const n = order.length;
  const ints = (from: Int32Array) => {
    const to = new Int32Array(n);
    for (let k = 0; k < n; k++) to[k] = from[order[k] as number] as number;
    return to;
  };
  const cents = (from: CentsColumn): CentsColumn => {
    const to = centsColumn(n);
    for (let k = 0; k < n; k++) {
      const line = order[k] as number;
      const value = from.cents[line] as number;
      to.cents[k] = value;
      if (Number.isNaN(value)) to.exact.set(k, from.exact.get(line) as Money);
    }
    return to;
  };
  return {
    ...lines,
    customer: ints(lines.customer),
    day: ints(lines.day),
    category: ints(lines.category),
    revenue: cents(lines.revenue),
    cost: cents(lines.cost),
    returned: cents(lines.returned),
  };
}

function resized(bytes: Uint8Array, size: number): Uint8Array {
  const to = new Uint8Array(size);
  to.set(bytes);
  return to;
}

/**
 * Merges sorted id lists (one per partition; an id is in one list only) into id order: a binary
 * heap of the lists' next ids.
 */
class IdMerge {
  private readonly heap: number[] = [];
  private readonly at: Int32Array;

  constructor(private readonly lists: readonly (readonly string[])[]) {
    this.at = new Int32Array(lists.length);
    for (let s = 0; s < lists.length; s++) if ((lists[s] as string[]).length > 0) this.push(s);
  }

  /** The next id in order: its list and its index there; null when all are taken. */
  pop(): { id: string; source: number; index: number } | null {
    const heap = this.heap;
    if (heap.length === 0) return null;
    const source = heap[0] as number;
    const index = this.at[source] as number;
    const id = (this.lists[source] as string[])[index] as string;
    this.at[source] = index + 1;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      heap[0] = last;
      this.down(0);
    }
    if (index + 1 < (this.lists[source] as string[]).length) this.push(source);
    return { id, source, index };
  }

  private key(source: number): string {
    return (this.lists[source] as string[])[this.at[source] as number] as string;
  }

  private push(source: number): void {
    const heap = this.heap;
    let i = heap.push(source) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key(heap[parent] as number) <= this.key(source)) break;
      heap[i] = heap[parent] as number;
      i = parent;
    }
    heap[i] = source;
  }

  private down(i: number): void {
    const heap = this.heap;
    const source = heap[i] as number;
    const key = this.key(source);
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && this.key(heap[child + 1] as number) < this.key(heap[child] as number))
        child++;
      if (key <= this.key(heap[child] as number)) break;
      heap[i] = heap[child] as number;
      i = child;
    }
    heap[i] = source;
  }
}
