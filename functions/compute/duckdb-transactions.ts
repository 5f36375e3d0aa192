import { type Money, money } from '../../core/money.ts';
import { centsOf } from '../../core/profitability/cents.ts';
import {
  centsColumn,
  customerPartition,
  customerPartitionOfId,
  PARTITION_BITS,
} from '../../core/profitability/transaction-columns.ts';
import type { CentsColumn, TransactionColumns } from '../../core/records.ts';
import { setQuery } from '../../sql/index.ts';
import type { SetEngine } from './set-engine.ts';

/** About this many lines make a range of customers placed and ordered together (see readTransactionLines). */
const RANGE_LINES = 1 << 16;

export interface ReadOptions {
  /** Lines a range holds on average (RANGE_LINES; smaller in tests, to have many ranges). */
  rangeLines?: number;
}

/**
 * Reads the transaction lines from DuckDB: sql/customer-codes.ts numbers the customers and counts
 * their lines, sql/category-codes.ts numbers the categories, and sql/transaction-lines.ts gives the
 * lines with those codes, the dates as days and the amounts as cents, in whatever order DuckDB's
 * threads produce them. The counts give each customer its place in canonical order (partition,
 * then id); the customers are cut into ranges of about RANGE_LINES lines, and each line is written
 * from DuckDB's vectors, a column at a time, to the next free place of its customer's range (some
 * three hundred ranges at twenty million lines, each written in sequence: each line written
 * straight to its own place, far from the last, was a cache miss a column, most of the load).
 * `columns()` then orders each range, by customer, then as canonicalOrder within each customer,
 * while it is in the CPU cache, and flags each order's first line. The engine may be closed
 * before. Nothing is sorted globally, and DuckDB holds no more than its join tables and a few
 * chunks.
 */
export async function readTransactionLines(
  engine: SetEngine,
  options: ReadOptions = {},
): Promise<TransactionLines> {
  await engine.relation(setQuery('customer_codes'), {});
  await engine.relation(setQuery('category_codes'), {});
  const customers = await canonicalCustomers(engine);
  const categories = await categoriesOf(engine);
  const { rankOfCode, start } = customers;
  const count = customers.ids.length;
  const n = start[count] as number;
  const ranges = rangesOf(start, options.rangeLines ?? RANGE_LINES);
  // DuckDB gives each line its customer's canonical rank (its join is where the customer is
  // looked up anyway; a lookup here, by DuckDB's code, was a cache miss a line).
  await engine.integerTable('customer_ranks', {
    customer_code: Int32Array.from({ length: count }, (_, code) => code),
    customer_rank: rankOfCode,
  });
  await engine.rows(CUSTOMER_PLACES);
  const columns: TransactionColumns = {
    length: n,
    // The lines' ranks until ordered (then their customers, the same).
    customer: new Int32Array(n),
    customerIds: customers.ids,
    day: new Int32Array(n),
    orderStart: new Uint8Array(n),
    revenue: centsColumn(n),
    cost: centsColumn(n),
    returned: centsColumn(n),
    category: new Int32Array(n),
    categories: categories.values,
  };
  // Room for each range's order ids: a size byte and a byte a character (more, if need be, grown).
  const room = Array.from({ length: ranges.count }, (_, g) => {
    let bytes = 0;
    for (let k = ranges.customerStart[g] as number; k < (ranges.customerStart[g + 1] as number); k++)
      bytes += (customers.orderIdCharacters[k] as number) + (start[k + 1] as number) - (start[k] as number);
    return bytes;
  });
  const orders = new OrderIds(n, room);
  const fill = ranges.lineStart.slice(0, ranges.count);
  const perRange = ranges.customers;
  const { customer, day, category } = columns;
  const revenue = columns.revenue.cents;
  const cost = columns.cost.cents;
  const returned = columns.returned.cents;
  const { at: orderAt, hash: orderHash } = orders;
  let lines = 0;
  let place = new Int32Array(2048);
  let rangeOf = new Int32Array(2048);
  for await (const chunk of engine.chunks(setQuery('transaction_lines'), {})) {
    const rows = chunk.rowCount;
    const [ranks, days, revenues, costs, returns, amounts, cats, orderIds] = [0, 1, 2, 3, 4, 5, 6, 7].map(
      (c) => chunk.getColumnVector(c),
    ) as unknown as [
      Vec<number>,
      Vec<number>,
      Vec<number>,
      Vec<number>,
      Vec<number>,
      Vec<string>,
      Vec<number>,
      Vec<string>,
    ];
    if (lines + rows > n) throw new Error(`transaction_lines gave more than ${n} lines`);
    if (rows > place.length) {
      place = new Int32Array(rows);
      rangeOf = new Int32Array(rows);
    }
    for (let i = 0; i < rows; i++) {
      const range = ((ranks.getItem(i) as number) / perRange) | 0;
      const at = fill[range] as number;
      fill[range] = at + 1;
      place[i] = at;
      rangeOf[i] = range;
    }
    // A column at a time: each loop writes to one array (a few hundred places in sequence).
    placeInts(ranks, place, rows, customer, 'customer_id');
    placeInts(days, place, rows, day, 'order_date');
    placeInts(cats, place, rows, category, 'product_category code');
    let unplaced = placeCents(revenues, place, rows, revenue);
    unplaced = placeCents(costs, place, rows, cost) || unplaced;
    unplaced = placeCents(returns, place, rows, returned) || unplaced;
    if (unplaced) placeExact(columns, amounts, place, rows);
    for (let i = 0; i < rows; i++) {
      const id = orderIds.getItem(i);
      if (id === null) throw new Error('a transaction line without order_id');
      const at = place[i] as number;
      orderAt[at] = orders.put(rangeOf[i] as number, id);
      orderHash[at] = orders.lastHash;
    }
    lines += rows;
  }
  if (lines !== n) throw new Error(`transaction_lines gave ${lines} lines of ${n}`);
  return {
    columns: () => {
      orderRanges(columns, start, ranges, categories.rank, orders);
      return columns;
    },
  };
}

