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
  const overlaps = overlappingPairs(exports, sketches);
  // Exports linked by shared lines form one group, one warning each: month-to-date files uploaded
  // daily all share lines, and a warning per pair was 435 for a month of them.
  const groupOf = exports.map((_, i) => i);
  const root = (i: number): number => {
    while (groupOf[i] !== i) i = groupOf[i] = groupOf[groupOf[i] as number] as number;
    return i;
  };
  for (const { i, j } of overlaps) groupOf[root(i)] = root(j);
  const groups = new Map<number, Overlap[]>();
  for (const overlap of overlaps) {
    const group = root(overlap.i);
    groups.set(group, [...(groups.get(group) ?? []), overlap]);
  }
  const warnings = [...groups.values()].map((pairs) => groupWarning(exports, sketches, pairs)).sort();
  if (warnings.length <= MAX_WARNINGS) return warnings;
  return [
    ...warnings.slice(0, MAX_WARNINGS),
    `${warnings.length - MAX_WARNINGS} more groups of transactions exports share order lines (not listed)`,
  ];
}

/** Groups of overlapping exports named at most; past it one line counts the rest. */
const MAX_WARNINGS = 20;
/** Exports of a group named in its warning at most. */
const MAX_NAMED = 5;

interface Overlap {
  i: number;
  j: number;
  shared: number;
}

/** The pairs of exports whose samples share a line and which share lines by the estimate. */
function overlappingPairs(exports: readonly SketchedExport[], sketches: readonly KeySketch[]): Overlap[] {
  const holders = new Map<number, number[]>();
  sketches.forEach((sketch, i) => {
    for (const value of sketch.sample()) holders.set(value, [...(holders.get(value) ?? []), i]);
  });
  const pairs = new Set<string>();
  for (const indices of holders.values())
    for (let x = 0; x < indices.length; x++)
      for (let y = x + 1; y < indices.length; y++) pairs.add(`${indices[x]},${indices[y]}`);
  const overlaps: Overlap[] = [];
  for (const pair of pairs) {
    const [i, j] = pair.split(',').map(Number) as [number, number];
    const [a, b] = [exports[i] as SketchedExport, exports[j] as SketchedExport];
    const shared = sharedLinesOf(sketches[i] as KeySketch, a.lines, sketches[j] as KeySketch, b.lines);
    if (shared > 0) overlaps.push({ i, j, shared });
  }
  return overlaps;
}

const byKey = (x: SketchedExport, y: SketchedExport) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);

function groupWarning(
  exports: readonly SketchedExport[],
  sketches: readonly KeySketch[],
  pairs: readonly Overlap[],
): string {
  const largest = pairs.reduce((best, pair) => (pair.shared > best.shared ? pair : best));
  const [a, b] = [exports[largest.i] as SketchedExport, exports[largest.j] as SketchedExport];
  const [first, second] = [a, b].sort(byKey) as [SketchedExport, SketchedExport];
  const whole = (sketches[largest.i] as KeySketch).isWhole() && (sketches[largest.j] as KeySketch).isWhole();
  const share = Math.round((100 * largest.shared) / Math.min(a.lines, b.lines));
  const lines = `${whole ? '' : 'about '}${largest.shared.toLocaleString('en')} order lines (the same order_id and product_id; ${share}% of the smaller)${whole ? '' : ', estimated from a sample of each'}`;
  const members = [...new Set(pairs.flatMap(({ i, j }) => [i, j]))].map((i) => exports[i] as SketchedExport);
  if (members.length === 2)
    return `${first.key} and ${second.key} share ${lines}: both count, so where they are the same sales those are counted twice. If one replaces the other, delete the one that is out of date`;
  const named = members
    .sort(byKey)
    .slice(0, MAX_NAMED)
    .map((item) => item.key);
  const more = members.length > MAX_NAMED ? ` and ${members.length - MAX_NAMED} more` : '';
  return `${members.length} transactions exports share order lines with one another (${named.join(', ')}${more}), most ${first.key} and ${second.key}, ${lines}: all count, so where they are the same sales those are counted more than once. Files that each hold the period so far (month to date) replace one another: keep only the latest`;
}
