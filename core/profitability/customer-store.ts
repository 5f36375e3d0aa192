import { centsOf, type Money, ZERO } from '../money.ts';
import type { IsoDate } from '../records.ts';
import { type CentsSum, moneyFromCents } from './cents.ts';
import type { FormulaClvOf } from './customer-clv.ts';
import type { CustomerFacts } from './types.ts';

/** The money fields of CustomerFacts kept as cents, in the order of their columns. */
export const MONEY_FIELDS = [
  'revenue',
  'cogs',
  'returns',
  'serviceCost',
  'acquisitionCost',
  'retentionCost',
  'profit',
] as const;
export type MoneyField = (typeof MONEY_FIELDS)[number];
export const REVENUE = 0;
export const COGS = 1;
export const RETURNS = 2;
export const SERVICE_COST = 3;
export const ACQUISITION_COST = 4;
export const RETENTION_COST = 5;
export const PROFIT = 6;
const FIELDS = MONEY_FIELDS.length;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The formula CLV fields, computed on demand (see CustomerStore.formulaClv). */
export interface FormulaClv {
  averageOrderValue: Money | null;
  ordersPerYear: Money;
  clvSimple: Money;
  clvDiscounted: Money;
  clvContinuous: Money;
  clvFormula: Money;
}

/**
 * Per-customer money as exact integer cents in one Float64Array (seven fields per customer), with
 * any value that is not a safe whole number of cents kept exactly as a Decimal on the side. A
 * Decimal costs about 250 bytes on the heap and a customer carried a dozen: at a million customers
 * that alone was gigabytes. Values become Money only when read.
 */
export class CustomerStore {
  private cents = new Float64Array(FIELDS * 1024);
  private readonly exact = new Map<number, Money>();
  private count = 0;
  /** Computes a customer's formula CLV fields (set once costs and profit are final). */
  formulaClv: FormulaClvOf | null = null;
  private memoCustomer: CustomerFacts | null = null;
  private memo: FormulaClv | null = null;

  /** Customers added so far (their indexes are 0 to size - 1). */
  get size(): number {
    return this.count;
  }

  /** A new customer (all amounts 0); returns its index. */
  add(): number {
    const index = this.count++;
    if (this.count * FIELDS > this.cents.length) {
      const grown = new Float64Array(this.cents.length * 2);
      grown.set(this.cents);
      this.cents = grown;
    }
    return index;
  }

  /** The amount in cents, NaN when it is held exactly as a Decimal (read it with get). */
  centsAt(index: number, field: number): number {
    return this.cents[index * FIELDS + field] as number;
  }

  get(index: number, field: number): Money {
    const slot = index * FIELDS + field;
    const cents = this.cents[slot] as number;
    return Number.isNaN(cents) ? (this.exact.get(slot) as Money) : moneyFromCents(cents);
  }

  set(index: number, field: number, value: Money): void {
    const slot = index * FIELDS + field;
    const cents = centsOf(value);
    this.cents[slot] = cents;
    if (Number.isNaN(cents)) this.exact.set(slot, value);
    else this.exact.delete(slot);
  }

  /** Sets an amount given in cents (exact when a safe integer, else through Money). */
  setCents(index: number, field: number, cents: number): void {
    if (Number.isSafeInteger(cents)) {
      const slot = index * FIELDS + field;
      this.cents[slot] = cents;
      this.exact.delete(slot);
    } else this.set(index, field, moneyFromCents(cents));
  }

  /** Adds cents to an amount, exactly: through Money whenever the sum would not be safe. */
  addCents(index: number, field: number, cents: number): void {
    const slot = index * FIELDS + field;
    const next = (this.cents[slot] as number) + cents;
    if (next <= MAX_SAFE && next >= -MAX_SAFE && Number.isInteger(cents)) this.cents[slot] = next;
    else this.set(index, field, this.get(index, field).plus(moneyFromCents(cents)));
  }

  /** The formula CLV fields of a customer; the last customer's are kept so a row reads them once. */
  clvOf(customer: CustomerFacts): FormulaClv | null {
    if (this.formulaClv === null) return null;
    if (this.memoCustomer !== customer) {
      this.memo = this.formulaClv(customer);
      this.memoCustomer = customer;
    }
    return this.memo;
  }
}

/**
 * CustomerFacts over a CustomerStore: the money fields read and write the store's cents, the formula
 * CLV fields are computed when read (unless assigned). Behaves like the plain object every module
 * and test uses; modules on hot paths also read `store` and `index` to work in cents directly.
 */
export class StoredFacts implements CustomerFacts {
  inCustomerExport = false;
  ownAcquisitionCost: Money | null = null;
  acquisitionChannel: string | null = null;
  segment: string | null = null;
  region: string | null = null;
  productBundle: string | null = null;
  referredBy: string | null = null;
  churnedOn: IsoDate | null = null;
  orders = 0;
  firstOrder: IsoDate | null = null;
  lastOrder: IsoDate | null = null;
  tenureDays = 0;
  churned = false;
  churnDate: IsoDate;
  satisfactionScore: Money | null = null;
  profitDecile = 0;
  profitTier: string | null = null;
  /** Formula CLV fields assigned explicitly (rare: the engine computes them on demand). */
  private assigned: Partial<FormulaClv> | null = null;

