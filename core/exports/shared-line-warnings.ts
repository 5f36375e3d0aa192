import { KeySketch, sharedLinesOf } from './key-sketch.ts';

/** A counted transactions export as its registry item has it. */
export interface SketchedExport {
  key: string;
  /** Its curated lines. */
  lines: number;
  /** KeySketch.toString(), as ingest recorded it. */
  sketch: string;
}

/**
 * Warnings for pairs of counted transactions exports that share order lines (order_id +
 * product_id): each shared line counts once in each, so its revenue is counted twice. The usual
 * cause is a revised export uploaded under a new name next to the old one (a new version under
 * the same name replaces the old, and byte-identical copies are warned about separately). Only
 * pairs whose samples share a line are compared, so many exports cost little more than a few.
 */
export function sharedLineWarnings(exports: readonly SketchedExport[]): string[] {
  const sketches = exports.map((item) => KeySketch.parse(item.sketch));
  const holders = new Map<number, number[]>();
  sketches.forEach((sketch, i) => {
    for (const value of sketch.sample()) holders.set(value, [...(holders.get(value) ?? []), i]);
  });
  const pairs = new Set<string>();
  for (const indices of holders.values())
    for (let x = 0; x < indices.length; x++)
      for (let y = x + 1; y < indices.length; y++) pairs.add(`${indices[x]},${indices[y]}`);
  const warnings: string[] = [];
  for (const pair of pairs) {
    const [i, j] = pair.split(',').map(Number) as [number, number];
    const [a, b] = [exports[i] as SketchedExport, exports[j] as SketchedExport];
    const shared = sharedLinesOf(sketches[i] as KeySketch, a.lines, sketches[j] as KeySketch, b.lines);
    if (shared === 0) continue;
    const [first, second] = [a, b].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)) as [
      SketchedExport,
      SketchedExport,
    ];
    const whole = (sketches[i] as KeySketch).isWhole() && (sketches[j] as KeySketch).isWhole();
    const share = Math.round((100 * shared) / Math.min(a.lines, b.lines));
    warnings.push(
      `${first.key} and ${second.key} share ${whole ? '' : 'about '}${shared.toLocaleString('en')} order lines (the same order_id and product_id; ${share}% of the smaller)${whole ? '' : ', estimated from a sample of each'}: both count, so where they are the same sales those are counted twice. If one replaces the other, delete the one that is out of date`,
    );
  }
  return warnings.sort();
}
