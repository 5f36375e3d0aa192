import { Money } from '../../core/money.ts';
import {
  canonicalOrder,
  customerPartition,
  flagOrderStarts,
  PARTITION_BITS,
} from '../../core/profitability/transaction-columns.ts';
import type { CentsColumn, TransactionColumns } from '../../core/records.ts';
import { ByteKeys } from '../../core/text/byte-keys.ts';

/**
 * A string column's UTF-8 bytes: row r is bytes[ends[r - 1] + gap, ends[r]) (ends[-1] = 0). A
 * reader may leave `gap` bytes before each value (the Parquet reader keeps the room of the length
 * prefix, to copy pages whole); absent, 0.
 */
export interface ByteColumn {
  bytes: Uint8Array;
  ends: Uint32Array;
  gap?: number;
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

/**
 * Builds TransactionColumns in canonical order (see canonicalOrder) from parts in any order, by
 * radix partitioning: each part is first laid out again by customer partition (see
 * customerPartition), a few sequential passes; then each partition is keyed (customer ids, then
 * (customer, order id)), sorted and flagged on its own, with tables small enough to stay in the CPU
 * cache, and written after the one before. Keying and sorting twenty million lines at once would
 * instead make nearly every line a cache miss, which was most of the compute job's load time.
 * Hand-written because it is the job's own data layout.
 */
export class TransactionPartitions {
  private readonly partitions = Array.from({ length: 1 << PARTITION_BITS }, () => new Partition());

  private readonly staging = new PartStaging();

  /**
   * Takes a part's lines. Returns the parts laid out by this call (this one, or the small ones
   * gathered so far), whose arrays the caller may use again; the others are held until then (see
   * PartStaging).
   */
  add(part: TransactionPart): TransactionPart[] {
    const ready = this.staging.add(part);
    if (ready) this.layOut(ready.unit);
    return ready?.used ?? [];
  }

  private layOutStaged(): void {
    const ready = this.staging.flush();
    if (ready) this.layOut(ready.unit);
  }

  /** Adds a part laid out by layOutPart (here or on another thread). */
  addLaidOut(laid: LaidOutPart): void {
    const { lines, lineStart, customerStart, orderStart } = laid;
    const segments = this.partitions.map((partition, p) =>
      partition.addSegment(
        lines,
        lineStart[p] as number,
        (lineStart[p + 1] as number) - (lineStart[p] as number),
        customerStart[p] as number,
        (customerStart[p + 1] as number) - (customerStart[p] as number),
        orderStart[p] as number,
        (orderStart[p + 1] as number) - (orderStart[p] as number),
      ),
    );
    for (const { name, partition, line, amount } of laid.exact) {
      const into = segments[partition] as Segment;
      if (into[name].exact === NO_EXACT) into[name] = { cents: into[name].cents, exact: new Map() };
      into[name].exact.set(line, amount);
    }
  }

  private layOut(part: TransactionPart): void {
    this.addLaidOut(layOutPart(part));
  }

  /** The lines as columns, in canonical order, with order starts flagged. */
  finish(categories: (string | null)[]): TransactionColumns {
    this.layOutStaged();
    const out = outputColumns(this.size(), categories, false);
    this.writeFirst(out, this.partitions.length);
    return out;
  }

