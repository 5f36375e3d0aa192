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
    const partitions = this.partitions;
    for (const partition of partitions) partition.key();
    const n = partitions.reduce((sum, partition) => sum + partition.size, 0);
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
    // Customers in id order across partitions: each customer's code and where its lines go.
    const merge = new IdMerge(partitions.map((partition) => partition.sortedIds));
    let at = 0;
    for (let next = merge.pop(); next !== null; next = merge.pop()) {
      const partition = partitions[next.source] as Partition;
      partition.placeCustomer(next.index, out.customerIds.push(next.id) - 1, at);
      at += partition.linesOfRank(next.index);
    }
    // Each partition sorted on its own, straight into place, then dropped.
    for (let p = 0; p < partitions.length; p++) {
      (partitions[p] as Partition).writeSorted(out);
      partitions[p] = new Partition();
    }
    return out;
  }
}

function copyCents(from: CentsColumn, k: number, to: CentsColumn, at: number): void {
  const cents = from.cents[k] as number;
  to.cents[at] = cents;
  if (Number.isNaN(cents)) to.exact.set(at, from.exact.get(k) as Money);
}

/** Lines as added, one segment per part: ids as bytes, amounts as cents (exact beside them). */
interface Segment {
  lines: number;
  customerBytes: Uint8Array;
  /** Line k's customer id is customerBytes[customerEnds[k - 1], customerEnds[k]), from 0 per segment. */
  customerEnds: Uint32Array;
  orderBytes: Uint8Array;
  orderEnds: Uint32Array;
  day: Int32Array;
  revenue: CentsColumn;
  cost: CentsColumn;
  returned: CentsColumn;
  category: Int32Array;
}

function segment(lines: number, customerBytes: number, orderBytes: number): Segment {
  return {
    lines: 0,
    customerBytes: new Uint8Array(customerBytes),
    customerEnds: new Uint32Array(lines),
    orderBytes: new Uint8Array(orderBytes),
    orderEnds: new Uint32Array(lines),
    day: new Int32Array(lines),
    revenue: centsColumn(lines),
    cost: centsColumn(lines),
    returned: centsColumn(lines),
    category: new Int32Array(lines),
  };
}

/**
 * One partition's lines. Each part adds a segment sized exactly for it (growing one array would
 * hold the old and the new copy at once, twice the memory at the worst moment); the segments are
 * joined, a partition at a time, only when the partition is keyed.
 */
