import { Money, ZERO } from '../money.ts';
import { DAYS_PER_YEAR } from './calendar.ts';
import { CentsSum } from './cents.ts';
import { annuityFactor, continuousValue, simpleClv, yearlyProfitFromMonthly } from './clv-formulas.ts';
import type { ClvFormulaKind, ProfitabilityConfig } from './config.ts';
import {
  ACQUISITION_COST,
  type FormulaClv,
  fieldCents,
  PROFIT,
  RETURNS,
  REVENUE,
  storedOf,
} from './customer-store.ts';
import type { CustomerFacts, Warnings } from './types.ts';

const DAYS_PER_MONTH = DAYS_PER_YEAR / 12;
/** Days a month in ten-thousandths (30.4375 -> 304375): a whole number, so cents x it is exact. */
const MONTH_SCALE = 10_000;
const DAYS_PER_MONTH_SCALED = DAYS_PER_MONTH * MONTH_SCALE;
const DAYS_PER_MONTH_SCALED_EXACTLY =
  Number.isSafeInteger(DAYS_PER_MONTH_SCALED) &&
  new Money(DAYS_PER_MONTH).times(MONTH_SCALE).eq(DAYS_PER_MONTH_SCALED);

/** Net revenue (revenue - returns) each referrer brought in through the customers they referred. */
export function referredNetRevenue(
  customers: readonly CustomerFacts[],
  customersById: ReadonlyMap<string, CustomerFacts>,
  warnings: Warnings,
): Map<CustomerFacts, Money> {
  // Exact sums in cents while whole cents (CentsSum equals the Decimal sum of the same amounts).
  const sums = new Map<CustomerFacts, CentsSum>();
  for (const customer of customers) {
    if (customer.referredBy === null || customer.referredBy === customer.customerId) continue;
    const referrer = customersById.get(customer.referredBy);
    if (!referrer) {
      warnings.add('referred_by names a customer not in the customer base; referral ignored');
      continue;
    }
    let sum = sums.get(referrer);
    if (sum === undefined) {
      sum = new CentsSum();
      sums.set(referrer, sum);
    }
    const net = fieldCents(customer, REVENUE) - fieldCents(customer, RETURNS);
    if (Number.isSafeInteger(net)) sum.addCents(net);
    else sum.add(customer.revenue.minus(customer.returns));
  }
  const byReferrer = new Map<CustomerFacts, Money>();
  for (const [referrer, sum] of sums) byReferrer.set(referrer, sum.total());
  return byReferrer;
}

export function clvOf(customer: CustomerFacts, kind: ClvFormulaKind): Money {
  switch (kind) {
    case 'simple':
      return customer.clvSimple;
    case 'discounted':
      return customer.clvDiscounted;
    case 'continuous':
      return customer.clvContinuous;
  }
}

/**
 * Average order value, purchase frequency and the three formula CLVs of every customer.
 * `lifespanOf` gives the lifespan in years (fixed, or the customer's cohort expected tenure).
 */
export function applyFormulaClv(
  customers: readonly CustomerFacts[],
  referred: ReadonlyMap<CustomerFacts, Money>,
  lifespanOf: (customer: CustomerFacts) => Money,
  config: Pick<ProfitabilityConfig, 'discountRate' | 'minimumObservationDays' | 'clvFormula'>,
): void {
  const clvOf = formulaClvOf(referred, lifespanOf, config);
  for (const customer of customers) {
    const clv = clvOf(customer);
    customer.averageOrderValue = clv.averageOrderValue;
    customer.ordersPerYear = clv.ordersPerYear;
    customer.clvSimple = clv.clvSimple;
    customer.clvDiscounted = clv.clvDiscounted;
    customer.clvContinuous = clv.clvContinuous;
    customer.clvFormula = clv.clvFormula;
  }
}

interface ClvContext {
  referred: ReadonlyMap<CustomerFacts, Money>;
  lifespanOf: (customer: CustomerFacts) => Money;
  config: FormulaClvSettings;
  rate: Money;
  /** Annuity factor by lifespan. */
  factors: Map<string, Money>;
  /** The last lifespan's factor: a fixed lifespan is one Money, so its text need not be made per customer. */
  lastLifespan: Money | null;
  lastFactor: Money | null;
}

/** What the formula CLVs are computed from besides a customer's own facts. */
export interface FormulaClvInputs {
  referred: ReadonlyMap<CustomerFacts, Money>;
  lifespanOf: (customer: CustomerFacts) => Money;
  config: FormulaClvSettings;
}

