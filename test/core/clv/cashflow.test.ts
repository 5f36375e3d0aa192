import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cashflowBasis, expectedCashflows } from '../../../core/clv/cashflow.ts';
import { DEFAULT_CLV_MODEL_CONFIG } from '../../../core/clv/config.ts';
import { addDays } from '../../../core/clv/dates.ts';
import { predictCustomerValueColumns } from '../../../core/clv/predict-customer-value.ts';
import { simulateTransactions } from '../../../core/clv/simulate.ts';
import { purchasePredictorAt } from '../../../core/clv/transaction-model.ts';
import { RESULT_TABLES } from '../../../core/tables.ts';
import { donorLog } from './fixtures.ts';

const transactions = simulateTransactions(
  { r: 0.5, alpha: 6, a: 0.8, b: 2.5 },
  { p: 6.25, q: 3.74, gamma: 15.44 },
  { customers: 2000, seed: 23, start: '2024-01-01', acquisitionDays: 120, observedDays: 546, costShare: 0.6 },
);
const config = { ...DEFAULT_CLV_MODEL_CONFIG, intervalDraws: 0, horizonMonths: 12, cashflowMonths: 24 };
const result = predictCustomerValueColumns({ transactions, asOf: '2025-06-30', config });
// Cohort by the customer's number: three cohorts of unequal size.
const cohortOf = (id: string) =>
  Number(id.slice(1)) % 7 === 0 ? '2024-Q1' : Number(id.slice(1)) % 2 ? '2024-01' : '2024-02';
const rows = result.valuation!.cashflows((i) => cohortOf(result.customers.customerIds[i]!));

describe('clv_cashflow', () => {
  it('has rows with exactly the table columns, 24 months per cohort and for all', () => {
    const columns = RESULT_TABLES.find((t) => t.name === 'clv_cashflow')!.columns.map((c) => c.name);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual([...columns].sort());
    expect([...new Set(rows.map((r) => r.cohort))]).toEqual(['2024-01', '2024-02', '2024-Q1', 'all']);
    expect(rows.length).toBe(4 * 24);
    const all = rows.filter((r) => r.cohort === 'all');
    expect(all[0]!.customers).toBe(result.customers.size);
    expect(all[0]!.month_start).toBe('2025-07-01');
    for (let m = 1; m < 24; m++) expect(all[m]!.month_start).toBe(addDays(all[m - 1]!.month_end, 1));
    expect(all[23]!.month_end).toBe('2027-06-30');
  });

  it("discounted margin over the CLV horizon adds up to the customers' predicted CLV", () => {
    let clv = 0;
    for (let i = 0; i < result.customers.size; i++) clv += result.customers.clvPredicted(i)!.toNumber();
    const discounted = rows
      .filter((r) => r.cohort === 'all' && r.month_index <= 12)
      .reduce((s, r) => s + r.discounted_margin!, 0);
    // clv_predicted is rounded to the cent per customer: at most half a cent each apart.
    expect(Math.abs(discounted - clv)).toBeLessThan(0.005 * result.customers.size);
  });

  it('cohorts add up to all, and expected orders fall month by month as customers drop out', () => {
    const all = rows.filter((r) => r.cohort === 'all');
    for (const row of all) {
      const parts = rows.filter((r) => r.cohort !== 'all' && r.month_index === row.month_index);
      expect(parts.reduce((s, r) => s + r.customers, 0)).toBe(row.customers);
      expect(parts.reduce((s, r) => s + r.expected_orders, 0)).toBeCloseTo(row.expected_orders, 8);
      expect(parts.reduce((s, r) => s + r.expected_margin!, 0)).toBeCloseTo(row.expected_margin!, 6);
      expect(row.discounted_revenue!).toBeCloseTo(row.expected_revenue! * row.discount_factor, 8);
      expect(row.expected_margin!).toBeLessThan(row.expected_revenue!);
    }
    for (let m = 1; m < 24; m++) {
      expect(all[m]!.expected_orders).toBeLessThan(all[m - 1]!.expected_orders * 1.0001);
      expect(all[m]!.discount_factor).toBeLessThan(all[m - 1]!.discount_factor);
    }
    expect(all[11]!.discount_factor).toBeCloseTo(1 / 1.1, 12);
  });

  it('gives orders without revenue when there is no spend model, and leaves customers without a cohort out', () => {
    const flows = expectedCashflows({
      asOf: '2025-01-31',
      frequency: [2, 0, 5],
      recency: [10, 0, 20],
      age: [30, 8, 26],
      expectedSpend: null,
      margin: [0.3, 0.3, 0.3],
      cohortOf: (i) => (i === 1 ? null : 'c'),
      predictor: purchasePredictorAt('bgnbd', [0.5, 6, 0.8, 2.5]),
      months: 3,
      unitsPerMonth: 365.25 / 12 / 7,
      annualDiscountRate: 0.1,
    });
    expect(flows.map((f) => [f.cohort, f.month_index, f.customers, f.expected_revenue])).toEqual([
      ['c', 1, 2, null],
      ['c', 2, 2, null],
      ['c', 3, 2, null],
      ['all', 1, 2, null],
      ['all', 2, 2, null],
      ['all', 3, 2, null],
    ]);
    expect(flows[0]!.expected_orders).toBeGreaterThan(0);
    expect(flows[0]!.month_start).toBe('2025-02-01');
  });
});

