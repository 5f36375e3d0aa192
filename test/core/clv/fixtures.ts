import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WeightedRfm } from '../../../core/clv/rfm-types.ts';
import { money } from '../../../core/money.ts';
import type { TransactionRecord } from '../../../core/records.ts';

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

export const gift = (customer: string, date: string, revenue = 50): TransactionRecord => ({
  order_id: `${customer}-${date}`,
  customer_id: customer,
  order_date: date,
  revenue: money(revenue),
  cost: money(0),
  returned_amount: money(0),
  quantity: null,
  product_id: null,
  product_category: null,
  channel: null,
  rep_id: null,
  team: null,
});

/**
 * The donor table turned back into a gift log: each donor first gave in 1995 (in a month that
 * varies with the donor, to show the calendar year is the opportunity), gave in year 1995 + t_x
 * and in the x - 1 years before it, some twice in a year (one opportunity either way).
 */
export function donorLog(): TransactionRecord[] {
  const log: TransactionRecord[] = [];
  let id = 0;
  for (const row of donations()) {
    for (let k = 0; k < row.weight; k++) {
      const donor = `D${id++}`;
      const month = String((id % 12) + 1).padStart(2, '0');
      log.push(gift(donor, `1995-${month}-15`));
      for (let j = 0; j < row.frequency; j++) {
        const year = 1995 + row.recency - j;
        log.push(gift(donor, `${year}-03-01`));
        if (id % 7 === 0) log.push(gift(donor, `${year}-11-30`, 20));
      }
    }
  }
  return log;
}