/** Writes a vector's integers to their places (none may be missing: a rank, a day, a code). */
function placeInts(vector: Vec<number>, place: Int32Array, rows: number, to: Int32Array, name: string): void {
  for (let i = 0; i < rows; i++) {
    const value = vector.getItem(i);
    if (value === null) throw new Error(`a transaction line without ${name}`);
    to[place[i] as number] = value;
  }
}

/** Writes a vector's cents to their places; NaN for none (see placeExact). Whether any was none. */
function placeCents(vector: Vec<number>, place: Int32Array, rows: number, to: Float64Array): boolean {
  let none = false;
  for (let i = 0; i < rows; i++) {
    const value = vector.getItem(i);
    if (value === null) none = true;
    to[place[i] as number] = value ?? Number.NaN;
  }
  return none;
}

/**
 * The amounts DuckDB gave no cents for: a line with an amount too large for them has all three
 * as text (exact amounts beside the cents where they are not safe integers of cents); else a
 * missing cost or returned amount is 0 (the export's default) and a missing revenue an error.
 */
function placeExact(
  columns: TransactionColumns,
  amounts: Vec<string>,
  place: Int32Array,
  rows: number,
): void {
  const names = ['revenue', 'cost', 'returned'] as const;
  for (let i = 0; i < rows; i++) {
    const at = place[i] as number;
    if (names.every((name) => !Number.isNaN(columns[name].cents[at]))) continue;
    const text = amounts.getItem(i);
    if (text === null && Number.isNaN(columns.revenue.cents[at]))
      throw new Error('a transaction line without revenue');
    const exact = text?.split(' ');
    names.forEach((name, k) => {
      const column = columns[name];
      if (!Number.isNaN(column.cents[at])) return;
      const amount = money(exact?.[k] ?? 0);
      const cents = centsOf(amount);
      column.cents[at] = cents;
      if (Number.isNaN(cents)) column.exact.set(at, amount);
    });
  }
}

/** customer_places (see sql/transaction-lines.ts): each customer id with its canonical rank. */
const CUSTOMER_PLACES = `
CREATE OR REPLACE TEMP TABLE customer_places AS
SELECT k.customer_id, r.customer_rank
FROM customer_codes AS k
JOIN customer_ranks AS r ON r.customer_code = k.customer_code
`;