export type FormulaClvSettings = Pick<
  ProfitabilityConfig,
  'discountRate' | 'minimumObservationDays' | 'clvFormula'
>;

/**
 * A customer's formula CLV fields, with the inputs they come from: a scaled-out run hands those
 * to the functions that make each bucket's rows (customer-ledger.ts).
 */
export type FormulaClvOf = ((customer: CustomerFacts) => FormulaClv) & { readonly inputs: FormulaClvInputs };

/**
 * The formula CLV fields of one customer, as applyFormulaClv sets them; a pure function of the
 * customer's final facts, so the engine computes them when read instead of holding a million
 * customers' Decimals (see CustomerStore). Each field is computed on first read only: the service
 * ROI reads one of them for every customer.
 */
export function formulaClvOf(
  referred: ReadonlyMap<CustomerFacts, Money>,
  lifespanOf: (customer: CustomerFacts) => Money,
  config: FormulaClvSettings,
): FormulaClvOf {
  const context: ClvContext = {
    referred,
    lifespanOf,
    config,
    rate: new Money(config.discountRate),
    factors: new Map(),
    lastLifespan: null,
    lastFactor: null,
  };
  const of = (customer: CustomerFacts) => new LazyFormulaClv(customer, context);
  return Object.assign(of, { inputs: { referred, lifespanOf, config } });
}

/**
 * The sum of one formula CLV over customers, added one by one. The discounted CLV is linear in a
 * customer's recurring profit: (profit + acquisition cost) cents x 12 x 30.4375 / (100 x observed
 * days) x the annuity factor of their lifespan. So customers whose discounted CLV the engine
 * computes from whole-cent facts are summed in exact integer cents by (lifespan, observed days),
 * never more groups than customers (a fixed lifespan: a few thousand), and each group goes
 * through the formula once, rounded to 40 digits a few times a group instead of four times a
 * customer; any other customer (an assigned CLV, amounts past whole cents, the other formulas, a
 * second set of formula settings) adds their CLV as read. A million customers' Decimal steps (a
 * tenth of the nightly job's main thread) become a few thousand. Groups are keyed by the lifespan
 * Money itself: lifespanOf hands out one per lifespan (or cohort), as the engine's does.
 */
export class FormulaClvTotal {
  private read: Money = ZERO;
  /** Recurring profit cents by lifespan (one Money per lifespan or cohort), then observed days. */
  private readonly cents = new Map<Money, Map<number, bigint>>();
  private context: ClvContext | null = null;
  count = 0;

  constructor(private readonly kind: ClvFormulaKind) {}

  add(customer: CustomerFacts): void {
    this.count += 1;
    const computed = this.kind === 'discounted' ? storedOf(customer)?.computedClv('clvDiscounted') : null;
    const term = computed instanceof LazyFormulaClv ? computed.discountedTerm() : null;
    if (term === null || (this.context !== null && this.context !== term.context)) {
      this.read = this.read.plus(clvOf(customer, this.kind));
      return;
    }
    this.context = term.context;
    let byDays = this.cents.get(term.lifespan);
    if (byDays === undefined) {
      byDays = new Map();
      this.cents.set(term.lifespan, byDays);
    }
    byDays.set(term.observedDays, (byDays.get(term.observedDays) ?? 0n) + BigInt(term.cents));
  }

  total(): Money {
    let total = this.read;
    const context = this.context;
    if (context === null) return total;
    for (const [lifespan, byDays] of this.cents) {
      const factor = annuityFactorOf(context, lifespan);
      for (const [days, cents] of byDays) {
        const monthly = monthlyOfScaledCents((cents * BigInt(DAYS_PER_MONTH_SCALED)).toString(), days);
        total = total.plus(yearlyProfitFromMonthly(monthly).times(factor));
      }
    }
    return total;
  }
}

/**
 * Monthly recurring profit from cents x days a month x 10,000 (a whole number when
 * DAYS_PER_MONTH_SCALED_EXACTLY): the same exact quotient as (cents / 100) x days a month /
 * observed days, so it rounds to the same Decimal.
 */
function monthlyOfScaledCents(scaledCents: number | string, observedDays: number): Money {
  return new Money(scaledCents).dividedBy(100 * MONTH_SCALE * observedDays);
}

/** The annuity factor of a lifespan at the context's rate, made once per lifespan. */
function annuityFactorOf(context: ClvContext, lifespan: Money): Money {
  if (lifespan === context.lastLifespan) return context.lastFactor as Money;
  const key = lifespan.toString();
  let factor = context.factors.get(key);
  if (factor === undefined) {
    factor = annuityFactor(context.rate, lifespan);
    context.factors.set(key, factor);
  }
  context.lastLifespan = lifespan;
  context.lastFactor = factor;
  return factor;
}

