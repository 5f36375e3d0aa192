import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import { yearlyProfitFromMonthly } from '../../../core/profitability/clv-formulas.ts';
import {
  FormulaClvTotal,
  formulaClvOf,
  referredNetRevenue,
} from '../../../core/profitability/customer-clv.ts';
import { CustomerStore, StoredFacts } from '../../../core/profitability/customer-store.ts';
import {
  annuityFactor,
  computeProfitability,
  DEFAULT_PROFITABILITY_CONFIG,
} from '../../../core/profitability/index.ts';
import { type CustomerFacts, Warnings } from '../../../core/profitability/types.ts';
import { customer, snapshot, tx } from './fixtures.ts';

// Measured over at least 1,461 days (4 x 365.25), four orders are exactly one order a year.
const config = { ...DEFAULT_PROFITABILITY_CONFIG, minimumObservationDays: 1461 };
const quarters = ['2024-02-01', '2024-05-01', '2024-08-01', '2024-11-01'];
const data = snapshot({
  customers: [
    customer('A', '2024-01-01', { acquisition_cost: 100 }),
    customer('B', '2024-03-01', { referred_by: 'A', acquisition_cost: 0 }),
  ],
  transactions: [...quarters.map((date) => tx('A', date, 300)), tx('B', '2024-03-02', 500, { returned: 50 })],
});

describe('formula CLV per customer', () => {
  it('computes simple, discounted and continuous values from the customer facts', () => {
    const result = computeProfitability(data, '2024-12-31', config);
    const a = result.customerMetrics.find((r) => r.customer_id === 'A');
    expect(a?.orders).toBe(4);
    expect(a?.average_order_value?.toFixed(2)).toBe('300.00');
    expect(a?.orders_per_year.toFixed(6)).toBe('1.000000');
    // 300 x 1 x 5
    expect(a?.clv_simple.toFixed(2)).toBe('1500.00');
    // R = 1,200 of recurring profit over 4 years = 25 a month x 12 = 300 a year; x annuity(10%, 5)
    expect(a?.clv_discounted.toFixed(2)).toBe(annuityFactor('0.1', 5).times(300).toFixed(2));
    // 5 expected orders x 300 - 100 acquisition + B's net revenue 500 - 50
    expect(a?.clv_continuous.toFixed(2)).toBe('1850.00');
    expect(a?.clv_formula.toFixed(2)).toBe('1500.00');
    expect(a?.clv_predicted).toBeNull();
    expect(a?.p_alive).toBeNull();
    expect(a?.expected_orders_next_year).toBeNull();
  });

  it('feeds clv_formula from the configured formula', () => {
    const result = computeProfitability(data, '2024-12-31', { ...config, clvFormula: 'continuous' });
    const a = result.customerMetrics.find((r) => r.customer_id === 'A');
    expect(a?.clv_formula.toFixed(2)).toBe('1850.00');
  });

  it('can take the lifespan from the cohort expected tenure, with a fallback', () => {
    const cohortData = snapshot({
      customers: [customer('x', '2023-01-01', { churned_on: '2023-06-01' }), customer('y', '2023-01-01')],
      transactions: [...quarters.map((date) => tx('y', date, 100)), tx('z', '2024-06-01', 100)],
    });
    const result = computeProfitability(cohortData, '2024-12-31', {
      ...config,
      lifespan: { source: 'cohort_expected_tenure', fallbackYears: 3 },
    });
    const cohort = result.cohortMetrics.find((r) => r.cohort === '2023-01');
    const tenure = cohort?.expected_tenure_years;
    expect(tenure).not.toBeNull();
    const y = result.customerMetrics.find((r) => r.customer_id === 'y');
    // y: AOV 100, one order a year, lifespan = the cohort's tenure (rates are rounded to 6 places).
    expect(
      y?.clv_simple
        .minus(tenure?.times(100) ?? 0)
        .abs()
        .lte('0.01'),
    ).toBe(true);
    // z's cohort (2024-06) has no churn, so no tenure: the fallback of 3 years applies.
    const z = result.customerMetrics.find((r) => r.customer_id === 'z');
    expect(z?.orders_per_year.toFixed(6)).toBe('0.250000');
    expect(z?.clv_simple.toFixed(2)).toBe('75.00');
  });
});