describe('expectedCashflows, cells computed once', () => {
  // Customers sharing (x, t_x, T) share their cell's monthly purchases: the sums must be those of
  // purchases computed customer by customer, to the last bit.
  it('sums what a prediction per customer sums', () => {
    const predictor = purchasePredictorAt('bgnbd', [0.5, 6, 0.8, 2.5]);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            x: fc.integer({ min: 0, max: 3 }),
            tx: fc.constantFrom(0, -0, 1 / 7, 2, 10),
            T: fc.constantFrom(10, 30.5, 52),
            spend: fc.double({ min: 1, max: 500, noNaN: true }),
            margin: fc.double({ min: -1, max: 1, noNaN: true }),
            cohort: fc.constantFrom('2024-01', '2024-02', null),
          }),
          { maxLength: 60 },
        ),
        (customers) => {
          const input = {
            asOf: '2025-06-30',
            frequency: customers.map((c) => c.x),
            recency: customers.map((c) => c.tx),
            age: customers.map((c) => c.T),
            expectedSpend: customers.map((c) => c.spend),
            margin: customers.map((c) => c.margin),
            cohortOf: (i: number) => customers[i]!.cohort,
            predictor,
            months: 6,
            unitsPerMonth: 365.25 / 12 / 7,
            annualDiscountRate: 0.1,
          };
          // BG/NBD's factor without t_x computed once per (x, T) and month, P(alive) once per cell;
          // and a predictor without the factor: each cell's purchases once per month.
          let calls = 0;
          let factorCalls = 0;
          const { expectedPurchasesIfAlive: factor, ...plain } = predictor;
          const counting = {
            ...plain,
            expectedPurchases: (t: number, x: number, tx: number, T: number) => {
              calls++;
              return predictor.expectedPurchases(t, x, tx, T);
            },
          };
          const factored = {
            ...counting,
            expectedPurchasesIfAlive: (t: number, x: number, T: number) => {
              factorCalls++;
              return factor!(t, x, T);
            },
          };
          const rows = expectedCashflows({ ...input, predictor: counting });
          const cells = new Set(customers.map((c) => `${c.x}|${c.tx}|${c.T}`));
          expect(calls).toBe(cells.size * 6);
          calls = 0;
          expect(JSON.stringify(expectedCashflows({ ...input, predictor: factored }))).toBe(
            JSON.stringify(rows),
          );
          expect([calls, factorCalls]).toEqual([0, new Set(customers.map((c) => `${c.x}|${c.T}`)).size * 6]);
          // The same sums with each customer's purchases computed for that customer.
          const sums = new Map<string, { orders: number[]; revenue: number[]; margin: number[] }>();
          const add = (key: string, orders: number[], spend: number, margin: number) => {
            const s = sums.get(key) ?? {
              orders: [0, 0, 0, 0, 0, 0],
              revenue: [0, 0, 0, 0, 0, 0],
              margin: [0, 0, 0, 0, 0, 0],
            };
            sums.set(key, s);
            orders.forEach((o, m) => {
              s.orders[m]! += o;
              s.revenue[m]! += o * spend;
              s.margin[m]! += o * spend * margin;
            });
          };
          for (const c of customers) {
            if (c.cohort === null) continue;
            let previous = 0;
            const orders = [1, 2, 3, 4, 5, 6].map((m) => {
              const cumulative = predictor.expectedPurchases(m * input.unitsPerMonth, c.x, c.tx, c.T);
              const o = cumulative - previous;
              previous = cumulative;
              return o;
            });
            add(c.cohort, orders, c.spend, c.margin);
            add('\u0000all', orders, c.spend, c.margin);
          }
          for (const row of rows) {
            const s = sums.get(row.cohort === 'all' ? '\u0000all' : row.cohort)!;
            const m = row.month_index - 1;
            expect([row.expected_orders, row.expected_revenue, row.expected_margin]).toEqual([
              s.orders[m],
              s.revenue[m],
              s.margin[m],
            ]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the cash-flow basis the prediction makes', () => {
  // predictCustomers takes the monthly purchases from its own cells; made again from scratch (the
  // valuation's own predictor, numbering and expectations) they must be the same bits.
  const fromScratch = (made: NonNullable<typeof result.valuation>) => {
    const { summaries, spend, config: settings, unitsPerMonth, start, model } = made.inputs;
    const basis = made.cashflowBasis();
    return cashflowBasis({
      asOf: start,
      frequency: summaries.frequency,
      recency: summaries.recency,
      age: summaries.age,
      expectedSpend: spend.fitted ? basis.expectedSpend : null,
      margin: basis.margin,
      predictor: purchasePredictorAt(model.name, model.params),
      months: settings.cashflowMonths,
      unitsPerMonth,
      annualDiscountRate: settings.annualDiscountRate,
    });
  };

  for (const model of ['bgnbd', 'pareto_nbd', 'mbgnbd', 'bgbb'] as const) {
    for (const [horizonMonths, cashflowMonths] of [
      [12, 24],
      [24, 6],
    ] as const) {
      it(`is the basis made from scratch, bit for bit (${model}, horizon ${horizonMonths}, cash flows ${cashflowMonths})`, () => {
        // BG/BB on its published donors' log, by year; the others on the simulated customers.
        const made = predictCustomerValueColumns(
          model === 'bgbb'
            ? {
                transactions: donorLog(),
                asOf: '2001-12-31',
                config: { ...config, model, opportunityPeriod: 'year', horizonMonths, cashflowMonths },
              }
            : {
                transactions: transactions.slice(0, 6000),
                asOf: '2025-06-30',
                config: { ...config, model, horizonMonths, cashflowMonths },
              },
        ).valuation;
        expect(made).toBeDefined();
        const basis = (made as NonNullable<typeof made>).cashflowBasis();
        const again = fromScratch(made as NonNullable<typeof made>);
        expect(basis.perCell.length).toBeGreaterThan(0);
        expect(basis.cellAt).toEqual(again.cellAt);
        expect(basis.perCell).toEqual(again.perCell);
        expect(basis.months).toBe(cashflowMonths);
      });
    }
  }
});
