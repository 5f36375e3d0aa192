/**
 * Remembers which keys (order_id + product_id) an export has had, and on which line, for millions of
 * rows in bounded memory: an open-addressing table of 64-bit hashes in a typed array, about 16 bytes
 * a key instead of the ~80 a Map of strings costs. Written by hand because no maintained package
 * offers a compact string set; two different keys share a 64-bit hash with odds of about 1 in 10^6
 * at 5 million rows, and such a clash would be reported as a duplicate naming both lines.
 */
export class DuplicateKeys {
  /** Slots of three: high hash, low hash, line (0 = empty), side by side so a probe touches one place. */
  private slots = new Int32Array(SLOT << 12);
  private count = 0;

  /** `maxKeys`: past it a new key throws TooManyOrderLines instead of growing the table further. */
  constructor(readonly maxKeys: number = MAX_TRANSACTION_ROWS) {}

  /** The memory the table holds. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Returns the line the key (`order`, `product`) was first seen on, or records it and returns undefined. */
  firstLine(order: string, product: string, line: number): number | undefined {
    hashKey(order, product, hashed, 0);
    return this.firstLineOfHash(hashed[0] as number, hashed[1] as number, line);
  }

  /** The same for a key hashed with `hashKey` or `hashKeyBytes`. */
  firstLineOfHash(h: number, l: number, line: number): number | undefined {
    if (this.count < this.maxKeys && overFull(this.count + 1, this.slots.length))
      this.resize(this.slots.length * 2);
    const slots = this.slots;
    const mask = slots.length / SLOT - 1;
    for (let slot = l & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const stored = slots[at + 2] as number;
      if (stored === 0) {
        if (this.count >= this.maxKeys) throw new TooManyOrderLines(this.maxKeys);
        slots[at] = h;
        slots[at + 1] = l;
        slots[at + 2] = line;
        this.count += 1;
        return undefined;
      }
      if (slots[at] === h && slots[at + 1] === l) return stored;
    }
  }

  /**
   * `firstLineOfHash` for `count` keys at once (hashes in pairs, lines alongside), the first line of
   * each written to `firstLines` (0 for a key seen first here). In key order, so that of two equal
   * keys the earlier line counts as first. The slots are touched in a first pass of independent
   * reads, which the processor overlaps, so the probes that follow find them in cache: on a table
   * much larger than the cache this halves the time of probing key by key.
   */
  firstLinesOfHashes(
    hashes: Int32Array,
    lines: ArrayLike<number>,
    count: number,
    firstLines: Int32Array,
  ): void {
    this.reserve(this.count + count);
    const slots = this.slots;
    const mask = slots.length / SLOT - 1;
    let touched = 0;
    for (let k = 0; k < count; k++)
      touched |= slots[((hashes[k * 2 + 1] as number) & mask) * SLOT + 2] as number;
    this.touched = touched;
    for (let k = 0; k < count; k++) {
      const first = this.firstLineOfHash(
        hashes[k * 2] as number,
        hashes[k * 2 + 1] as number,
        lines[k] as number,
      );
      firstLines[k] = first ?? 0;
    }
  }

  /** What the touching pass read, kept so that its reads are not optimised away. */
  touched = 0;

  /**
   * Makes room for `keys` keys at once (when the export's size tells how many rows to expect), so
   * the table is not rebuilt again and again while it fills.
   */
  reserve(keys: number): void {
    const length = tableBytesFor(Math.min(keys, this.maxKeys)) / Int32Array.BYTES_PER_ELEMENT;
    if (length > this.slots.length) this.resize(length);
  }

  private resize(length: number): void {
    const old = this.slots;
    const slots = new Int32Array(length);
    const mask = length / SLOT - 1;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + 2] === 0) continue;
      let slot = (old[at + 1] as number) & mask;
      while (slots[slot * SLOT + 2] !== 0) slot = (slot + 1) & mask;
      slots[slot * SLOT] = old[at] as number;
      slots[slot * SLOT + 1] = old[at + 1] as number;
      slots[slot * SLOT + 2] = old[at + 2] as number;
    }
    this.slots = slots;
  }
}

const SLOT = 3;

/**
 * The most order lines one transactions export may hold (config `max_transaction_rows` by default):
 * their table fits in 0.8 GB (see tableBytesFor), which with the parts in flight stays well inside
 * the ingest function's 3 GB. Past 42M lines the table would double to 1.6 GB, and 60M lines took
 * 2.4 GB here: a larger export ran the function out of memory on every retry.
 */
export const MAX_TRANSACTION_ROWS = 40_000_000;

/** Whether `keys` keys fill `length` slot entries past 5/8 of their slots (probes grow long past it). */
const overFull = (keys: number, length: number) => keys * 8 * SLOT > length * 5;

/** The size of the table that holds `keys` keys (filled to at most 5/8, a power of two of slots). */
export function tableBytesFor(keys: number): number {
  let length = SLOT << 12;
  while (overFull(keys, length)) length *= 2;
  return length * Int32Array.BYTES_PER_ELEMENT;
}

/** An export with more order lines than the duplicate check holds: it is rejected whole. */
export class TooManyOrderLines extends Error {
  constructor(readonly limit: number) {
    super(
      `the export has more than ${limit.toLocaleString('en')} order lines (max_transaction_rows), more than one ingest function checks for duplicates within its memory: split it into smaller files of the same kind`,
    );
    this.name = 'TooManyOrderLines';
  }
}

/** Reused output of hashKey, so hashing a key allocates nothing. */
const hashed = new Int32Array(2);

const utf8 = new TextEncoder();

/** The same hash of two strings, through their UTF-8 bytes (so both ways of reading rows agree). */
export function hashKey(first: string, second: string, out: Int32Array, at: number): void {
  const a = utf8.encode(first);
  const b = utf8.encode(second);
  hashKeyBytes(a, 0, a.length, b, 0, b.length, out, at);
}

/**
 * Two independent 32-bit FNV-1a style hashes (different offsets and primes) of the bytes of
 * `first[firstStart, firstEnd)`, a separator (0) and `second[secondStart, secondEnd)`, written to
 * `out[at]` and `out[at + 1]`.
 */
export function hashKeyBytes(
  first: Uint8Array,
  firstStart: number,
  firstEnd: number,
  second: Uint8Array,
  secondStart: number,
  secondEnd: number,
  out: Int32Array,
  at: number,
): void {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = firstStart; i < firstEnd; i++) {
    const code = first[i] as number;
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = Math.imul(a, 0x01000193);
  b = Math.imul(b, 0x5bd1e995);
  b ^= b >>> 15;
  for (let i = secondStart; i < secondEnd; i++) {
    const code = second[i] as number;
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  out[at] = a;
  out[at + 1] = b ^ (b >>> 13);
}