describe('the discounted formula CLV of stored facts', () => {
  // Stored facts take the monthly profit from cents; it must be the very Decimal of the Money steps.
  it('is the Decimal of the Money steps, to the last digit', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -10_000_000_000, max: 10_000_000_000 }),
          fc.integer({ min: -100_000_000_000, max: 100_000_000_000 }),
        ),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 0, max: 4_000 }),
        fc.constantFrom(0, 30, 365),
        fc.constantFrom(1, 3, 5, 7.5),
        (profitCents, acquisitionCents, tenureDays, minimumObservationDays, years) => {
          const store = new CustomerStore();
          const stored = new StoredFacts(store, store.add(), 'a', '2024-01-01');
          stored.profit = money(profitCents).dividedBy(100);
          stored.acquisitionCost = money(acquisitionCents).dividedBy(100);
          stored.tenureDays = tenureDays;
          const lifespan = money(years);
          const settings = { ...DEFAULT_PROFITABILITY_CONFIG, minimumObservationDays };
          const actual = formulaClvOf(new Map(), () => lifespan, settings)(stored).clvDiscounted;
          const observed = Math.max(tenureDays, minimumObservationDays, 1);
          const expected = yearlyProfitFromMonthly(
            stored.profit
              .plus(stored.acquisitionCost)
              .times(365.25 / 12)
              .dividedBy(observed),
          ).times(annuityFactor(settings.discountRate, lifespan));
          expect(actual.toString()).toBe(expected.toString());
          expect(actual.isNegative()).toBe(expected.isNegative());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the sum of a formula CLV over customers (FormulaClvTotal)', () => {
  /** Far past Money's 40 digits: the exact value of the sums these tests take. */
  const Wide = Decimal.clone({ precision: 120 });

  it("is the exact sum of the customers' discounted CLVs, within the last of 40 digits of the per-customer sum", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            profitCents: fc.oneof(
              fc.integer({ min: -10_000_000, max: 10_000_000 }),
              fc.integer({ min: -100_000_000_000, max: 100_000_000_000 }),
            ),
            acquisitionCents: fc.integer({ min: 0, max: 500_000 }),
            tenureDays: fc.integer({ min: 0, max: 40 }),
            cohort: fc.constantFrom(0, 1, 2),
            assigned: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { freq: 8 }),
            unsafe: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.constantFrom(0, 20),
        fc.constantFrom('0.1', '0', '0.035'),
        (rows, minimumObservationDays, discountRate) => {
          const store = new CustomerStore();
          const lifespans = [money(5), money('2.75'), money('7.5')];
          const settings = { ...DEFAULT_PROFITABILITY_CONFIG, minimumObservationDays, discountRate };
          const customers = rows.map((row, i) => {
            const stored = new StoredFacts(store, store.add(), `c${i}`, `2024-0${1 + row.cohort}-01`);
            // Past whole cents on a few: those add their CLV as read.
            stored.profit = money(row.profitCents).dividedBy(row.unsafe && i % 7 === 0 ? 1000 : 100);
            stored.acquisitionCost = money(row.acquisitionCents).dividedBy(100);
            stored.tenureDays = row.tenureDays;
            if (row.assigned !== null) stored.clvDiscounted = money(row.assigned).dividedBy(100);
            return stored;
          });
          store.formulaClv = formulaClvOf(
            new Map(),
            (customer) => lifespans[Number(customer.acquiredOn.slice(6, 7)) - 1] as Decimal,
            settings,
          );
          const total = new FormulaClvTotal('discounted');
          for (const customer of customers) total.add(customer);
          expect(total.count).toBe(customers.length);
          let exact = new Wide(0);
          let perCustomer = money(0);
          for (const customer of customers) {
            perCustomer = perCustomer.plus(customer.clvDiscounted);
            const row = rows[customers.indexOf(customer)] as (typeof rows)[number];
            if (row.assigned !== null || (row.unsafe && customers.indexOf(customer) % 7 === 0)) {
              exact = exact.plus(customer.clvDiscounted.toString());
              continue;
            }
            const observed = Math.max(customer.tenureDays, minimumObservationDays, 1);
            const factor = annuityFactor(discountRate, lifespans[row.cohort] as Decimal);
            exact = exact.plus(
              new Wide(row.profitCents + row.acquisitionCents)
                .times('365.25')
                .dividedBy(100 * observed)
                .times(factor.toString()),
            );
          }
          const got = new Wide(total.total().toString());
          // Rounded to 40 digits a few times per (lifespan, observed days), not once per customer.
          const scale = Decimal.max(exact.abs(), 1);
          expect(got.minus(exact).abs().lte(scale.times('1e-37'))).toBe(true);
          expect(got.minus(perCustomer.toString()).abs().lte(scale.times('1e-36'))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sums by group exactly where the per-customer sum drifts in its last digits', () => {
    // 1,000 customers of one cent over seven days, lifespan 1 at no discount: 1,000 x 3,652,500 /
    // 7,000,000, while each customer's own value is rounded to 40 digits before it is added.
    const store = new CustomerStore();
    const customers = Array.from({ length: 1000 }, (_, i) => {
      const stored = new StoredFacts(store, store.add(), `c${i}`, '2024-01-01');
      stored.profit = money('0.01');
      stored.tenureDays = 7;
      return stored;
    });
    const settings = { ...DEFAULT_PROFITABILITY_CONFIG, minimumObservationDays: 0, discountRate: 0 };
    const oneYear = money(1); // one Money for the lifespan, as the engine's lifespanOf gives
    store.formulaClv = formulaClvOf(new Map(), () => oneYear, settings);
    const total = new FormulaClvTotal('discounted');
    for (const customer of customers) total.add(customer);
    const exact = money(1000 * 3_652_500).dividedBy(7_000_000);
    expect(total.total().toString()).toBe(exact.toString());
    const perCustomer = customers.reduce((sum, customer) => sum.plus(customer.clvDiscounted), money(0));
    expect(perCustomer.toString()).not.toBe(exact.toString());
  });

  it("adds customers of a second set of formula settings as read, not into the first set's groups", () => {
    const ofRate = (discountRate: number) => {
      const store = new CustomerStore();
      const stored = new StoredFacts(store, store.add(), 'a', '2024-01-01');
      stored.profit = money(1200);
      stored.tenureDays = 365;
      const settings = { ...DEFAULT_PROFITABILITY_CONFIG, minimumObservationDays: 0, discountRate };
      const fiveYears = money(5);
      store.formulaClv = formulaClvOf(new Map(), () => fiveYears, settings);
      return stored;
    };
    const customers = [ofRate(0.1), ofRate(0), ofRate(0.1)];
    const total = new FormulaClvTotal('discounted');
    for (const customer of customers) total.add(customer);
    const perCustomer = customers.reduce((sum, customer) => sum.plus(customer.clvDiscounted), money(0));
    expect(total.total().minus(perCustomer).abs().lte('1e-30')).toBe(true);
    // Not the three at one rate: the undiscounted one is worth more.
    expect(customers[1]?.clvDiscounted.gt(customers[0]?.clvDiscounted ?? 0)).toBe(true);
  });

  it('adds the other formulas as read, in order', () => {
    const store = new CustomerStore();
    const customers = [1234, -99, 5].map((cents, i) => {
      const stored = new StoredFacts(store, store.add(), `c${i}`, '2024-01-01');
      stored.revenue = money(cents).dividedBy(100);
      stored.orders = 1;
      stored.tenureDays = 400;
      return stored;
    });
    store.formulaClv = formulaClvOf(new Map(), () => money(3), DEFAULT_PROFITABILITY_CONFIG);
    for (const kind of ['simple', 'continuous'] as const) {
      const total = new FormulaClvTotal(kind);
      for (const customer of customers) total.add(customer);
      const field = kind === 'simple' ? 'clvSimple' : 'clvContinuous';
      const expected = customers.reduce((sum, customer) => sum.plus(customer[field]), money(0));
      expect(total.total().toString()).toBe(expected.toString());
      expect(total.total().isZero()).toBe(false);
    }
  });
});