class Partition {
  private length = 0;
  private readonly segments: Segment[] = [];
  private current: Segment = segment(0, 0, 0);
  private customerUsed = 0;
  private orderUsed = 0;
  // The joined lines, once keyed.
  private day: Int32Array = new Int32Array(0);
  private revenue = centsColumn(0);
  private cost = centsColumn(0);
  private returned = centsColumn(0);
  private category: Int32Array = new Int32Array(0);

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
    const to = this.current;
    const k = to.lines;
    let used = this.customerUsed;
    const customer = to.customerBytes;
    for (let i = cs; i < ce; i++) customer[used++] = customerBytes[i] as number;
    this.customerUsed = used;
    to.customerEnds[k] = used;
    used = this.orderUsed;
    const order = to.orderBytes;
    for (let i = os; i < oe; i++) order[used++] = orderBytes[i] as number;
    this.orderUsed = used;
    to.orderEnds[k] = used;
    to.day[k] = day;
    to.category[k] = category;
    copyCents(revenue, row, to.revenue, k);
    copyCents(cost, row, to.cost, k);
    copyCents(returned, row, to.returned, k);
    to.lines = k + 1;
    this.length += 1;
  }

  /** Starts the segment for a part's `lines` lines with ids of `customerBytes` and `orderBytes` bytes. */
  reserve(lines: number, customerBytes: number, orderBytes: number): void {
    if (lines === 0) return;
    this.current = segment(lines, customerBytes, orderBytes);
    this.segments.push(this.current);
    this.customerUsed = 0;
    this.orderUsed = 0;
  }

  /** All segments as one: ids' bytes and ends rebased, amounts' exact entries renumbered. */
  private joined(): Segment {
    if (this.segments.length === 1) return this.segments[0] as Segment;
    const sum = (size: (s: Segment) => number) => this.segments.reduce((total, s) => total + size(s), 0);
    const all = segment(
      this.length,
      sum((s) => s.customerBytes.length),
      sum((s) => s.orderBytes.length),
    );
    let line = 0;
    let customerAt = 0;
    let orderAt = 0;
    for (const s of this.segments) {
      all.customerBytes.set(s.customerBytes, customerAt);
      all.orderBytes.set(s.orderBytes, orderAt);
      for (let k = 0; k < s.lines; k++) {
        all.customerEnds[line + k] = customerAt + (s.customerEnds[k] as number);
        all.orderEnds[line + k] = orderAt + (s.orderEnds[k] as number);
      }
      all.day.set(s.day, line);
      all.category.set(s.category, line);
      for (const name of ['revenue', 'cost', 'returned'] as const) {
        all[name].cents.set(s[name].cents, line);
        for (const [k, exact] of s[name].exact) all[name].exact.set(line + k, exact);
      }
      line += s.lines;
      customerAt += s.customerBytes.length;
      orderAt += s.orderBytes.length;
    }
    all.lines = line;
    return all;
  }

  /** Per line: the customer's code among the partition's customers, and its order's code. */
  private local = new Int32Array(0);
  private orderCodes = new Int32Array(0);
  private orderCount = 0;
  private ids: string[] = [];
  /** The partition's customer ids in id order, and for each rank its local code. */
  sortedIds: string[] = [];
  private byRank = new Int32Array(0);
  private runLength = new Int32Array(0);
  /** Per rank: the customer's code in the result and the next result line of its run. */
  private globalCode = new Int32Array(0);
  private cursor = new Int32Array(0);

  get size(): number {
    return this.length;
  }

  /** Keys customer ids and (customer, order id) pairs, then drops the ids' bytes. */
  key(): void {
    const n = this.length;
    const lines = this.joined();
    this.segments.length = 0;
    this.current = segment(0, 0, 0);
    const customerKeys = new ByteKeys();
    const local = new Int32Array(n);
    for (let k = 0; k < n; k++)
      local[k] = customerKeys.code(
        lines.customerBytes,
        k === 0 ? 0 : (lines.customerEnds[k - 1] as number),
        lines.customerEnds[k] as number,
      );
    const orderKeys = new ByteKeys();
    const orderCodes = new Int32Array(n);
    for (let k = 0; k < n; k++)
      orderCodes[k] = orderKeys.code(
        lines.orderBytes,
        k === 0 ? 0 : (lines.orderEnds[k - 1] as number),
        lines.orderEnds[k] as number,
        local[k] as number,
      );
    this.day = lines.day;
    this.category = lines.category;
    this.revenue = lines.revenue;
    this.cost = lines.cost;
    this.returned = lines.returned;
    this.local = local;
    this.orderCodes = orderCodes;
    this.orderCount = orderKeys.size;
    const ids = Array.from({ length: customerKeys.size }, (_, c) => customerKeys.text(c));
    this.ids = ids;
    this.byRank = Int32Array.from({ length: ids.length }, (_, c) => c).sort((a, b) =>
      (ids[a] as string) < (ids[b] as string) ? -1 : 1,
    );
    this.sortedIds = Array.from(this.byRank, (c) => ids[c] as string);
    const count = new Int32Array(ids.length);
    for (let k = 0; k < n; k++) count[local[k] as number] = (count[local[k] as number] as number) + 1;
    this.runLength = Int32Array.from(this.byRank, (c) => count[c] as number);
    this.globalCode = new Int32Array(ids.length);
    this.cursor = new Int32Array(ids.length);
  }

  linesOfRank(rank: number): number {
    return this.runLength[rank] as number;
  }

  /** The customer of rank `rank` here is customer `code` of the result, its lines from `start`. */
  placeCustomer(rank: number, code: number, start: number): void {
    this.globalCode[rank] = code;
    this.cursor[rank] = start;
  }

  /** Writes the lines, in canonical order and with order starts flagged, to their places in `out`. */
  writeSorted(out: TransactionColumns): void {
    const n = this.length;
    const lines: TransactionColumns = {
      length: n,
      customer: this.local,
      customerIds: this.ids,
      day: this.day.subarray(0, n),
      orderStart: new Uint8Array(0),
      revenue: { cents: this.revenue.cents.subarray(0, n), exact: this.revenue.exact },
      cost: { cents: this.cost.cents.subarray(0, n), exact: this.cost.exact },
      returned: { cents: this.returned.cents.subarray(0, n), exact: this.returned.exact },
      category: this.category.subarray(0, n),
      categories: out.categories,
    };
    const order = canonicalOrder(lines);
    const flags = flagOrderStarts(this.orderCodes, this.orderCount, order);
    const rankOf = new Int32Array(this.ids.length);
    for (let r = 0; r < this.byRank.length; r++) rankOf[this.byRank[r] as number] = r;
    const anyExact = this.revenue.exact.size + this.cost.exact.size + this.returned.exact.size > 0;
    for (let k = 0; k < n; k++) {
      const line = order ? (order[k] as number) : k;
      const rank = rankOf[this.local[line] as number] as number;
      const at = this.cursor[rank] as number;
      this.cursor[rank] = at + 1;
      out.customer[at] = this.globalCode[rank] as number;
      out.day[at] = this.day[line] as number;
      out.orderStart[at] = flags[k] as number;
      out.category[at] = this.category[line] as number;
      out.revenue.cents[at] = this.revenue.cents[line] as number;
      out.cost.cents[at] = this.cost.cents[line] as number;
      out.returned.cents[at] = this.returned.cents[line] as number;
      if (anyExact) {
        copyCents(this.revenue, line, out.revenue, at);
        copyCents(this.cost, line, out.cost, at);
        copyCents(this.returned, line, out.returned, at);
      }
    }
  }
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