/** Lines read by readTransactionLines, to be made into ordered columns (once). */
export interface TransactionLines {
  columns(): TransactionColumns;
}

interface Vec<T> {
  getItem(index: number): T | null;
}

/**
 * Ranges of `customers` whole customers (canonical ranks), so range = rank / customers: about
 * RANGE_LINES lines each on average (a customer of many lines makes its range larger).
 */
interface Ranges {
  count: number;
  customers: number;
  /** Range r holds customers [customerStart[r], customerStart[r + 1]). */
  customerStart: Int32Array;
  /** And lines [lineStart[r], lineStart[r + 1]). */
  lineStart: Int32Array;
}

function rangesOf(start: Int32Array, rangeLines: number): Ranges {
  const total = start.length - 1;
  const lines = start[total] as number;
  const customers = Math.max(1, Math.round((rangeLines * total) / Math.max(lines, 1)));
  const count = Math.ceil(total / customers);
  const customerStart = Int32Array.from({ length: count + 1 }, (_, r) => Math.min(r * customers, total));
  return { count, customers, customerStart, lineStart: customerStart.map((k) => start[k] as number) };
}

/**
 * The customers in canonical order (partition, then id) from customer_codes (numbered in DuckDB's
 * id order): `rankOfCode` maps DuckDB's code to the canonical one, `start[k]` is the first line of
 * canonical customer k.
 */
async function canonicalCustomers(
  engine: SetEngine,
): Promise<{ ids: string[]; rankOfCode: Int32Array; start: Int32Array; orderIdCharacters: Float64Array }> {
  const byCode: string[] = [];
  const counts: number[] = [];
  const characters: number[] = [];
  for await (const chunk of engine.stream(
    'SELECT customer_id, lines, order_id_characters FROM customer_codes ORDER BY customer_code',
  )) {
    const ids = chunk.getColumnVector(0) as unknown as Vec<string>;
    const lines = chunk.getColumnVector(1) as unknown as Vec<number>;
    const chars = chunk.getColumnVector(2) as unknown as Vec<number>;
    for (let i = 0; i < chunk.rowCount; i++) {
      const id = ids.getItem(i);
      if (id === null) throw new Error('a transaction line without customer_id');
      byCode.push(id);
      counts.push(lines.getItem(i) as number);
      characters.push(chars.getItem(i) ?? 0);
    }
  }
  const count = byCode.length;
  const partitions = 1 << PARTITION_BITS;
  const partition = partitionsOf(byCode);
  const first = new Int32Array(partitions + 1);
  for (let c = 0; c < count; c++) {
    const slot = (partition[c] as number) + 1;
    first[slot] = (first[slot] as number) + 1;
  }
  for (let p = 0; p < partitions; p++) first[p + 1] = (first[p + 1] as number) + (first[p] as number);
  // A stable counting sort by partition keeps DuckDB's id order within each partition.
  const order = new Int32Array(count);
  const next = first.slice(0, partitions);
  for (let c = 0; c < count; c++) {
    const p = partition[c] as number;
    order[next[p] as number] = c;
    next[p] = (next[p] as number) + 1;
  }
  // DuckDB orders text by its UTF-8 bytes, JavaScript (and canonicalOrder) by UTF-16 code units:
  // they differ only between characters above U+FFFF and ones from U+E000 to U+FFFF, so a
  // partition is sorted again only if it is out of JavaScript's order.
  for (let p = 0; p < partitions; p++) {
    const from = first[p] as number;
    const to = first[p + 1] as number;
    for (let k = from + 1; k < to; k++) {
      if ((byCode[order[k - 1] as number] as string) < (byCode[order[k] as number] as string)) continue;
      order.subarray(from, to).sort((a, b) => ((byCode[a] as string) < (byCode[b] as string) ? -1 : 1));
      break;
    }
  }
  const rankOfCode = new Int32Array(count);
  const ids = new Array<string>(count);
  const start = new Int32Array(count + 1);
  const orderIdCharacters = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const code = order[k] as number;
    rankOfCode[code] = k;
    ids[k] = byCode[code] as string;
    start[k + 1] = (start[k] as number) + (counts[code] as number);
    orderIdCharacters[k] = characters[code] as number;
  }
  return { ids, rankOfCode, start, orderIdCharacters };
}

