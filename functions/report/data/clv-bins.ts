/**
 * Bins for CLV histograms: CLV is heavily right-skewed, so equal-width bins put nearly every customer
 * in the first bar. Edges follow the 1-2-5 ladder (100, 200, 500, 1000, ...) from the lowest rung
 * below the 5th percentile up past the maximum, with one bin for negative values when there are any.
 */
export interface ClvBin {
  /** Lower bound, inclusive; null for the open "below zero" bin. */
  from: number | null;
  /** Upper bound, exclusive. */
  to: number;
}

const LADDER = [1, 2, 5];

function rung(index: number): number {
  return LADDER[((index % 3) + 3) % 3]! * 10 ** Math.floor(index / 3);
}

/** The largest 1-2-5 value not above `value` (value > 0). */
function rungIndexBelow(value: number): number {
  let i = Math.floor(Math.log10(value)) * 3;
  while (rung(i + 1) <= value) i++;
  while (rung(i) > value) i--;
  return i;
}

export function clvBins(min: number, lowQuantile: number, max: number, maxBins = 16): ClvBin[] {
  const bins: ClvBin[] = [];
  if (min < 0) bins.push({ from: null, to: 0 });
  if (max < 0) return bins;
  const top = Math.max(max, 1);
  let start = rungIndexBelow(Math.max(lowQuantile, 1));
  // Keep the bar count readable: start higher when the range spans many decades.
  while (rungIndexBelow(top) - start + 2 > maxBins) start++;
  bins.push({ from: 0, to: rung(start) });
  let i = start;
  while (rung(i) <= max) {
    bins.push({ from: rung(i), to: rung(i + 1) });
    i++;
  }
  return bins;
}

/** A SQL CASE expression giving the bin index of `column` (bins as returned by clvBins). */
export function binCaseSql(column: string, bins: ClvBin[]): string {
  const whens = bins.map((bin, index) => `WHEN ${column} < ${bin.to} THEN ${index}`);
  return `CASE ${whens.join(' ')} ELSE ${Math.max(bins.length - 1, 0)} END`;
}
