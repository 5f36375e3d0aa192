import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WeightedRfm } from '../../../core/clv/rfm-types.ts';

/** Fixtures under test/fixtures/clv/ (sources in SOURCES.md there). */
function csvRows(name: string): number[][] {
  const path = fileURLToPath(new URL(`../../fixtures/clv/${name}`, import.meta.url));
  const [, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  return lines.map((line) => line.split(',').map(Number));
}

/** CDNOW 1/10th sample, 2,357 customers, 39-week calibration, times in weeks (FHL 2005). */
export function cdnowSummary(): WeightedRfm {
  const rows = csvRows('cdnow_customers_summary.csv');
  return {
    frequency: Float64Array.from(rows, (r) => r[1]!),
    recency: Float64Array.from(rows, (r) => r[2]!),
    age: Float64Array.from(rows, (r) => r[3]!),
    weight: new Float64Array(rows.length).fill(1),
  };
}

/** Fader, Hardie & Shang (2010) donors: 11,104 people, 6 yearly opportunities (x, t_x, n, count). */
export function donations(): { frequency: number; recency: number; periods: number; weight: number }[] {
  return csvRows('donations.csv').map(([frequency, recency, periods, weight]) => ({
    frequency: frequency!,
    recency: recency!,
    periods: periods!,
    weight: weight!,
  }));
}