  /**
   * The same, with partitions keyed, sorted and written by `elsewhere` (another thread, running
   * writePartitionJob) while this thread writes others. Shared claims share the work as it goes:
   * this thread takes partitions from the first up, the other from the last down, until they meet,
   * so neither waits for the other (a fixed half left one thread idle for up to half a second).
   * Each partition's customers are numbered from 0 and renumbered in partition order at the end.
   */
  async finishSplit(
    categories: (string | null)[],
    elsewhere: (job: PartitionJob) => Promise<PartitionJobResult>,
  ): Promise<TransactionColumns> {
    this.layOutStaged();
    const partitions = this.partitions;
    const count = partitions.length;
    const starts = startsOf(Int32Array.from(partitions, (partition) => partition.size));
    const n = starts[count] as number;
    const out = outputColumns(n, categories, true);
    // The other thread is offered the partitions after the first OFFERED_FROM of the lines.
    let first = 0;
    while (first < count && (starts[first + 1] as number) <= n * OFFERED_FROM) first++;
    const claims = new Int32Array(new SharedArrayBuffer(count * 4));
    const job: PartitionJob = {
      first,
      starts,
      claims,
      categories,
      partitions: partitions.slice(first).map((partition) => partition.wire()),
      out: {
        customer: out.customer,
        day: out.day,
        orderStart: out.orderStart,
        revenue: out.revenue.cents,
        cost: out.cost.cents,
        returned: out.returned.cents,
        category: out.category,
      },
    };
    const written = elsewhere(job);
    written.catch(() => undefined); // awaited below, once this thread's share is written
    const idsOf = new Array<string[] | undefined>(count);
    const scratch = new WriteScratch();
    for (let p = 0; p < count && Atomics.compareExchange(claims, p, 0, 1) === 0; p++) {
      const ids: string[] = [];
      (partitions[p] as Partition).writeSorted(out, starts[p] as number, scratch, ids);
      idsOf[p] = ids;
    }
    // Every partition is written (here or there) once the other thread is done: none is kept.
    for (let p = 0; p < count; p++) partitions[p] = new Partition();
    const result = await written;
    for (const { partition, customerIds } of result.written) idsOf[partition] = customerIds;
    for (let p = 0; p < count; p++) {
      const offset = out.customerIds.length;
      if (offset > 0)
        for (let i = starts[p] as number; i < (starts[p + 1] as number); i++)
          out.customer[i] = (out.customer[i] as number) + offset;
      for (const id of idsOf[p] ?? []) out.customerIds.push(id);
    }
    for (const name of ['revenue', 'cost', 'returned'] as const) {
      const exact = fromWireCents({ cents: out[name].cents, exact: result.exact[name] }).exact;
      for (const [line, amount] of exact) out[name].exact.set(line, amount);
    }
    return out;
  }

  private size(): number {
    return this.partitions.reduce((sum, partition) => sum + partition.size, 0);
  }

  /** Writes the first `count` partitions from line 0, partition after partition, each dropped once written. */
  private writeFirst(out: TransactionColumns, count: number): void {
    let line = 0;
    const scratch = new WriteScratch();
    for (let p = 0; p < count; p++) {
      line = (this.partitions[p] as Partition).writeSorted(out, line, scratch, out.customerIds);
      this.partitions[p] = new Partition();
    }
  }
}

/**
 * Parts gathered until they are worth laying out: laying out costs a segment per partition, so a
 * thousand partitions only pay off over a million lines or so (ingest writes parts of 100,000
 * rows). A big part never waits for the small ones (joining it to them would only copy it).
 */
export class PartStaging {
  private parts: TransactionPart[] = [];
  private lines = 0;

  /**
   * Takes a part; returns what is ready to lay out, with the parts it was made of (their arrays
   * are free once it is laid out): the part itself when big enough, or the gathered ones joined
   * once they add up to STAGED_LINES; else null.
   */
  add(part: TransactionPart): { unit: TransactionPart; used: TransactionPart[] } | null {
    if (part.rows >= STAGED_LINES) return { unit: part, used: [part] };
    this.parts.push(part);
    this.lines += part.rows;
    return this.lines >= STAGED_LINES ? this.flush() : null;
  }

