import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money, roundMoney } from '../../../core/money.ts';
import { resolveConfig } from '../../../core/profitability/config.ts';
import { computeProfitability, DEFAULT_PROFITABILITY_CONFIG } from '../../../core/profitability/index.ts';
import type { ServiceRoiRow } from '../../../core/profitability/rows.ts';
import {
  computeServiceRoi,
  latestSurveys,
  numberSurveyedCustomers,
  serviceCentreMonth,
  serviceRoiPct,
} from '../../../core/profitability/service-roi.ts';
import { type CustomerFacts, Warnings } from '../../../core/profitability/types.ts';
import { customer, latestSatisfaction, serviceCost, snapshot, survey, tx } from './fixtures.ts';

describe('service-centre ROI per month', () => {
  // Customer value: simple CLV of one 1,000 order a year over 5 years = 5,000 (vip) or 500 (mass).
  const customers = [
    customer('v1', '2024-01-01', { segment: 'vip' }),
    customer('v2', '2024-01-01', { segment: 'vip' }),
    customer('m1', '2024-01-01', { segment: 'mass' }),
    customer('m2', '2024-01-01', { segment: 'mass' }),
  ];
  // Four orders each, measured over at least 1,461 days (4 years): one order a year.
  const transactions = ['2024-03-01', '2024-06-01', '2024-09-01', '2024-12-01'].flatMap((date) => [
    tx('v1', date, 1000),
    tx('v2', date, 1000),
    tx('m1', date, 100),
    tx('m2', date, 100),
  ]);
  const config = {
    ...DEFAULT_PROFITABILITY_CONFIG,
    serviceRoiClv: 'simple' as const,
    minimumObservationDays: 1461,
  };
  const data = snapshot({
    customers,
    transactions,
    satisfaction: [
      survey('v1', '2025-01-05', 90),
      survey('m1', '2025-01-09', 40),
      survey('v2', '2025-01-20', 86),
      // February: v2 turns disloyal, m2 says exactly 85 (not loyal) and m1 exactly 50 (not disloyal).
      survey('v2', '2025-02-03', 49),
      survey('m2', '2025-02-04', 85),
      survey('m1', '2025-02-05', 50),
      survey('v1', '2025-04-01', 10),
    ],
    service_costs: [serviceCost('2025-01', 4000), serviceCost('2025-02', 2000), serviceCost('2025-03', 0)],
  });

  it('counts loyal (> 85) and disloyal (< 50) customers by their latest score and values them per group', () => {
    const result = computeProfitability(data, '2025-03-31', config);
    const clv = Object.fromEntries(
      result.customerMetrics.map((r) => [r.customer_id, r.clv_simple.toFixed(2)]),
    );
    expect(clv).toEqual({ v1: '5000.00', v2: '5000.00', m1: '500.00', m2: '500.00' });
    const rows = result.serviceRoi.map((r) => [
      r.month,
      r.loyal_customers,
      r.disloyal_customers,
      r.clv.toFixed(2),
      r.benefit.toFixed(2),
      r.loss.toFixed(2),
      r.net_benefit.toFixed(2),
      r.net_cost.toFixed(2),
      r.roi_pct?.toFixed(2) ?? null,
    ]);
    expect(rows).toEqual([
      // January: v1, v2 loyal (2 x 5,000); m1 disloyal (500). ROI = (9,500 - 4,000) x 100 / 4,000.
      ['2025-01', 2, 1, '3500.00', '10000.00', '500.00', '9500.00', '4000.00', '137.50'],
      // February: v1 loyal; v2 disloyal; m1, m2 neutral. ROI = (0 - 2,000) x 100 / 2,000.
      ['2025-02', 1, 1, '5000.00', '5000.00', '5000.00', '0.00', '2000.00', '-100.00'],
      // March cost nothing: no ROI. The April survey is after as_of.
      ['2025-03', 1, 1, '5000.00', '5000.00', '5000.00', '0.00', '0.00', null],
    ]);
    expect(result.customerMetrics.find((r) => r.customer_id === 'v1')?.satisfaction_score?.toFixed(0)).toBe(
      '90',
    );
  });

  it('takes the thresholds from the configuration', () => {
    const result = computeProfitability(data, '2025-01-31', { ...config, loyalAbove: 89, disloyalBelow: 41 });
    expect(result.serviceRoi.map((r) => [r.loyal_customers, r.disloyal_customers])).toEqual([[1, 1]]);
  });
});

