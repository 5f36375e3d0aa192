import { UTF8_VALUES } from './utf8.ts';
/**
 * Dense integer codes (0, 1, 2, ... in order of first sight) for byte strings, each optionally
 * qualified by an integer scope: the same bytes in two scopes are two keys. The compute job reads
 * twenty million customer and order ids this way straight from Parquet pages, without making a JS
 * string per row (strings and a Map of them were most of its load time and heap). Keys are held
 * once, as bytes in one arena; the table is open addressing over typed arrays. Written by hand
 * because no maintained package interns byte ranges into a compact typed-array table; equality is
 * exact (bytes compared), so codes are never confused by a hash clash.
 */
export class ByteKeys {
  /** Slots of two: the key's hash and its code + 1 (0 = empty), side by side so a probe touches one place. */
  private slots = new Int32Array(2 << 10);
  /** Key k's bytes are arena[ends[k - 1], ends[k]). */
  private arena = new Uint8Array(1 << 12);
  private ends = new Uint32Array(1 << 10);
  private scopes = new Int32Array(1 << 10);
  private used = 0;
  private count = 0;

  /** The number of distinct keys so far (codes run from 0 to size - 1). */
  get size(): number {
    return this.count;
  }

  /** The code of `bytes[start, end)` in `scope`, given a new code when first seen. */
  code(bytes: Uint8Array, start: number, end: number, scope = 0): number {
    let h = Math.imul(scope ^ 0x9e3779b9, 0x85ebca6b) ^ 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    const slots = this.slots;
    const mask = (slots.length >>> 1) - 1;
    const length = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = slot << 1;
      const stored = slots[at + 1] as number;
      if (stored === 0) return this.add(bytes, start, end, scope, h, at);
      if (slots[at] !== h) continue;
      const k = stored - 1;
      if (this.scopes[k] !== scope) continue;
      const from = k === 0 ? 0 : (this.ends[k - 1] as number);
      if ((this.ends[k] as number) - from !== length) continue;
      const arena = this.arena;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (arena[from + i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return k;
    }
  }

  /** Key `code`'s bytes (a view into the arena: copy it before adding more keys). */
  bytes(code: number): Uint8Array {
    const from = code === 0 ? 0 : (this.ends[code - 1] as number);
    return this.arena.subarray(from, this.ends[code] as number);
  }

  /** Key `code`'s bytes decoded as UTF-8. */
  text(code: number): string {
    return UTF8_VALUES.decode(this.bytes(code));
  }

  /** Forgets every key, keeping the room made so far (for the next use of the same size). */
  clear(): void {
    this.slots.fill(0);
    this.used = 0;
    this.count = 0;
  }

  /** Makes room for `keys` keys and `bytes` key bytes at once, so the table is not rebuilt while it fills. */
  reserve(keys: number, bytes = 0): void {
    let slots = this.slots.length;
    while (keys * 4 > slots) slots *= 2;
    if (slots > this.slots.length) this.rehash(slots);
    if (keys > this.ends.length) this.growKeys(keys);
    if (bytes > this.arena.length) this.growArena(bytes);
  }

  private add(bytes: Uint8Array, start: number, end: number, scope: number, h: number, at: number): number {
    const k = this.count;
    if (k === this.ends.length) this.growKeys(k * 2);
    const to = this.used + (end - start);
    if (to > this.arena.length) this.growArena(to);
    if (to > 0xffffffff) throw new RangeError('byte keys beyond 4 GB');
    // Keys are short: a loop beats a subarray (an object) per key.
    const arena = this.arena;
    for (let i = start, at = this.used; i < end; i++, at++) arena[at] = bytes[i] as number;
    this.used = to;
    this.ends[k] = to;
    this.scopes[k] = scope;
    this.count = k + 1;
    this.slots[at] = h;
    this.slots[at + 1] = k + 1;
    // At most half full: probes stay short.
    if (this.count * 4 > this.slots.length) this.rehash(this.slots.length * 2);
    return k;
  }

  private growKeys(keys: number): void {
    const ends = new Uint32Array(keys);
    ends.set(this.ends.subarray(0, this.count));
    this.ends = ends;
    const scopes = new Int32Array(keys);
    scopes.set(this.scopes.subarray(0, this.count));
    this.scopes = scopes;
  }

  private growArena(needed: number): void {
    let size = this.arena.length * 2;
    while (size < needed) size *= 2;
    const arena = new Uint8Array(size);
    arena.set(this.arena.subarray(0, this.used));
    this.arena = arena;
  }

  private rehash(length: number): void {
    const old = this.slots;
    const slots = new Int32Array(length);
    const mask = (length >>> 1) - 1;
    for (let at = 0; at < old.length; at += 2) {
      const stored = old[at + 1] as number;
      if (stored === 0) continue;
      const h = old[at] as number;
      let slot = h & mask;
      while (slots[(slot << 1) + 1] !== 0) slot = (slot + 1) & mask;
      slots[slot << 1] = h;
      slots[(slot << 1) + 1] = stored;
    }
    this.slots = slots;
  }
}