/** Each id's customer partition (customerPartition of its UTF-8 bytes; ASCII ids without encoding). */
function partitionsOf(ids: readonly string[]): Uint16Array {
  const partition = new Uint16Array(ids.length);
  let bytes = new Uint8Array(64);
  for (let c = 0; c < ids.length; c++) {
    const id = ids[c] as string;
    if (id.length > bytes.length) bytes = new Uint8Array(id.length * 2);
    let ascii = true;
    for (let i = 0; i < id.length && ascii; i++) {
      const unit = id.charCodeAt(i);
      bytes[i] = unit;
      ascii = unit < 0x80;
    }
    partition[c] = ascii ? customerPartition(bytes, 0, id.length) : customerPartitionOfId(id);
  }
  return partition;
}

/** The categories by code (null for none) and each code's rank in canonical order (text, none last). */
async function categoriesOf(engine: SetEngine): Promise<{ values: (string | null)[]; rank: Int32Array }> {
  const values: (string | null)[] = [];
  for await (const chunk of engine.stream(
    'SELECT product_category FROM category_codes ORDER BY category_code',
  )) {
    const vector = chunk.getColumnVector(0) as unknown as Vec<string>;
    for (let i = 0; i < chunk.rowCount; i++) values.push(vector.getItem(i));
  }
  const sorted = values
    .map((_, c) => c)
    .sort((a, b) => {
      const x = values[a] ?? null;
      const y = values[b] ?? null;
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return x < y ? -1 : 1;
    });
  const rank = new Int32Array(values.length);
  sorted.forEach((c, k) => {
    rank[c] = k;
  });
  return { values, rank };
}

/**
 * The lines' order ids, kept only to flag each order's first line: as bytes, each range's in a
 * buffer of its own (so the ids of a range are together when it is ordered), each UTF-16 unit below
 * 0x80 one byte, any other three bytes of 0x80 and above (equal bytes are equal ids), a size byte
 * or two first. `at[line]` is where line's id is in its range's buffer, `hash[line]` a hash of it
 * to compare first.
 */
class OrderIds {
  readonly at: Uint32Array;
  readonly hash: Int32Array;
  /** The hash of the id last put. */
  lastHash = 0;
  private readonly buffers: Uint8Array[];
  private readonly used: Int32Array;

  /** `room`: the bytes to make for each range's ids first. */
  constructor(lines: number, room: readonly number[]) {
    this.at = new Uint32Array(lines);
    this.hash = new Int32Array(lines);
    this.buffers = room.map((bytes) => new Uint8Array(bytes));
    this.used = new Int32Array(room.length);
  }

  /** Stores `id` in `range`'s buffer; returns where (its hash is then `lastHash`). */
  put(range: number, id: string): number {
    const length = id.length;
    const from = this.used[range] as number;
    let buffer = this.buffers[range] as Uint8Array;
    if (from + 2 + length * 3 > buffer.length) {
      let size = 2;
      for (let i = 0; i < length; i++) size += id.charCodeAt(i) < 0x80 ? 1 : 3;
      if (from + size > buffer.length) buffer = this.grow(range, from + size);
    }
    // The size goes first: one byte below 0x80 (certain up to 42 characters), else two.
    const wide = length > 42;
    let used = from + (wide ? 2 : 1);
    let h = 0x811c9dc5;
    for (let i = 0; i < length; i++) {
      const unit = id.charCodeAt(i);
      h = Math.imul(h ^ unit, 0x01000193);
      if (unit < 0x80) buffer[used++] = unit;
      else {
        buffer[used++] = 0x80 | (unit >>> 14);
        buffer[used++] = 0x80 | ((unit >>> 7) & 0x7f);
        buffer[used++] = 0x80 | (unit & 0x7f);
      }
    }
    const size = used - from - (wide ? 2 : 1);
    if (!wide) buffer[from] = size;
    else {
      if (size >= 1 << 14) throw new Error(`an order_id of ${size} bytes`);
      buffer[from] = 0x80 | (size >>> 7);
      buffer[from + 1] = size & 0x7f;
    }
    this.used[range] = used;
    this.lastHash = h;
    return from;
  }

