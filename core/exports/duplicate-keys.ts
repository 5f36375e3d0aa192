/**
 * Remembers which keys (order_id + product_id) an export has had, and on which line, for millions of
 * rows in bounded memory: an open-addressing table of 64-bit hashes in typed arrays, about 12 bytes
 * a key instead of the ~80 a Map of strings costs. Written by hand because no maintained package
 * offers a compact string set; two different keys share a 64-bit hash with odds of about 1 in 10^6
 * at 5 million rows, and such a clash would be reported as a duplicate naming both lines.
 */
export class DuplicateKeys {
  private high = new Uint32Array(1 << 12);
  private low = new Uint32Array(1 << 12);
  private lines = new Int32Array(1 << 12);
  private count = 0;

  /** Returns the line the key was first seen on, or records it and returns undefined. */
  firstLine(key: string, line: number): number | undefined {
    if ((this.count + 1) * 8 > this.lines.length * 5) this.grow();
    const [h, l] = hash64(key);
    const mask = this.lines.length - 1;
    for (let slot = l & mask; ; slot = (slot + 1) & mask) {
      const stored = this.lines[slot] as number;
      if (stored === 0) {
        this.high[slot] = h;
        this.low[slot] = l;
        this.lines[slot] = line;
        this.count += 1;
        return undefined;
      }
      if (this.high[slot] === h && this.low[slot] === l) return stored;
    }
  }

  private grow(): void {
    const { high, low, lines } = this;
    const size = lines.length * 2;
    this.high = new Uint32Array(size);
    this.low = new Uint32Array(size);
    this.lines = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === 0) continue;
      let slot = (low[i] as number) & mask;
      while (this.lines[slot] !== 0) slot = (slot + 1) & mask;
      this.high[slot] = high[i] as number;
      this.low[slot] = low[i] as number;
      this.lines[slot] = lines[i] as number;
    }
  }
}

/** Two independent 32-bit FNV-1a style hashes (different offsets and primes) of the UTF-16 code units. */
function hash64(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b ^ (b >>> 13)) >>> 0];
}
