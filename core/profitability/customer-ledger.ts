import type { Money, RoundingMode } from '../money.ts';
import type { IsoDate } from '../records.ts';
import type { PeriodGrain } from './calendar.ts';
import { type FormulaClvSettings, formulaClvOf } from './customer-clv.ts';
import type { PredictedColumns } from './customer-metrics.ts';
import { CustomerStore, MONEY_FIELDS, StoredFacts, storedOf } from './customer-store.ts';
import type { CustomerFacts } from './types.ts';

const FIELDS = MONEY_FIELDS.length;

/**
 * Everything the customer_metrics rows of a group of customers are made from, as plain data
 * (arrays, typed arrays, Maps, Decimals): each customer's final facts as the store holds them,
 * the inputs of their formula CLVs (referrals' net revenue, lifespan) and their predictive and
 * contractual values. A scaled-out run's combine step writes one per bucket, so each bucket's
 * function makes, encodes and writes its own rows (the formula CLVs in 40-digit Decimals and the
 * rows were half of the combine step's time) and they come out exactly as the run would have
 * made them in one function. Entry i of every per-customer array is customer i, in row order.
 */
export interface CustomerLedger {
  cohortGrain: PeriodGrain;
  rounding: RoundingMode;
  /** The run's formula CLV settings; null for a ledger of no customers. */
  formula: FormulaClvSettings | null;
  customerIds: string[];
  acquiredOn: IsoDate[];
  segment: (string | null)[];
  acquisitionChannel: (string | null)[];
  region: (string | null)[];
  firstOrder: (IsoDate | null)[];
  lastOrder: (IsoDate | null)[];
  profitTier: (string | null)[];
  orders: Float64Array;
  tenureDays: Float64Array;
  /** 1 churned, 0 not. */
  churned: Int32Array;
  profitDecile: Int32Array;
  satisfactionScore: (Money | null)[];
  /** The money facts as the store keeps them: cents, seven a customer (MONEY_FIELDS), NaN = exact. */
  cents: Float64Array;
  /** The amounts that are not a safe whole number of cents, by slot of `cents`. */
  exact: Map<number, Money>;
  /** Net revenue of the customers each one referred, by customer; absent = none. */
  referred: Map<number, Money>;
  /** The distinct lifespans (years) of the formula CLVs, and each customer's among them. */
  lifespans: Money[];
  lifespanOf: Int32Array;
  /** The model's values, where it predicted the customer (predicted[i] 1); null: no model ran. */
  prediction: LedgerPrediction | null;
  /** Contractual CLV (sBG DERL) by customer; absent = no active subscription. */
  contractual: Map<number, Money>;
}

export interface LedgerPrediction {
  predicted: Int32Array;
  clvPredicted: (Money | null)[];
  clvPredictedP10: (Money | null)[];
  clvPredictedP90: (Money | null)[];
  pAlive: Float64Array;
  expectedOrdersNextYear: Float64Array;
  expectedSpend: (Money | null)[];
}

/** The ledger of `customers` (stored facts with their formula CLVs set, as computeProfitability makes them). */
export function customerLedger(
  customers: readonly CustomerFacts[],
  cohortGrain: PeriodGrain,
  rounding: RoundingMode,
  predicted: PredictedColumns | null,
  contractual: ReadonlyMap<string, Money> | null,
): CustomerLedger {
  const count = customers.length;
  const stores = customers.map((customer) => {
    const stored = storedOf(customer);
    if (stored === null || stored.store.formulaClv === null)
      throw new Error('a customer ledger is made of stored facts with their formula CLVs set');
    return stored;
  });
  const inputs = stores[0]?.store.formulaClv?.inputs;
  const ledger: CustomerLedger = {
    cohortGrain,
    rounding,
    formula: inputs
      ? {
          discountRate: inputs.config.discountRate,
          minimumObservationDays: inputs.config.minimumObservationDays,
          clvFormula: inputs.config.clvFormula,
        }
      : null,
    customerIds: [],
    acquiredOn: [],
    segment: [],
    acquisitionChannel: [],
    region: [],
    firstOrder: [],
    lastOrder: [],
    profitTier: [],
    orders: new Float64Array(count),
    tenureDays: new Float64Array(count),
    churned: new Int32Array(count),
    profitDecile: new Int32Array(count),
    satisfactionScore: [],
    cents: new Float64Array(count * FIELDS),
    exact: new Map(),
    referred: new Map(),
    lifespans: [],
    lifespanOf: new Int32Array(count),
    prediction: predicted && {
      predicted: new Int32Array(count),
      clvPredicted: [],
      clvPredictedP10: [],
      clvPredictedP90: [],
      pAlive: new Float64Array(count),
      expectedOrdersNextYear: new Float64Array(count),
      expectedSpend: [],
    },
    contractual: new Map(),
  };
  const lifespanAt = new Map<Money, number>();
  for (const [i, customer] of stores.entries()) {
    if (customer.store.formulaClv?.inputs !== inputs)
      throw new Error("a customer ledger's customers share one run's formula CLV inputs");
    ledger.customerIds.push(customer.customerId);
    ledger.acquiredOn.push(customer.acquiredOn);
    ledger.segment.push(customer.segment);
    ledger.acquisitionChannel.push(customer.acquisitionChannel);
    ledger.region.push(customer.region);
    ledger.firstOrder.push(customer.firstOrder);
    ledger.lastOrder.push(customer.lastOrder);
    ledger.profitTier.push(customer.profitTier);
    ledger.orders[i] = customer.orders;
    ledger.tenureDays[i] = customer.tenureDays;
    ledger.churned[i] = customer.churned ? 1 : 0;
    ledger.profitDecile[i] = customer.profitDecile;
    ledger.satisfactionScore.push(customer.satisfactionScore);
    for (let field = 0; field < FIELDS; field++) {
      const cents = customer.store.centsAt(customer.index, field);
      ledger.cents[i * FIELDS + field] = cents;
      if (Number.isNaN(cents))
        ledger.exact.set(i * FIELDS + field, customer.store.get(customer.index, field));
    }
    const formula = inputs as NonNullable<typeof inputs>;
    const referred = formula.referred.get(customer);
    if (referred !== undefined) ledger.referred.set(i, referred);
    // By the Decimal itself: lifespanOf hands every customer of a cohort (or every customer, when
    // fixed) the same one, and its text per customer would cost a Decimal print each.
    const lifespan = formula.lifespanOf(customer);
    let at = lifespanAt.get(lifespan);
    if (at === undefined) {
      at = ledger.lifespans.push(lifespan) - 1;
      lifespanAt.set(lifespan, at);
    }
    ledger.lifespanOf[i] = at;
    const prediction = ledger.prediction;
    if (predicted && prediction) {
      const index = predicted.positionOf(customer);
      prediction.predicted[i] = index >= 0 ? 1 : 0;
      prediction.clvPredicted.push(index >= 0 ? predicted.clvPredicted(index) : null);
      prediction.clvPredictedP10.push(index >= 0 ? (predicted.clvPredictedP10?.(index) ?? null) : null);
      prediction.clvPredictedP90.push(index >= 0 ? (predicted.clvPredictedP90?.(index) ?? null) : null);
      prediction.pAlive[i] = index >= 0 ? (predicted.pAlive[index] as number) : Number.NaN;
      prediction.expectedOrdersNextYear[i] =
        index >= 0 ? (predicted.expectedOrdersNextYear[index] as number) : Number.NaN;
      prediction.expectedSpend.push(index >= 0 ? (predicted.expectedSpend?.(index) ?? null) : null);
    }
    const value = contractual?.get(customer.customerId);
    if (value !== undefined) ledger.contractual.set(i, value);
  }
  return ledger;
}