  /** Whether the ids at `a` and `b` of `range`'s buffer are the same. */
  same(range: number, a: number, b: number): boolean {
    const buffer = this.buffers[range] as Uint8Array;
    const first = buffer[a] as number;
    const length = first < 0x80 ? first + 1 : (((first & 0x7f) << 7) | (buffer[a + 1] as number)) + 2;
    for (let i = 0; i < length; i++) if (buffer[a + i] !== buffer[b + i]) return false;
    return true;
  }

  /** Drops a range's ids (once its lines are flagged). */
  free(range: number): void {
    this.buffers[range] = new Uint8Array(0);
  }

  private grow(range: number, needed: number): Uint8Array {
    const old = this.buffers[range] as Uint8Array;
    const grown = new Uint8Array(Math.max(needed, Math.ceil(old.length * 1.25), 1 << 12));
    grown.set(old.subarray(0, this.used[range]));
    this.buffers[range] = grown;
    return grown;
  }
}

/**
 * Orders each range's lines (see readTransactionLines): by customer (a counting sort of the
 * range's ranks), then each customer's by date, revenue, cost, returned amount and category rank
 * (see canonicalOrder); then flags the first line of each of a customer's orders. Lines equal in
 * all of these are alike in every column, so their order among themselves does not matter.
 */
function orderRanges(
  columns: TransactionColumns,
  start: Int32Array,
  ranges: Ranges,
  categoryRank: Int32Array,
  orders: OrderIds,
): void {
  const { customer, day, category, orderStart } = columns;
  const revenue = columns.revenue.cents;
  const cost = columns.cost.cents;
  const returned = columns.returned.cents;
  const { at, hash } = orders;
  const anyExact = columns.revenue.exact.size + columns.cost.exact.size + columns.returned.exact.size > 0;
  const amountOrder = (column: CentsColumn, a: number, b: number): number => {
    const x = column.cents[a] as number;
    const y = column.cents[b] as number;
    if (x < y) return -1;
    if (x > y) return 1;
    if (x === y) return 0;
    return exactOf(column, a).comparedTo(exactOf(column, b));
  };
  /** Lines a and b of one customer in canonical order, when day and revenue do not decide it. */
  const tie = (a: number, b: number): number =>
    amountOrder(columns.revenue, a, b) ||
    amountOrder(columns.cost, a, b) ||
    amountOrder(columns.returned, a, b) ||
    (categoryRank[category[a] as number] as number) - (categoryRank[category[b] as number] as number);
  const compare = (a: number, b: number): number => {
    const d = (day[a] as number) - (day[b] as number);
    if (d !== 0) return d;
    const r = (revenue[a] as number) - (revenue[b] as number);
    return r < 0 ? -1 : r > 0 ? 1 : tie(a, b);
  };
  let largest = 0;
  for (let g = 0; g < ranges.count; g++)
    largest = Math.max(largest, (ranges.lineStart[g + 1] as number) - (ranges.lineStart[g] as number));
  const order = new Int32Array(largest);
  const ints = new Int32Array(largest);
  const doubles = new Float64Array(largest);
  const fill = new Int32Array(start.length);
  const seenAt: number[] = [];
  const seenHash: number[] = [];
  for (let g = 0; g < ranges.count; g++) {
    const from = ranges.lineStart[g] as number;
    const to = ranges.lineStart[g + 1] as number;
    const size = to - from;
    // order[k] = the line that goes to from + k: by customer first.
    const firstCustomer = ranges.customerStart[g] as number;
    const lastCustomer = ranges.customerStart[g + 1] as number;
    for (let k = firstCustomer; k < lastCustomer; k++) fill[k] = (start[k] as number) - from;
    for (let line = from; line < to; line++) {
      const k = customer[line] as number;
      const slot = fill[k] as number;
      fill[k] = slot + 1;
      order[slot] = line;
    }
    // Then each customer's lines in canonical order (insertion sort: a few lines each).
    for (let k = firstCustomer; k < lastCustomer; k++) {
      const first = (start[k] as number) - from;
      const end = (start[k + 1] as number) - from;
      if (end - first > 32) {
        order.subarray(first, end).sort(compare);
        continue;
      }
      for (let j = first + 1; j < end; j++) {
        const line = order[j] as number;
        const lineDay = day[line] as number;
        const lineRevenue = revenue[line] as number;
        let i = j - 1;
        for (; i >= first; i--) {
          const before = order[i] as number;
          const d = (day[before] as number) - lineDay;
          if (d < 0) break;
          if (d === 0) {
            const r = (revenue[before] as number) - lineRevenue;
            if (r < 0 || (!(r > 0) && tie(before, line) <= 0)) break;
          }
          order[i + 1] = before;
        }
        order[i + 1] = line;
      }
    }
    if (anyExact) moveExact(columns, order, from, size);
    permuteInts(customer, order, from, size, ints);
    permuteInts(day, order, from, size, ints);
    permuteInts(category, order, from, size, ints);
    permuteInts(hash, order, from, size, ints);
    permuteUints(at, order, from, size, ints);
    permuteDoubles(revenue, order, from, size, doubles);
    permuteDoubles(cost, order, from, size, doubles);
    permuteDoubles(returned, order, from, size, doubles);
    // The first line (in canonical order) of each of a customer's orders starts it.
    for (let k = firstCustomer; k < lastCustomer; k++) {
      const first = start[k] as number;
      const end = start[k + 1] as number;
      if (end - first > 64) {
        flagMany(orders, g, orderStart, first, end);
        continue;
      }
      seenAt.length = 0;
      seenHash.length = 0;
      for (let line = first; line < end; line++) {
        const h = hash[line] as number;
        const place = at[line] as number;
        let known = false;
        for (let s = 0; s < seenAt.length && !known; s++)
          known = seenHash[s] === h && orders.same(g, seenAt[s] as number, place);
        if (!known) {
          orderStart[line] = 1;
          seenAt.push(place);
          seenHash.push(h);
        }
      }
    }
    orders.free(g);
  }
}

