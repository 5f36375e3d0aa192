/**
 * Numbers for distinct tuples of two or three numbers, in order of first sight: the (x, t_x, T)
 * cells and (x, m) pairs that a million customers collapse to. Tuples are equal as Map keys are
 * (SameValueZero: 0 and -0 alike, NaN alike), as the nested Maps and `${x}|${tx}|${T}` texts this
 * replaces matched them. An open-addressing table over typed arrays: nested Maps keyed by
 * non-integer doubles cost a boxed number and a Map entry per distinct value, about a second per
 * million customers in each of the places that group them.
 */
export class TupleIndex {
  /** Tuple n's canonical values at [n * 3, n * 3 + 3) (a pair's third is 0). */
  private values: Float64Array;
  /** Tuple number + 1 per slot; 0 = empty. Capacity a power of two, at most half full (values: one more). */
  private slots: Int32Array;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.values = new Float64Array((capacity / 2 + 1) * 3);
  }

  /** Distinct tuples seen so far (numbered 0 to size - 1). */
  get size(): number {
    return this.count;
  }

  /**
   * The tuple's number; a new tuple gets the next one (size grows by one). Pairs pass c = 0.
   */
  numberOf(a: number, b: number, c: number): number {
    // -0 -> 0 and any NaN -> the one NaN, so equal keys have equal bits.
    const ka = a === 0 ? 0 : Number.isNaN(a) ? Number.NaN : a;
    const kb = b === 0 ? 0 : Number.isNaN(b) ? Number.NaN : b;
    const kc = c === 0 ? 0 : Number.isNaN(c) ? Number.NaN : c;
    const mask = this.slots.length - 1;
    let slot = hash(ka, kb, kc) & mask;
    const { slots, values } = this;
    for (;;) {
      const entry = slots[slot] as number;
      if (entry === 0) break;
      const at = (entry - 1) * 3;
      if (
        same(values[at] as number, ka) &&
        same(values[at + 1] as number, kb) &&
        same(values[at + 2] as number, kc)
      )
        return entry - 1;
      slot = (slot + 1) & mask;
    }
    const number = this.count++;
    slots[slot] = number + 1;
    const at = number * 3;
    values[at] = ka;
    values[at + 1] = kb;
    values[at + 2] = kc;
    if (this.count * 2 > slots.length) this.grow();
    return number;
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    const values = new Float64Array((capacity / 2 + 1) * 3);
    values.set(this.values.subarray(0, this.count * 3));
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let n = 0; n < this.count; n++) {
      let slot =
        hash(values[n * 3] as number, values[n * 3 + 1] as number, values[n * 3 + 2] as number) & mask;
      while ((slots[slot] as number) !== 0) slot = (slot + 1) & mask;
      slots[slot] = n + 1;
    }
    this.values = values;
    this.slots = slots;
  }
}

function same(stored: number, key: number): boolean {
  return stored === key || (Number.isNaN(stored) && Number.isNaN(key));
}

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);

/** A 32-bit mix of the three doubles' bits (murmur3-style rounds). */
function hash(a: number, b: number, c: number): number {
  let h = 0x2545f491;
  scratch[0] = a;
  h = mix(h, words[0] as number);
  h = mix(h, words[1] as number);
  scratch[0] = b;
  h = mix(h, words[0] as number);
  h = mix(h, words[1] as number);
  scratch[0] = c;
  h = mix(h, words[0] as number);
  h = mix(h, words[1] as number);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  const next = h ^ k;
  return Math.imul((next << 13) | (next >>> 19), 5) + 0xe6546b64;
}