  /** The gathered parts, joined, whatever their size (null when there are none). */
  flush(): { unit: TransactionPart; used: TransactionPart[] } | null {
    const used = this.parts;
    if (used.length === 0) return null;
    this.parts = [];
    this.lines = 0;
    return { unit: used.length === 1 ? (used[0] as TransactionPart) : joinParts(used), used };
  }
}

/**
 * A part's lines laid out by customer partition (see layOutPart), in shared memory so that any
 * thread can lay a part out and another add it (TransactionPartitions.addLaidOut).
 */
export interface LaidOutPart {
  /** The lines, partition after partition. */
  lines: Segment;
  /** Partition p's lines are lines [lineStart[p], lineStart[p + 1]); its ids' bytes likewise. */
  lineStart: Int32Array;
  customerStart: Int32Array;
  orderStart: Int32Array;
  /** The amounts beyond whole cents, by partition and line within it. */
  exact: { name: AmountName; partition: number; line: number; amount: Money }[];
}

/**
 * Spreads a part's lines over the customer partitions. Column by column: each pass writes to one
 * array per partition, which the caches hold better than all ten columns of every partition at once.
 */
export function layOutPart(part: TransactionPart): LaidOutPart {
  const rows = part.rows;
  const count = 1 << PARTITION_BITS;
  const { bytes: customerBytes, ends: customerEnds } = part.customer;
  const customerGap = part.customer.gap ?? 0;
  const orderEnds = part.order.ends;
  const orderGap = part.order.gap ?? 0;
  // Each line's partition and its place there: the part is laid out again partition by
  // partition in one set of arrays, each partition's share of them becoming its segment.
  const target = new Uint16Array(rows);
  const position = new Int32Array(rows);
  const lines = new Int32Array(count);
  const customerSize = new Int32Array(count);
  const orderSize = new Int32Array(count);
  for (let r = 0; r < rows; r++) {
    const cs = (r === 0 ? 0 : (customerEnds[r - 1] as number)) + customerGap;
    const ce = customerEnds[r] as number;
    const p = customerPartition(customerBytes, cs, ce);
    target[r] = p;
    position[r] = lines[p] as number;
    lines[p] = (lines[p] as number) + 1;
    customerSize[p] = (customerSize[p] as number) + ce - cs;
    const os = (r === 0 ? 0 : (orderEnds[r - 1] as number)) + orderGap;
    orderSize[p] = (orderSize[p] as number) + (orderEnds[r] as number) - os;
  }
  const lineStart = startsOf(lines);
  const customerStart = startsOf(customerSize);
  const orderStart = startsOf(orderSize);
  for (let r = 0; r < rows; r++)
    position[r] = (position[r] as number) + (lineStart[target[r] as number] as number);
  const laid = segment(rows, customerStart[count] as number, orderStart[count] as number);
  laid.lines = rows;
  scatterBytes(part.customer, target, position, customerStart, laid.customerBytes, laid.customerEnds);
  scatterBytes(part.order, target, position, orderStart, laid.orderBytes, laid.orderEnds);
  scatter(part.day, position, laid.day);
  scatter(part.category, position, laid.category);
  scatter(part.revenue.cents, position, laid.revenue.cents);
  scatter(part.cost.cents, position, laid.cost.cents);
  scatter(part.returned.cents, position, laid.returned.cents);
  const exact: LaidOutPart['exact'] = [];
  for (const name of ['revenue', 'cost', 'returned'] as const) {
    for (const [r, amount] of part[name].exact) {
      const p = target[r] as number;
      exact.push({ name, partition: p, line: (position[r] as number) - (lineStart[p] as number), amount });
    }
  }
  return { lines: laid, lineStart, customerStart, orderStart, exact };
}

/** Partitions handed to another thread to key, sort and write into shared output columns. */
export interface PartitionJob {
  /** The partition `partitions` start with; the job may take any from the last down to it. */
  first: number;
  /** Partition p's lines go to output lines [starts[p], starts[p + 1]). */
  starts: Int32Array;
  /** Per partition, 1 once a thread has taken it (shared; taken with compareExchange). */
  claims: Int32Array;
  categories: (string | null)[];
  partitions: WirePartition[];
  /** The output columns (shared memory), whole. */
  out: {
    customer: Int32Array;
    day: Int32Array;
    orderStart: Uint8Array;
    revenue: Float64Array;
    cost: Float64Array;
    returned: Float64Array;
    category: Int32Array;
  };
}

export interface PartitionJobResult {
  /** Per partition written, its customers in order: its lines' customer codes count from 0 into these. */
  written: { partition: number; customerIds: string[] }[];
  /** Exact amounts by output line. */
  exact: Record<AmountName, WireCents['exact']>;
}

/** A partition as it crosses threads: its segments (views of shared memory). */
export interface WirePartition {
  segments: Wired<Segment>[];
}

/** Cents as they cross threads: the rare exact amounts beyond whole cents as decimal text. */
export interface WireCents {
  cents: Float64Array;
  exact: [number, string][];
}

type AmountName = 'revenue' | 'cost' | 'returned';

/** `T` with its three amount columns as they cross threads. */
export type Wired<T> = Omit<T, AmountName> & Record<AmountName, WireCents>;

/** `value` with its three amount columns turned by `convert` (to cross threads, or back). */
export function withAmounts<A, B, T extends Record<AmountName, A>>(
  value: T,
  convert: (amounts: A) => B,
): Omit<T, AmountName> & Record<AmountName, B> {
  return {
    ...value,
    revenue: convert(value.revenue),
    cost: convert(value.cost),
    returned: convert(value.returned),
  };
}

export function toWireCents(column: CentsColumn): WireCents {
  return { cents: column.cents, exact: [...column.exact].map(([k, amount]) => [k, amount.toString()]) };
}

export function fromWireCents(column: WireCents): CentsColumn {
  return {
    cents: column.cents,
    // Shared and never written, like a segment's own when it has none.
    exact:
      column.exact.length === 0
        ? NO_EXACT
        : new Map(column.exact.map(([k, amount]) => [k, new Money(amount)])),
  };
}

/** Runs a PartitionJob on this thread (the other side of finishSplit). */
export function writePartitionJob(job: PartitionJob): PartitionJobResult {
  const n = job.out.customer.length;
  const exactOut = () => new Map<number, Money>();
  const out: TransactionColumns = {
    length: n,
    customer: job.out.customer,
    customerIds: [],
    day: job.out.day,
    orderStart: job.out.orderStart,
    revenue: { cents: job.out.revenue, exact: exactOut() },
    cost: { cents: job.out.cost, exact: exactOut() },
    returned: { cents: job.out.returned, exact: exactOut() },
    category: job.out.category,
    categories: job.categories,
  };
  const scratch = new WriteScratch();
  const written: PartitionJobResult['written'] = [];
  for (let i = job.partitions.length - 1; i >= 0; i--) {
    const partition = job.first + i;
    if (Atomics.compareExchange(job.claims, partition, 0, 1) !== 0) break;
    const customerIds: string[] = [];
    const wire = job.partitions[i] as WirePartition;
    Partition.fromWire(wire).writeSorted(out, job.starts[partition] as number, scratch, customerIds);
    written.push({ partition, customerIds });
  }
  return {
    written,
    exact: {
      revenue: toWireCents(out.revenue).exact,
      cost: toWireCents(out.cost).exact,
      returned: toWireCents(out.returned).exact,
    },
  };
}

function outputColumns(n: number, categories: (string | null)[], shared: boolean): TransactionColumns {
  const bytes = (size: number) => (shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  const cents = (): CentsColumn => ({ cents: new Float64Array(bytes(n * 8)), exact: new Map() });
  return {
    length: n,
    customer: new Int32Array(bytes(n * 4)),
    customerIds: [],
    day: new Int32Array(bytes(n * 4)),
    orderStart: new Uint8Array(bytes(n)),
    revenue: cents(),
    cost: cents(),
    returned: cents(),
    category: new Int32Array(bytes(n * 4)),
    categories,
  };
}

/** The share of the lines before the first partition offered to another thread (see finishSplit). */
const OFFERED_FROM = 0.3;

/** Lines gathered before they are laid out by partition (see TransactionPartitions.add). */
const STAGED_LINES = 1 << 20;

/** The parts' lines one after another, as one part (in new arrays). */
export function joinParts(parts: readonly TransactionPart[]): TransactionPart {
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  const joinBytes = (column: (part: TransactionPart) => ByteColumn): ByteColumn => {
    // Rebasing the ends keeps each value's gap: the parts must share it (one reader reads them all).
    const gap = column(parts[0] as TransactionPart).gap ?? 0;
    if (parts.some((part) => (column(part).gap ?? 0) !== gap))
      throw new Error('transaction parts to join differ in the gap before their ids');
    const size = parts.reduce((sum, part) => sum + (column(part).ends[part.rows - 1] ?? 0), 0);
    const bytes = new Uint8Array(size);
    const ends = new Uint32Array(rows);
    let line = 0;
    let at = 0;
    for (const part of parts) {
      const from = column(part);
      const used = from.ends[part.rows - 1] ?? 0;
      bytes.set(from.bytes.subarray(0, used), at);
      for (let r = 0; r < part.rows; r++) ends[line + r] = at + (from.ends[r] as number);
      line += part.rows;
      at += used;
    }
    return { bytes, ends, gap };
  };
  const joinNumbers = (column: (part: TransactionPart) => ArrayLike<number>): Float64Array => {
    const to = new Float64Array(rows);
    let line = 0;
    for (const part of parts) {
      to.set(column(part), line);
      line += part.rows;
    }
    return to;
  };
  const joinCents = (name: 'revenue' | 'cost' | 'returned'): CentsColumn => {
    const cents = joinNumbers((part) => part[name].cents);
    const exact = new Map<number, Money>();
    let line = 0;
    for (const part of parts) {
      for (const [r, amount] of part[name].exact) exact.set(line + r, amount);
      line += part.rows;
    }
    return { cents, exact };
  };
  return {
    rows,
    customer: joinBytes((part) => part.customer),
    order: joinBytes((part) => part.order),
    day: joinNumbers((part) => part.day),
    revenue: joinCents('revenue'),
    cost: joinCents('cost'),
    returned: joinCents('returned'),
    category: joinNumbers((part) => part.category),
  };
}

/** starts[p] = the sum of sizes before p; starts[sizes.length] = the total. */
function startsOf(sizes: Int32Array): Int32Array {
  const starts = new Int32Array(sizes.length + 1);
  for (let p = 0; p < sizes.length; p++) starts[p + 1] = (starts[p] as number) + (sizes[p] as number);
  return starts;
}

function scatter(from: ArrayLike<number>, position: Int32Array, to: Int32Array | Float64Array): void {
  for (let r = 0; r < position.length; r++) to[position[r] as number] = from[r] as number;
}

/**
 * Copies each line's bytes after the ones before it in its partition's share of `bytes` (which
 * starts at byteStart[p]); `ends` get each line's end within that share.
 */
function scatterBytes(
  from: ByteColumn,
  target: Uint16Array,
  position: Int32Array,
  byteStart: Int32Array,
  bytes: Uint8Array,
  ends: Uint32Array,
): void {
  const used = byteStart.slice(0, byteStart.length - 1);
  const source = from.bytes;
  const gap = from.gap ?? 0;
  for (let r = 0; r < target.length; r++) {
    const p = target[r] as number;
    const start = (r === 0 ? 0 : (from.ends[r - 1] as number)) + gap;
    const end = from.ends[r] as number;
    let at = used[p] as number;
    for (let i = start; i < end; i++) bytes[at++] = source[i] as number;
    used[p] = at;
    ends[position[r] as number] = at - (byteStart[p] as number);
  }
}

/**
 * Whether line k's bytes [start, end) equal line k - 1's. Compared from the end: ids numbered in
 * sequence share their first bytes, so a difference shows at once there.
 */
function sameAsBefore(bytes: Uint8Array, ends: Uint32Array, k: number, start: number, end: number): boolean {
  const before = k === 1 ? 0 : (ends[k - 2] as number);
  const length = end - start;
  if (start - before !== length) return false;
  for (let i = length - 1; i >= 0; i--) if (bytes[before + i] !== bytes[start + i]) return false;
  return true;
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

/**
 * A segment's arrays live in shared memory, so that another thread can key, sort and write some
 * of the partitions (see finishSplit) without a copy.
 */
function segment(lines: number, customerBytes: number, orderBytes: number): Segment {
  return {
    lines: 0,
    customerBytes: new Uint8Array(new SharedArrayBuffer(customerBytes)),
    customerEnds: new Uint32Array(new SharedArrayBuffer(lines * 4)),
    orderBytes: new Uint8Array(new SharedArrayBuffer(orderBytes)),
    orderEnds: new Uint32Array(new SharedArrayBuffer(lines * 4)),
    day: new Int32Array(new SharedArrayBuffer(lines * 4)),
    revenue: sharedCents(lines),
    cost: sharedCents(lines),
    returned: sharedCents(lines),
    category: new Int32Array(new SharedArrayBuffer(lines * 4)),
  };
}

function sharedCents(lines: number): CentsColumn {
  return { cents: new Float64Array(new SharedArrayBuffer(lines * 8)), exact: new Map() };
}

/** Stands for a part's segment in a partition that receives none of its lines (never written). */
const EMPTY_SEGMENT = segment(0, 0, 0);

/** The exact amounts of a segment that has none (shared, never written: replaced when needed). */
const NO_EXACT = new Map<number, Money>();

/**
 * One partition's lines. Each part adds a segment sized exactly for it (growing one array would
 * hold the old and the new copy at once, twice the memory at the worst moment); the segments are
 * joined, a partition at a time, only when the partition is keyed.
 */
class Partition {
  private length = 0;
  private readonly segments: Segment[] = [];

  /** Takes its share of a part laid out by partition: `lines` lines from `at`, and their ids' bytes. */
  addSegment(
    laid: Segment,
    at: number,
    lines: number,
    customerAt: number,
    customerBytes: number,
    orderAt: number,
    orderBytes: number,
  ): Segment {
    if (lines === 0) return EMPTY_SEGMENT;
    const share = (column: CentsColumn): CentsColumn => ({
      cents: column.cents.subarray(at, at + lines),
      exact: NO_EXACT,
    });
    const added: Segment = {
      lines,
      customerBytes: laid.customerBytes.subarray(customerAt, customerAt + customerBytes),
      customerEnds: laid.customerEnds.subarray(at, at + lines),
      orderBytes: laid.orderBytes.subarray(orderAt, orderAt + orderBytes),
      orderEnds: laid.orderEnds.subarray(at, at + lines),
      day: laid.day.subarray(at, at + lines),
      revenue: share(laid.revenue),
      cost: share(laid.cost),
      returned: share(laid.returned),
      category: laid.category.subarray(at, at + lines),
    };
    this.segments.push(added);
    this.length += lines;
    return added;
  }

  /**
   * All segments as one, in `scratch`'s buffers: ids' bytes and ends rebased, amounts' exact
   * entries renumbered.
   */
  private joined(scratch: WriteScratch): Segment {
    if (this.segments.length === 1) return this.segments[0] as Segment;
    const sum = (size: (s: Segment) => number) => this.segments.reduce((total, s) => total + size(s), 0);
    const n = this.length;
    const cents = (name: string): CentsColumn => ({ cents: scratch.float64(name, n), exact: new Map() });
    const all: Segment = {
      lines: n,
      customerBytes: scratch.uint8(
        'customerBytes',
        sum((s) => s.customerBytes.length),
      ),
      customerEnds: scratch.uint32('customerEnds', n),
      orderBytes: scratch.uint8(
        'orderBytes',
        sum((s) => s.orderBytes.length),
      ),
      orderEnds: scratch.uint32('orderEnds', n),
      day: scratch.int32('day', n),
      revenue: cents('revenue'),
      cost: cents('cost'),
      returned: cents('returned'),
      category: scratch.int32('category', n),
    };
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
      all.day.set(s.day.subarray(0, s.lines), line);
      all.category.set(s.category.subarray(0, s.lines), line);
      for (const name of ['revenue', 'cost', 'returned'] as const) {
        all[name].cents.set(s[name].cents.subarray(0, s.lines), line);
        for (const [k, exact] of s[name].exact) all[name].exact.set(line + k, exact);
      }
      line += s.lines;
      customerAt += s.customerBytes.length;
      orderAt += s.orderBytes.length;
    }
    return all;
  }

  get size(): number {
    return this.length;
  }

  wire(): WirePartition {
    return {
      segments: this.segments.map((s) => withAmounts(s, toWireCents)),
    };
  }

  static fromWire(wire: WirePartition): Partition {
    const partition = new Partition();
    for (const s of wire.segments) {
      partition.segments.push(withAmounts(s, fromWireCents));
      partition.length += s.lines;
    }
    return partition;
  }

  /**
   * Writes the lines, in canonical order and with order starts flagged, to `out` from line `start`,
   * their customers numbered after those in `ids` and added to it; returns the line after the
   * last written.
   */
  writeSorted(out: TransactionColumns, start: number, scratch: WriteScratch, ids: string[]): number {
    const n = this.length;
    const lines = this.joined(scratch);
    this.segments.length = 0;
    // Lines of one order usually come together: a line whose ids equal the previous line's
    // takes its codes without a lookup.
    const { customerKeys, orderKeys } = scratch;
    customerKeys.clear();
    orderKeys.clear();
    customerKeys.reserve(n >>> 4, n * 2);
    orderKeys.reserve(n >>> 1, n * 4);
    const local = scratch.int32('local', n);
    const orderCodes = scratch.int32('orderCodes', n);
    const { customerBytes, customerEnds, orderBytes, orderEnds } = lines;
    let customer = -1;
    let order = -1;
    for (let k = 0; k < n; k++) {
      const cs = k === 0 ? 0 : (customerEnds[k - 1] as number);
      const ce = customerEnds[k] as number;
      const os = k === 0 ? 0 : (orderEnds[k - 1] as number);
      const oe = orderEnds[k] as number;
      const sameCustomer = k > 0 && sameAsBefore(customerBytes, customerEnds, k, cs, ce);
      if (!sameCustomer) customer = customerKeys.code(customerBytes, cs, ce);
      if (!sameCustomer || !sameAsBefore(orderBytes, orderEnds, k, os, oe))
        order = orderKeys.code(orderBytes, os, oe, customer);
      local[k] = customer;
      orderCodes[k] = order;
    }
    // Customers by id (all share the partition), numbered after the customers already in `ids`.
    const keyed = Array.from({ length: customerKeys.size }, (_, c) => customerKeys.text(c));
    const byRank = Int32Array.from({ length: keyed.length }, (_, c) => c).sort((a, b) =>
      (keyed[a] as string) < (keyed[b] as string) ? -1 : 1,
    );
    const rank = new Int32Array(keyed.length);
    const first = ids.length;
    for (let r = 0; r < byRank.length; r++) {
      rank[byRank[r] as number] = r;
      ids.push(keyed[byRank[r] as number] as string);
    }
    const columns: TransactionColumns = {
      length: n,
      customer: local,
      customerIds: keyed,
      day: lines.day,
      orderStart: new Uint8Array(0),
      revenue: lines.revenue,
      cost: lines.cost,
      returned: lines.returned,
      category: lines.category,
      categories: out.categories,
    };
    const sorted = canonicalOrder(columns, rank);
    const flags = flagOrderStarts(orderCodes, orderKeys.size, sorted);
    const anyExact = lines.revenue.exact.size + lines.cost.exact.size + lines.returned.exact.size > 0;
    out.orderStart.set(flags, start);
    // The arrays in locals: this loop runs for every line of the load.
    const [outCustomer, outDay, outCategory] = [out.customer, out.day, out.category];
    const [outRevenue, outCost, outReturned] = [out.revenue.cents, out.cost.cents, out.returned.cents];
    const [day, category] = [lines.day, lines.category];
    const [revenue, cost, returned] = [lines.revenue.cents, lines.cost.cents, lines.returned.cents];
    for (let k = 0, at = start; k < n; k++, at++) {
      const line = sorted === null ? k : (sorted[k] as number);
      outCustomer[at] = first + (rank[local[line] as number] as number);
      outDay[at] = day[line] as number;
      outCategory[at] = category[line] as number;
      outRevenue[at] = revenue[line] as number;
      outCost[at] = cost[line] as number;
      outReturned[at] = returned[line] as number;
    }
    if (anyExact) {
      for (let k = 0, at = start; k < n; k++, at++) {
        const line = sorted === null ? k : (sorted[k] as number);
        copyCents(lines.revenue, line, out.revenue, at);
        copyCents(lines.cost, line, out.cost, at);
        copyCents(lines.returned, line, out.returned, at);
      }
    }
    return start + n;
  }
}

/**
 * Buffers a thread reuses from partition to partition while it writes them: fresh ones for each of
 * a thousand partitions cost a page fault per 4 KB, a large share of the time spent writing.
 */
class WriteScratch {
  readonly customerKeys = new ByteKeys();
  readonly orderKeys = new ByteKeys();
  private readonly buffers = new Map<string, ArrayBuffer>();

  int32(name: string, n: number): Int32Array {
    return new Int32Array(this.buffer(name, n * 4), 0, n);
  }

  uint32(name: string, n: number): Uint32Array {
    return new Uint32Array(this.buffer(name, n * 4), 0, n);
  }

  uint8(name: string, n: number): Uint8Array {
    return new Uint8Array(this.buffer(name, n), 0, n);
  }

  float64(name: string, n: number): Float64Array {
    return new Float64Array(this.buffer(name, n * 8), 0, n);
  }

  /** At least `bytes` bytes (old contents left: every user writes before it reads). */
  private buffer(name: string, bytes: number): ArrayBuffer {
    const held = this.buffers.get(name);
    if (held && held.byteLength >= bytes) return held;
    const buffer = new ArrayBuffer(Math.max(bytes, Math.ceil((held?.byteLength ?? 0) * 1.5)));
    this.buffers.set(name, buffer);
    return buffer;
  }
}