describe('referredNetRevenue of stored facts', () => {
  // Stored facts sum their referrals' net revenue in cents; it must be the Decimal sum of the Money.
  it("is the Decimal sum of revenue - returns over each referrer's referrals", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            referrer: fc.constantFrom('a', 'b', 'ghost', null),
            revenue: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constant(900_719_925_474_099)),
            returns: fc.integer({ min: 0, max: 1_000_000 }),
          }),
          { maxLength: 20 },
        ),
        (rows) => {
          const store = new CustomerStore();
          const referrers = ['a', 'b'].map((id) => new StoredFacts(store, store.add(), id, '2024-01-01'));
          const referred = rows.map((row, i) => {
            const facts = new StoredFacts(store, store.add(), `r${i}`, '2024-01-01');
            facts.revenue = money(row.revenue).dividedBy(100);
            facts.returns = money(row.returns).dividedBy(100);
            facts.referredBy = row.referrer;
            return facts;
          });
          const byId = new Map<string, CustomerFacts>(referrers.map((r) => [r.customerId, r]));
          const actual = referredNetRevenue([...referrers, ...referred], byId, new Warnings());
          for (const referrer of referrers) {
            const mine = referred.filter((r) => r.referredBy === referrer.customerId);
            const expected = mine.reduce((sum, r) => sum.plus(r.revenue.minus(r.returns)), money(0));
            expect(actual.get(referrer)?.toString()).toBe(mine.length > 0 ? expected.toString() : undefined);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
