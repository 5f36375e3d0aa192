import { Money, roundMoney } from '../money.ts';
import type { LineCustomers } from '../profitability/customer-facts.ts';
import type { StoredFacts } from '../profitability/customer-store.ts';
import type { CustomerFacts } from '../profitability/types.ts';

export interface CustomerPrediction {
  /** Expected margin over the horizon, discounted; null when the spend model could not be fitted. */
  clv_predicted: Money | null;
  p_alive: number;
  expected_orders_next_year: number;
  /**
   * Expected revenue per future purchase day (per purchase period with BG/BB), Gamma-Gamma; null
   * without a fitted spend model.
   */
  expected_spend: Money | null;
}

export interface CustomerPredictionColumns {
  customerIds: readonly string[];
  clv: Float64Array;
  pAlive: Float64Array;
  expectedOrdersNextYear: Float64Array;
  p10: Float64Array | null;
  p90: Float64Array | null;
  /** Expected revenue per future purchase day; NaN where there is none, null without a spend model. */
  expectedSpend?: Float64Array | null;
}

/**
 * Per-customer predictions as parallel columns (entry i = customerIds[i]). The CLV is kept as the
 * double the model computed (NaN = none) and becomes Money only when read: six decimals of the
 * double, rounded to the cent once where it is published (customer_metrics, in the run's mode).
 */
export class CustomerPredictions {
  private index: Map<string, number> | null = null;
  /** Positions by fact number of the store's customers (see placeFacts); -1 for none. */
  private placed: { store: LineCustomers['store']; positions: Int32Array } | null = null;

  constructor(
    readonly customerIds: readonly string[],
    private readonly clv: Float64Array,
    readonly pAlive: Float64Array,
    readonly expectedOrdersNextYear: Float64Array,
    /** 80% interval of the predicted CLV (intervals.ts); NaN where there is none. */
    private readonly p10: Float64Array | null = null,
    private readonly p90: Float64Array | null = null,
    /** Expected revenue per future purchase day (Gamma-Gamma); NaN where there is none. */
    private readonly spend: Float64Array | null = null,
  ) {}

  /** The columns as plain data (to cross a thread; see portable-prediction.ts). */
  toColumns(): CustomerPredictionColumns {
    return {
      customerIds: this.customerIds,
      clv: this.clv,
      pAlive: this.pAlive,
      expectedOrdersNextYear: this.expectedOrdersNextYear,
      p10: this.p10,
      p90: this.p90,
      expectedSpend: this.spend,
    };
  }

  static fromColumns(c: CustomerPredictionColumns): CustomerPredictions {
    return new CustomerPredictions(
      c.customerIds,
      c.clv,
      c.pAlive,
      c.expectedOrdersNextYear,
      c.p10,
      c.p90,
      c.expectedSpend ?? null,
    );
  }

  static empty(): CustomerPredictions {
    return new CustomerPredictions([], new Float64Array(0), new Float64Array(0), new Float64Array(0));
  }

  get size(): number {
    return this.customerIds.length;
  }

  /** Position of a customer, -1 when the model has no prediction for them. */
  indexOf(customerId: string): number {
    if (this.index === null) {
      this.index = new Map();
      for (let i = 0; i < this.customerIds.length; i++) this.index.set(this.customerIds[i] as string, i);
    }
    return this.index.get(customerId) ?? -1;
  }

  /** Position of a customer's prediction, -1 when there is none (by fact number once placed). */
  positionOf(customer: CustomerFacts): number {
    const placed = this.placed;
    if (placed !== null && (customer as Partial<StoredFacts>).store === placed.store)
      return placed.positions[(customer as StoredFacts).index] as number;
    return this.indexOf(customer.customerId);
  }

  /**
   * Places the predictions by the facts of `store`'s customers, given the customers with lines in
   * the order the summaries were made in (the transaction pass's canonical order) and each one's
   * fact number: positionOf then reads an array, not an id map of every predicted customer (a
   * million entries took 1.4-1.5 s). Returns false, placing nothing, when the predicted customers
   * are not in that order (indexOf's map is used then).
   */
  placeFacts(ordered: LineCustomers): boolean {
    const { customerIds, facts, store } = ordered;
    const positions = new Int32Array(store.size).fill(-1);
    let at = 0;
    for (let i = 0; i < this.customerIds.length; i++) {
      const id = this.customerIds[i] as string;
      while (at < customerIds.length && customerIds[at] !== id) at++;
      if (at === customerIds.length) return false;
      positions[facts[at] as number] = i;
      at++;
    }
    this.placed = { store, positions };
    return true;
  }

  /**
   * The predicted CLV of entry i as money: the model's double to six decimals, not yet to the cent
   * (customer_metrics rounds it once, in the run's rounding mode; get() to the cent half-even).
   */
  clvPredicted(i: number): Money | null {
    return asMoney(this.clv[i] as number);
  }

  /** The 10th percentile of entry i's predicted CLV under parameter uncertainty (six decimals). */
  clvPredictedP10(i: number): Money | null {
    return this.p10 ? asMoney(this.p10[i] as number) : null;
  }

  /** The 90th percentile of entry i's predicted CLV under parameter uncertainty (six decimals). */
  clvPredictedP90(i: number): Money | null {
    return this.p90 ? asMoney(this.p90[i] as number) : null;
  }

  /** Entry i's expected revenue per future purchase day (six decimals); null without one. */
  expectedSpend(i: number): Money | null {
    return this.spend ? asMoney(this.spend[i] as number) : null;
  }

  /** Entry i, its money to the cent (half-even). */
  get(i: number): CustomerPrediction {
    return {
      clv_predicted: toCents(this.clvPredicted(i)),
      p_alive: this.pAlive[i] as number,
      expected_orders_next_year: this.expectedOrdersNextYear[i] as number,
      expected_spend: toCents(this.expectedSpend(i)),
    };
  }

  toMap(): Map<string, CustomerPrediction> {
    const map = new Map<string, CustomerPrediction>();
    for (let i = 0; i < this.customerIds.length; i++) map.set(this.customerIds[i] as string, this.get(i));
    return map;
  }
}

/**
 * A model double as money: six decimals of the double (the value rounded to the cent once, in
 * the run's mode, where it is published); null for NaN.
 */
function asMoney(value: number): Money | null {
  return Number.isNaN(value) ? null : new Money(value.toFixed(6));
}

function toCents(value: Money | null): Money | null {
  return value && roundMoney(value);
}