describe('computeServiceRoi, surveys in any order', () => {
  // Four customers: a (vip, CLV 100), b and c (mass, 200 and 300), d (no segment, 800).
  const segments = ['vip', 'mass', 'mass', null];
  const clvs = [100, 200, 300, 800];
  const customers = ['a', 'b', 'c', 'd'].map(
    (id, i) =>
      ({
        customerId: id,
        segment: segments[i],
        clvDiscounted: money(clvs[i] as number),
      }) as unknown as CustomerFacts,
  );
  const byId = new Map(customers.map((c) => [c.customerId, c]));
  // Up to 30 surveys of them and of an id outside the base, on dates around three month ends and
  // after as_of, scores on both sides of each threshold.
  const surveyRows = fc.array(
    fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'ghost'),
      day: fc.constantFrom('2025-01-05', '2025-01-31', '2025-02-14', '2025-03-20', '2025-04-02'),
      score: fc.constantFrom(10, 49, 50, 85, 86, 100),
    }),
    { maxLength: 30 },
  );
  // Surveys are taken in date order, one date's in their given order (a stable sort by date), so
  // of a customer's surveys on one date the last given counts: the result is that of only those.
  it('gives what the last survey of each customer and date gives', () => {
    const costs = [serviceCost('2025-01', 500), serviceCost('2025-02', 300), serviceCost('2025-03', 0)];
    fc.assert(
      fc.property(surveyRows, (rows) => {
        const surveys = rows.map((r) => survey(r.id, r.day, r.score));
        const last = new Map(surveys.map((r) => [`${r.customer_id}|${r.surveyed_on}`, r]));
        const kept = surveys.filter((r) => last.get(`${r.customer_id}|${r.surveyed_on}`) === r).reverse();
        const roi = (records: typeof surveys) =>
          JSON.stringify(
            computeServiceRoi(
              customers,
              byId,
              records,
              costs,
              '2025-03-31',
              DEFAULT_PROFITABILITY_CONFIG,
              new Warnings(),
            ),
          );
        expect(roi(surveys)).toBe(roi(kept));
      }),
      { numRuns: 300 },
    );
  });

  it('counts each customer by their latest survey up to each month end, valued by their group', () => {
    // The rule written plainly: per month, every customer's last survey (by date, then as given)
    // up to the month's end, counted loyal or disloyal under their group's average CLV (the ids
    // outside the customer base under the average over every customer, 350, never under the
    // group of the customers without a segment, 800).
    const groupClv: Record<string, number> = { vip: 100, mass: 250, none: 800, ghost: 350 };
    const groupOf = (id: string) =>
      id === 'a' ? 'vip' : id === 'd' ? 'none' : id === 'ghost' ? 'ghost' : 'mass';
    const months = [
      ['2025-01', '2025-01-31', 500],
      ['2025-02', '2025-02-28', 300],
      ['2025-03', '2025-03-31', 100],
    ] as const;
    const costs = months.map(([month, , cost]) => serviceCost(month, cost));
    fc.assert(
      fc.property(surveyRows, (rows) => {
        const surveys = rows.map((r) => survey(r.id, r.day, r.score));
        const rowsOut = computeServiceRoi(
          customers,
          byId,
          surveys,
          costs,
          '2025-03-31',
          DEFAULT_PROFITABILITY_CONFIG,
          new Warnings(),
        );
        // Numbered as the compute job numbers them (by fact, the other ids after): the same rows.
        const factOf: Record<string, number> = { c: 0, a: 1, d: 2, b: 3 };
        const byFact = numberSurveyedCustomers(
          surveys,
          (id) => factOf[id],
          4,
          (number) => customers.find((c) => factOf[c.customerId] === number),
        );
        expect(
          computeServiceRoi(
            customers,
            byFact,
            surveys,
            costs,
            '2025-03-31',
            DEFAULT_PROFITABILITY_CONFIG,
            new Warnings(),
          ),
        ).toEqual(rowsOut);
        // A numbering is for the surveys it numbered: another list of the same surveys is refused.
        expect(() => latestSurveys([...surveys], byFact, '2025-03-31')).toThrow(/numbered for other surveys/);
        const latest = latestSurveys(surveys, byFact, '2025-03-31');
        const plain = latestSatisfaction(surveys, '2025-03-31');
        for (const [id, record] of plain)
          expect(
            surveys[
              latest[byFact.numbers[surveys.findIndex((r) => r.customer_id === id)] as number] as number
            ],
          ).toBe(record);
        expect([...latest].filter((at) => at !== -1).length).toBe(plain.size);
        const expected = months.map(([month, end]) => {
          const latest = new Map<string, number>();
          const inOrder = rows
            .map((r, i) => ({ ...r, i }))
            .filter((r) => r.day <= end)
            .sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : x.i - y.i));
          for (const r of inOrder) latest.set(r.id, r.score);
          let loyal = 0;
          let disloyal = 0;
          let benefit = 0;
          let loss = 0;
          for (const [id, score] of latest) {
            const clv = groupClv[groupOf(id)] as number;
            if (score > 85) {
              loyal += 1;
              benefit += clv;
            } else if (score < 50) {
              disloyal += 1;
              loss += clv;
            }
          }
          return [month, loyal, disloyal, benefit, loss];
        });
        expect(
          rowsOut.map((row) => [
            row.month,
            row.loyal_customers,
            row.disloyal_customers,
            row.benefit.toNumber(),
            row.loss.toNumber(),
          ]),
        ).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('service_roi as published (rounded to the cent)', () => {
  // Three customers of one segment, each with one order 3.5 years before a 4-year tenure: simple
  // CLV = revenue x 365.25 / 1,461 x 5 = revenue x 1.25.
  const threeCustomers = (revenues: readonly string[], scores: readonly number[]) =>
    snapshot({
      customers: ['A', 'B', 'C'].map((id) => customer(id, '2020-12-31', { segment: 'S' })),
      transactions: ['A', 'B', 'C'].map((id, i) => tx(id, '2021-06-01', revenues[i] as string)),
      satisfaction: ['A', 'B', 'C'].map((id, i) => survey(id, '2024-06-01', scores[i] as number)),
      service_costs: [serviceCost('2024-12', '100.00')],
    });
  const published = (row: ServiceRoiRow) => ({
    clv: row.clv.toFixed(2),
    benefit: row.benefit.toFixed(2),
    loss: row.loss.toFixed(2),
    net_benefit: row.net_benefit.toFixed(2),
    net_cost: row.net_cost.toFixed(2),
    roi_pct: row.roi_pct?.toFixed(6) ?? null,
  });

  it('publishes net_benefit = benefit - loss of the published figures, and the ROI % of those', () => {
    // CLVs 12.5, 12.5125, 12.5375: the segment's CLV 37.55 / 3 = 12.51666...; A, B loyal, C disloyal.
    // benefit 25.0333... -> 25.03, loss 12.51666... -> 12.52; net benefit 25.03 - 12.52 = 12.51
    // (its own rounding, 12.51666... -> 12.52, was a cent off); ROI (12.51 - 100) x 100 / 100.
    const data = threeCustomers(['10.00', '10.01', '10.03'], [90, 90, 10]);
    for (const rounding of ['half_even', 'half_up'] as const) {
      const config = resolveConfig({ serviceRoiClv: 'simple', rounding });
      const [row] = computeProfitability(data, '2024-12-31', config).serviceRoi;
      expect(published(row as ServiceRoiRow)).toEqual({
        clv: '12.52',
        benefit: '25.03',
        loss: '12.52',
        net_benefit: '12.51',
        net_cost: '100.00',
        roi_pct: '-87.490000',
      });
    }
  });

  it("multiplies a group's CLV total by its counts before dividing by its customers", () => {
    // CLVs 12.5, 12.5, 12.675 (37.675 together), all three loyal: benefit = 37.675 x 3 / 3, an exact
    // half cent, rounded up under both modes (8 is even). The average first, 12.558333... (40
    // digits), times 3 came to 37.67499...9 and published 37.67.
    const data = threeCustomers(['10.00', '10.00', '10.14'], [90, 90, 90]);
    for (const rounding of ['half_even', 'half_up'] as const) {
      const config = resolveConfig({ serviceRoiClv: 'simple', rounding });
      const [row] = computeProfitability(data, '2024-12-31', config).serviceRoi;
      expect(row?.benefit.toFixed(2)).toBe('37.68');
      expect(row?.net_benefit.toFixed(2)).toBe('37.68');
      expect(row?.roi_pct?.toFixed(6)).toBe('-62.320000');
    }
    // serviceCentreMonth takes a group's CLV as a total over its customers the same way.
    const row = serviceCentreMonth(
      '2024-12',
      [{ clvTotal: '37.675', customers: 3, loyal: 3, disloyal: 0 }],
      100,
    );
    expect(row.benefit.toString()).toBe('37.675');
    expect(row.clv.equals(money('37.675').dividedBy(3))).toBe(true);
  });

  it('net_benefit = benefit - loss and roi_pct is that of the published figures, every month', () => {
    const amount = fc.integer({ min: 1, max: 10_000_000 }).map((cents) => (cents / 100).toFixed(2));
    const customerRows = fc.array(
      fc.record({
        segment: fc.constantFrom('vip', 'mass', null),
        acquired: fc.constantFrom('2020-12-31', '2022-03-15', '2023-07-01', '2024-01-10'),
        orders: fc.array(
          fc.record({ day: fc.constantFrom('2024-02-01', '2024-05-17', '2024-09-30'), revenue: amount }),
          { minLength: 1, maxLength: 3 },
        ),
        surveys: fc.array(
          fc.record({
            day: fc.constantFrom('2024-10-05', '2024-11-20', '2024-12-31'),
            score: fc.integer({ min: 0, max: 100 }),
          }),
          { maxLength: 2 },
        ),
      }),
      { minLength: 1, maxLength: 12 },
    );
    const costs = fc.array(fc.integer({ min: -100_000, max: 10_000_000 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(
        customerRows,
        costs,
        fc.constantFrom('half_even', 'half_up'),
        fc.constantFrom('simple', 'discounted', 'continuous'),
        (rows, monthCosts, rounding, clvKind) => {
          const data = snapshot({
            customers: rows.map((r, i) => customer(`c${i}`, r.acquired, { segment: r.segment })),
            transactions: rows.flatMap((r, i) => r.orders.map((o) => tx(`c${i}`, o.day, o.revenue))),
            satisfaction: rows.flatMap((r, i) => r.surveys.map((s) => survey(`c${i}`, s.day, s.score))),
            service_costs: monthCosts.map((cents, m) => serviceCost(`2024-1${m}`, (cents / 100).toFixed(2))),
          });
          const config = resolveConfig({
            serviceRoiClv: clvKind as 'simple',
            rounding: rounding as 'half_up',
          });
          const roi = computeProfitability(data, '2024-12-31', config).serviceRoi;
          expect(roi.length).toBe(3);
          for (const row of roi) {
            for (const column of ['clv', 'benefit', 'loss', 'net_benefit', 'net_cost'] as const)
              expect(row[column].decimalPlaces()).toBeLessThanOrEqual(2);
            expect(row.net_benefit.equals(row.benefit.minus(row.loss))).toBe(true);
            const pct = serviceRoiPct(row.net_benefit, row.net_cost);
            expect(row.roi_pct?.toString() ?? null).toBe(
              pct && roundMoney(pct, 6, rounding as 'half_up').toString(),
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
