/**
 * A small, fixed-size sample of an export's order lines (order_id + product_id): the SKETCH_SIZE
 * smallest of their hashes (a bottom-k sketch). Two exports' sketches tell about how many lines
 * they share, without reading either again: a revised file uploaded under a new name next to the
 * old one counts every line twice, and only the exports' own registry items need to be compared.
 * Written by hand: it is forty lines over the hashes the duplicate check already computes, where a
 * sketch library would hash every line again.
 */
export class KeySketch {
  /** Ascending, distinct, each below 2^53. */
  private values: number[] = [];

  get size(): number {
    return this.values.length;
  }

  /** A line's hash as the duplicate check computes it (hashKeyBytes: two 32-bit words). */
  offer(high: number, low: number): void {
    const value = (high >>> 0) * 2 ** 21 + ((low >>> 0) >>> 11);
    const values = this.values;
    if (values.length === SKETCH_SIZE && value >= (values[SKETCH_SIZE - 1] as number)) return;
    const at = lowerBound(values, value);
    if (values[at] === value) return;
    values.splice(at, 0, value);
    if (values.length > SKETCH_SIZE) values.pop();
  }

  /** Base-36 values, comma-separated: about 1.4 KB in the export's registry item. */
  toString(): string {
    return this.values.map((value) => value.toString(36)).join(',');
  }

  static parse(text: string): KeySketch {
    const sketch = new KeySketch();
    if (text === '') return sketch;
    const values = text
      .split(',')
      .map((part) => (/^[0-9a-z]{1,11}$/.test(part) ? Number.parseInt(part, 36) : NaN));
    const ordered = values.every(
      (value, i) => Number.isSafeInteger(value) && (i === 0 || value > (values[i - 1] as number)),
    );
    if (!ordered || values.length > SKETCH_SIZE) throw new Error(`not a key sketch: ${text.slice(0, 40)}`);
    sketch.values = values;
    return sketch;
  }

  /** Whether the sketch holds every line of its export (it had fewer than SKETCH_SIZE). */
  isWhole(): boolean {
    return this.values.length < SKETCH_SIZE;
  }

  has(value: number): boolean {
    return this.values[lowerBound(this.values, value)] === value;
  }

  sample(): readonly number[] {
    return this.values;
  }
}

/** Lines sampled per export: a share of shared lines is estimated to within about 4 points. */
export const SKETCH_SIZE = 128;

/**
 * About how many lines two exports (`linesA`, `linesB` curated lines) share: exact while both
 * sketches hold every line; else from the SKETCH_SIZE smallest hashes of both together, the share
 * found in both estimating the Jaccard index J, and J (linesA + linesB) / (1 + J) the lines shared.
 */
export function sharedLinesOf(a: KeySketch, linesA: number, b: KeySketch, linesB: number): number {
  if (a.isWhole() && b.isWhole()) return a.sample().filter((value) => b.has(value)).length;
  const union = [...new Set([...a.sample(), ...b.sample()])].sort((x, y) => x - y).slice(0, SKETCH_SIZE);
  if (union.length === 0) return 0;
  const jaccard = union.filter((value) => a.has(value) && b.has(value)).length / union.length;
  return Math.min(Math.round((jaccard * (linesA + linesB)) / (1 + jaccard)), linesA, linesB);
}

/** The first position in the ascending `values` whose value is not below `value`. */
function lowerBound(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