function permuteInts(
  column: Int32Array,
  order: Int32Array,
  from: number,
  size: number,
  scratch: Int32Array,
): void {
  for (let i = 0; i < size; i++) scratch[i] = column[order[i] as number] as number;
  column.set(scratch.subarray(0, size), from);
}

function permuteUints(
  column: Uint32Array,
  order: Int32Array,
  from: number,
  size: number,
  scratch: Int32Array,
): void {
  for (let i = 0; i < size; i++) scratch[i] = column[order[i] as number] as number;
  for (let i = 0; i < size; i++) column[from + i] = (scratch[i] as number) >>> 0;
}

function permuteDoubles(
  column: Float64Array,
  order: Int32Array,
  from: number,
  size: number,
  scratch: Float64Array,
): void {
  for (let i = 0; i < size; i++) scratch[i] = column[order[i] as number] as number;
  column.set(scratch.subarray(0, size), from);
}

/** Moves the exact amounts of a range's lines with them. */
function moveExact(columns: TransactionColumns, order: Int32Array, from: number, size: number): void {
  for (const column of [columns.revenue, columns.cost, columns.returned]) {
    const moved: [number, Money][] = [];
    for (let i = 0; i < size; i++) {
      const amount = column.exact.get(order[i] as number);
      if (amount) moved.push([from + i, amount]);
    }
    if (moved.length === 0) continue;
    for (let i = 0; i < size; i++) column.exact.delete(from + i);
    for (const [line, amount] of moved) column.exact.set(line, amount);
  }
}

/** The same flags for a customer of many lines, its orders' first lines found by hash. */
function flagMany(orders: OrderIds, range: number, orderStart: Uint8Array, from: number, to: number): void {
  const byHash = new Map<number, number[]>();
  for (let line = from; line < to; line++) {
    const h = orders.hash[line] as number;
    const place = orders.at[line] as number;
    const firsts = byHash.get(h);
    if (!firsts) byHash.set(h, [place]);
    else if (firsts.some((other) => orders.same(range, other, place))) continue;
    else firsts.push(place);
    orderStart[line] = 1;
  }
}

function exactOf(column: CentsColumn, line: number): Money {
  const cents = column.cents[line] as number;
  return Number.isNaN(cents) ? (column.exact.get(line) as Money) : money(cents).dividedBy(100);
}
