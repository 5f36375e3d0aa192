/**
 * Many short strings (order ids) packed as UTF-16 code units in one typed array, one byte per unit
 * while every unit fits (widened to two bytes the first time one does not). Twenty million order
 * ids as JS strings were most of the loader's heap and of its garbage-collection time; packed they
 * are one off-heap buffer. Compared by code units, exactly as JS compares strings with `<`.
 */
export class PackedStrings {
  private units: Uint8Array | Uint16Array = new Uint8Array(1 << 16);
  private ends = new Uint32Array(1 << 12);
  private used = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(text: string): void {
    const n = text.length;
    if (this.used + n > this.units.length) this.grow(this.used + n);
    let units = this.units;
    let at = this.used;
    for (let k = 0; k < n; k++) {
      const unit = text.charCodeAt(k);
      if (unit > 0xff && units instanceof Uint8Array) {
        units = Uint16Array.from(units);
        this.units = units;
      }
      units[at++] = unit;
    }
    if (at > 0xffffffff) throw new RangeError('packed strings beyond 4 G code units');
    this.used = at;
    if (this.count === this.ends.length) {
      const ends = new Uint32Array(this.ends.length * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    this.ends[this.count++] = at;
  }

  private grow(needed: number): void {
    let size = this.units.length * 2;
    while (size < needed) size *= 2;
    const units = this.units instanceof Uint8Array ? new Uint8Array(size) : new Uint16Array(size);
    units.set(this.units.subarray(0, this.used));
    this.units = units;
  }

  /** String i (for messages and tests). */
  get(i: number): string {
    const start = i === 0 ? 0 : (this.ends[i - 1] as number);
    return String.fromCharCode(...this.units.subarray(start, this.ends[i] as number));
  }

  /** -1, 0 or 1 as string i sorts before, equal to or after string j (code unit order). */
  compare(i: number, j: number): number {
    if (i === j) return 0;
    const units = this.units;
    let a = i === 0 ? 0 : (this.ends[i - 1] as number);
    let b = j === 0 ? 0 : (this.ends[j - 1] as number);
    const aEnd = this.ends[i] as number;
    const bEnd = this.ends[j] as number;
    for (; a < aEnd && b < bEnd; a++, b++) {
      const d = (units[a] as number) - (units[b] as number);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    const la = aEnd - a;
    const lb = bEnd - b;
    return la === lb ? 0 : la < lb ? -1 : 1;
  }
}
