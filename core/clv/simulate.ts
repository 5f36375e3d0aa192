import { money } from '../money.ts';
import type { IsoDate, TransactionRecord } from '../records.ts';
import type { BgnbdParameters } from './bgnbd-likelihood.ts';
import { addDays } from './dates.ts';
import type { GammaGammaParameters } from './gamma-gamma.ts';
import type { ParetoNbdParameters } from './pareto-nbd-likelihood.ts';
import { SeededRandom } from './random.ts';
import type { RfmArrays } from './rfm-types.ts';

/**
 * Seeded simulators of the models' own generative processes, for recovery tests and the
 * benchmark: data drawn from known parameters must be fitted back to them.
 */
export interface SimulationOptions {
  customers: number;
  seed: number;
  /** Ages T are spread uniformly over [minAge, maxAge] (time units). */
  minAge: number;
  maxAge: number;
  /**
   * Days per time unit. When set, purchase times are truncated to whole days and same-day
   * purchases merged, as in real exports (which also makes identical rows collapse).
   */
  daysPerUnit?: number;
  /** Length of a holdout period after T (time units) whose repeat purchases are counted. */
  holdout?: number;
}

export interface SimulatedCustomers extends RfmArrays {
  holdoutPurchases: Float64Array;
}

/** One customer's life: the next purchase time after `t` while alive, or null once dead. */
type Lifetime = (random: SeededRandom) => { nextPurchase: (t: number) => number | null };

export function simulateBgnbd(p: BgnbdParameters, options: SimulationOptions): SimulatedCustomers {
  return simulate(options, (random) => {
    const lambda = random.gamma(p.r, p.alpha);
    const dropout = random.beta(p.a, p.b);
    let alive = true;
    return {
      nextPurchase: (t) => {
        if (!alive) return null;
        const next = t + random.exponential(lambda);
        // After every repeat purchase the customer may become inactive (FHL 2005).
        if (random.uniform() < dropout) alive = false;
        return next;
      },
    };
  });
}

export function simulateParetoNbd(p: ParetoNbdParameters, options: SimulationOptions): SimulatedCustomers {
  return simulate(options, (random) => {
    const lambda = random.gamma(p.r, p.alpha);
    const death = random.exponential(random.gamma(p.s, p.beta));
    return {
      nextPurchase: (t) => {
        const next = t + random.exponential(lambda);
        return next < death ? next : null;
      },
    };
  });
}

function simulate(options: SimulationOptions, lifetime: Lifetime): SimulatedCustomers {
  const random = new SeededRandom(options.seed);
  const n = options.customers;
  const frequency = new Float64Array(n);
  const recency = new Float64Array(n);
  const age = new Float64Array(n);
  const holdoutPurchases = new Float64Array(n);
  const dpu = options.daysPerUnit;
  const holdout = options.holdout ?? 0;
  for (let i = 0; i < n; i++) {
    let T = options.minAge + (options.maxAge - options.minAge) * random.uniform();
    if (dpu) T = Math.floor(T * dpu) / dpu;
    const life = lifetime(random);
    let x = 0;
    let tx = 0;
    let lastDay = 0;
    let inHoldout = 0;
    let lastHoldoutDay = -1;
    for (let t = life.nextPurchase(0); t !== null; t = life.nextPurchase(t)) {
      const time = dpu ? Math.floor(t * dpu) / dpu : t;
      if (time <= T) {
        if (dpu && time === lastDay) continue;
        x++;
        tx = time;
        lastDay = time;
      } else if (time <= T + holdout) {
        if (dpu && time === lastHoldoutDay) continue;
        inHoldout++;
        lastHoldoutDay = time;
      } else break;
    }
    frequency[i] = x;
    recency[i] = tx;
    age[i] = T;
    holdoutPurchases[i] = inHoldout;
  }
  return { frequency, recency, age, holdoutPurchases };
}

/**
 * Gamma-Gamma spend: each customer's mean-spend scale ν ~ Gamma(q, γ), each purchase value
 * ~ Gamma(p, ν); returns the average over the customer's x repeat purchases (0 when x = 0).
 * `roundToCents` rounds each purchase, as money is in an export.
 */
export function simulateGammaGammaSpend(
  p: GammaGammaParameters,
  frequency: Float64Array,
  seed: number,
  roundToCents = false,
): Float64Array {
  const random = new SeededRandom(seed);
  const monetary = new Float64Array(frequency.length);
  for (let i = 0; i < frequency.length; i++) {
    const x = frequency[i]!;
    if (x === 0) continue;
    const nu = random.gamma(p.q, p.gamma);
    let total = 0;
    for (let k = 0; k < x; k++) {
      const value = random.gamma(p.p, nu);
      total += roundToCents ? Math.max(0.01, Math.round(value * 100) / 100) : value;
    }
    monetary[i] = total / x;
  }
  return monetary;
}

export interface TransactionSimulationOptions {
  customers: number;
  seed: number;
  /** Customers are acquired uniformly over `acquisitionDays` days starting at `start`. */
  start: IsoDate;
  acquisitionDays: number;
  /** Days observed after `start` (as_of = start + observedDays). */
  observedDays: number;
  /** Product cost as a share of revenue. */
  costShare: number;
}

/** Whole transaction exports (BG/NBD purchases in weeks, Gamma-Gamma values) for end-to-end tests. */
export function simulateTransactions(
  purchases: BgnbdParameters,
  spend: GammaGammaParameters,
  options: TransactionSimulationOptions,
): TransactionRecord[] {
  const random = new SeededRandom(options.seed);
  const records: TransactionRecord[] = [];
  for (let c = 0; c < options.customers; c++) {
    const customerId = `C${String(c + 1).padStart(6, '0')}`;
    const birthDay = Math.floor(random.uniform() * options.acquisitionDays);
    const lambda = random.gamma(purchases.r, purchases.alpha) / 7; // per day
    const dropout = random.beta(purchases.a, purchases.b);
    const nu = random.gamma(spend.q, spend.gamma);
    let day = birthDay;
    let orderNumber = 0;
    let t = birthDay;
    for (;;) {
      const revenue = Math.max(0.01, Math.round(random.gamma(spend.p, nu) * 100) / 100);
      orderNumber++;
      records.push({
        order_id: `${customerId}-${orderNumber}`,
        customer_id: customerId,
        order_date: addDays(options.start, day),
        revenue: money(revenue.toFixed(2)),
        cost: money((revenue * options.costShare).toFixed(2)),
        returned_amount: money(0),
        quantity: 1,
        product_id: null,
        product_category: null,
        channel: null,
        rep_id: null,
        team: null,
      });
      if (orderNumber > 1 && random.uniform() < dropout) break;
      t += random.exponential(lambda);
      day = Math.floor(t);
      if (day > options.observedDays) break;
    }
  }
  return records;
}