/** The ledger's customers as stored facts, their formula CLVs set, with what their rows read besides. */
export function ledgerCustomers(ledger: CustomerLedger): {
  customers: StoredFacts[];
  predicted: PredictedColumns | null;
  contractual: Map<string, Money>;
} {
  const store = new CustomerStore();
  const customers: StoredFacts[] = [];
  const referred = new Map<CustomerFacts, Money>();
  const contractual = new Map<string, Money>();
  for (const [i, customerId] of ledger.customerIds.entries()) {
    const customer = new StoredFacts(store, store.add(), customerId, ledger.acquiredOn[i] as IsoDate);
    customer.segment = ledger.segment[i] ?? null;
    customer.acquisitionChannel = ledger.acquisitionChannel[i] ?? null;
    customer.region = ledger.region[i] ?? null;
    customer.firstOrder = ledger.firstOrder[i] ?? null;
    customer.lastOrder = ledger.lastOrder[i] ?? null;
    customer.profitTier = ledger.profitTier[i] ?? null;
    customer.orders = ledger.orders[i] as number;
    customer.tenureDays = ledger.tenureDays[i] as number;
    customer.churned = ledger.churned[i] === 1;
    customer.profitDecile = ledger.profitDecile[i] as number;
    customer.satisfactionScore = ledger.satisfactionScore[i] ?? null;
    for (let field = 0; field < FIELDS; field++) {
      const slot = i * FIELDS + field;
      const cents = ledger.cents[slot] as number;
      if (Number.isNaN(cents)) store.set(customer.index, field, ledger.exact.get(slot) as Money);
      else store.setCents(customer.index, field, cents);
    }
    const value = ledger.referred.get(i);
    if (value !== undefined) referred.set(customer, value);
    const contract = ledger.contractual.get(i);
    if (contract !== undefined) contractual.set(customerId, contract);
    customers.push(customer);
  }
  if (ledger.formula !== null)
    store.formulaClv = formulaClvOf(
      referred,
      (customer) => ledger.lifespans[ledger.lifespanOf[(customer as StoredFacts).index] as number] as Money,
      ledger.formula,
    );
  else if (customers.length > 0) throw new Error('a customer ledger with customers has formula settings');
  return { customers, predicted: ledger.prediction && ledgerPredictions(ledger, store), contractual };
}

/**
 * The ledger's predictions, looked up as customer_metrics' rows look them up: the ledger's own
 * customers by their place (fact number = ledger entry), anyone else by id.
 */
function ledgerPredictions(ledger: CustomerLedger, store: CustomerStore): PredictedColumns {
  const prediction = ledger.prediction as LedgerPrediction;
  let index: Map<string, number> | null = null;
  const byId = (customerId: string): number => {
    if (index === null) {
      index = new Map();
      for (const [i, id] of ledger.customerIds.entries()) if (prediction.predicted[i] === 1) index.set(id, i);
    }
    return index.get(customerId) ?? -1;
  };
  return {
    positionOf: (customer) => {
      if ((customer as Partial<StoredFacts>).store !== store) return byId(customer.customerId);
      const i = (customer as StoredFacts).index;
      return prediction.predicted[i] === 1 ? i : -1;
    },
    clvPredicted: (i) => prediction.clvPredicted[i] ?? null,
    clvPredictedP10: (i) => prediction.clvPredictedP10[i] ?? null,
    clvPredictedP90: (i) => prediction.clvPredictedP90[i] ?? null,
    pAlive: prediction.pAlive,
    expectedOrdersNextYear: prediction.expectedOrdersNextYear,
    // A ledger written before the column was added has none.
    expectedSpend: (i) => prediction.expectedSpend?.[i] ?? null,
  };
}