  constructor(
    readonly store: CustomerStore,
    readonly index: number,
    public customerId: string,
    public acquiredOn: IsoDate,
  ) {
    this.churnDate = acquiredOn;
  }

  get revenue(): Money {
    return this.store.get(this.index, REVENUE);
  }
  set revenue(value: Money) {
    this.store.set(this.index, REVENUE, value);
  }
  get cogs(): Money {
    return this.store.get(this.index, COGS);
  }
  set cogs(value: Money) {
    this.store.set(this.index, COGS, value);
  }
  get returns(): Money {
    return this.store.get(this.index, RETURNS);
  }
  set returns(value: Money) {
    this.store.set(this.index, RETURNS, value);
  }
  get serviceCost(): Money {
    return this.store.get(this.index, SERVICE_COST);
  }
  set serviceCost(value: Money) {
    this.store.set(this.index, SERVICE_COST, value);
  }
  get acquisitionCost(): Money {
    return this.store.get(this.index, ACQUISITION_COST);
  }
  set acquisitionCost(value: Money) {
    this.store.set(this.index, ACQUISITION_COST, value);
  }
  get retentionCost(): Money {
    return this.store.get(this.index, RETENTION_COST);
  }
  set retentionCost(value: Money) {
    this.store.set(this.index, RETENTION_COST, value);
  }
  get profit(): Money {
    return this.store.get(this.index, PROFIT);
  }
  set profit(value: Money) {
    this.store.set(this.index, PROFIT, value);
  }

  private clv<K extends keyof FormulaClv>(key: K, fallback: FormulaClv[K]): FormulaClv[K] {
    if (this.assigned !== null && key in this.assigned) return this.assigned[key] as FormulaClv[K];
    const computed = this.store.clvOf(this);
    return computed === null ? fallback : computed[key];
  }
  /** The formula CLV fields as the engine computes them; null when `key` was assigned or no formulas are set. */
  computedClv(key: keyof FormulaClv): FormulaClv | null {
    if (this.assigned !== null && key in this.assigned) return null;
    return this.store.clvOf(this);
  }
  private assign<K extends keyof FormulaClv>(key: K, value: FormulaClv[K]): void {
    this.assigned ??= {};
    this.assigned[key] = value;
  }
  get averageOrderValue(): Money | null {
    return this.clv('averageOrderValue', null);
  }
  set averageOrderValue(value: Money | null) {
    this.assign('averageOrderValue', value);
  }
  get ordersPerYear(): Money {
    return this.clv('ordersPerYear', ZERO);
  }
  set ordersPerYear(value: Money) {
    this.assign('ordersPerYear', value);
  }
  get clvSimple(): Money {
    return this.clv('clvSimple', ZERO);
  }
  set clvSimple(value: Money) {
    this.assign('clvSimple', value);
  }
  get clvDiscounted(): Money {
    return this.clv('clvDiscounted', ZERO);
  }
  set clvDiscounted(value: Money) {
    this.assign('clvDiscounted', value);
  }
  get clvContinuous(): Money {
    return this.clv('clvContinuous', ZERO);
  }
  set clvContinuous(value: Money) {
    this.assign('clvContinuous', value);
  }
  get clvFormula(): Money {
    return this.clv('clvFormula', ZERO);
  }
  set clvFormula(value: Money) {
    this.assign('clvFormula', value);
  }
}

/** The store and index of facts kept in a CustomerStore, else null (plain objects from tests). */
export function storedOf(customer: CustomerFacts): StoredFacts | null {
  return customer instanceof StoredFacts ? customer : null;
}

/** Adds a money field of a customer to a running sum: in cents when the facts are stored. */
export function addField(sum: CentsSum, customer: CustomerFacts, field: number): void {
  if (customer instanceof StoredFacts) {
    const cents = customer.store.centsAt(customer.index, field);
    if (!Number.isNaN(cents)) {
      sum.addCents(cents);
      return;
    }
  }
  sum.add(customer[MONEY_FIELDS[field] as MoneyField]);
}

/**
 * A money field as cents when the facts are stored and it is whole cents; NaN otherwise (then
 * read the Money field).
 */
export function fieldCents(customer: CustomerFacts, field: number): number {
  return customer instanceof StoredFacts ? customer.store.centsAt(customer.index, field) : Number.NaN;
}

/** Adds cents (a safe integer) to a money field, exactly. */
export function addFieldCents(customer: CustomerFacts, field: number, cents: number): void {
  if (customer instanceof StoredFacts) customer.store.addCents(customer.index, field, cents);
  else {
    const name = MONEY_FIELDS[field] as MoneyField;
    customer[name] = customer[name].plus(moneyFromCents(cents));
  }
}

/** Adds an amount to a money field, exactly: in cents when it is whole cents and the facts are stored. */
export function addFieldMoney(customer: CustomerFacts, field: number, value: Money): void {
  const cents = customer instanceof StoredFacts ? centsOf(value) : Number.NaN;
  if (!Number.isNaN(cents)) addFieldCents(customer, field, cents);
  else {
    const name = MONEY_FIELDS[field] as MoneyField;
    customer[name] = customer[name].plus(value);
  }
}