/** The formulas, each evaluated at most once per customer, with exactly the Decimal steps as ever. */
class LazyFormulaClv implements FormulaClv {
  private lifespanValue: Money | undefined;
  private aov: Money | null | undefined;
  private perYear: Money | undefined;
  private simple: Money | undefined;
  private discounted: Money | undefined;
  private continuous: Money | undefined;
  /** The frequency and the yearly profit are measured over at least the minimum window (and a day). */
  private readonly observedDays: number;

  constructor(
    private readonly customer: CustomerFacts,
    private readonly context: ClvContext,
  ) {
    this.observedDays = Math.max(customer.tenureDays, context.config.minimumObservationDays, 1);
  }

  private get lifespan(): Money {
    this.lifespanValue ??= this.context.lifespanOf(this.customer);
    return this.lifespanValue;
  }

  get averageOrderValue(): Money | null {
    if (this.aov === undefined) {
      const customer = this.customer;
      this.aov = customer.orders > 0 ? customer.revenue.dividedBy(customer.orders) : null;
    }
    return this.aov;
  }

  get ordersPerYear(): Money {
    this.perYear ??= new Money(this.customer.orders).times(DAYS_PER_YEAR).dividedBy(this.observedDays);
    return this.perYear;
  }

  get clvSimple(): Money {
    this.simple ??= simpleClv(this.averageOrderValue ?? ZERO, this.ordersPerYear, this.lifespan);
    return this.simple;
  }

  get clvDiscounted(): Money {
    if (this.discounted === undefined) {
      // Acquisition is paid once; repeating it in every year of the annuity would count it n times.
      const monthlyProfit = this.monthlyRecurringProfit();
      const factor = annuityFactorOf(this.context, this.lifespan);
      this.discounted = yearlyProfitFromMonthly(monthlyProfit).times(factor);
    }
    return this.discounted;
  }

  /**
   * What the discounted CLV is linear in, for FormulaClvTotal: the recurring profit cents, the
   * lifespan and the observed days; null when the cents are not safe whole cents.
   */
  discountedTerm(): { cents: number; lifespan: Money; observedDays: number; context: ClvContext } | null {
    const cents = this.recurringProfitCents();
    if (!Number.isSafeInteger(cents) || !DAYS_PER_MONTH_SCALED_EXACTLY) return null;
    return { cents, lifespan: this.lifespan, observedDays: this.observedDays, context: this.context };
  }

  /**
   * (profit + acquisition cost) x days a month / observed days. From cents when both are whole
   * cents: cents x 304375 / (100 x 10,000 x observed days) is the same exact quotient as the Money
   * steps', so it rounds to the same Decimal, with one Decimal made and divided per customer
   * instead of four made, added, multiplied and divided.
   */
  private monthlyRecurringProfit(): Money {
    const cents = this.recurringProfitCents();
    if (Number.isSafeInteger(cents)) {
      const scaled = cents * DAYS_PER_MONTH_SCALED;
      if (DAYS_PER_MONTH_SCALED_EXACTLY && Number.isSafeInteger(scaled))
        return monthlyOfScaledCents(scaled, this.observedDays);
      return new Money(cents).times(DAYS_PER_MONTH).dividedBy(100 * this.observedDays);
    }
    const customer = this.customer;
    const recurringProfit = customer.profit.plus(customer.acquisitionCost);
    return recurringProfit.times(DAYS_PER_MONTH).dividedBy(this.observedDays);
  }

  /** Profit + acquisition cost in cents; NaN when either is not a safe whole number of cents. */
  private recurringProfitCents(): number {
    const customer = this.customer;
    // + 0: never -0 (Money's cents give +0), whose Decimal would print as -0.
    return fieldCents(customer, PROFIT) + fieldCents(customer, ACQUISITION_COST) + 0;
  }

  get clvContinuous(): Money {
    this.continuous ??= continuousValue({
      expectedTransactions: this.ordersPerYear.times(this.lifespan),
      averagePurchase: this.averageOrderValue ?? ZERO,
      acquisitionCost: this.customer.acquisitionCost,
      referredNetRevenue: this.context.referred.get(this.customer) ?? ZERO,
    });
    return this.continuous;
  }

  get clvFormula(): Money {
    const kind = this.context.config.clvFormula;
    return kind === 'simple'
      ? this.clvSimple
      : kind === 'discounted'
        ? this.clvDiscounted
        : this.clvContinuous;
  }
}
