import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ControlTotals } from '../../../core/exports/control-totals.ts';
import { Money } from '../../../core/money.ts';
import { parseAmount } from '../../../core/values.ts';

/**
 * ControlTotals sums as numbers and bigints while that is exact, and moves a duplicate's cents from
 * curated to quarantined without reading its cells again. Held here to the plain definition, summed
 * in decimals cell by cell: in = every readable cell read; curated = the curated rows' cents;
 * quarantined = every quarantined row's readable cells (a duplicate's as it was curated).
 */
const Exact = Money.clone({ precision: 1e9 });

const amountCell = fc.oneof(
  fc.integer({ min: -10_000_000_00, max: 10_000_000_00 }).map((cents) => (cents / 100).toFixed(2)),
  fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }).map(String),
  fc.constantFrom(
    '',
    ' ',
    '12.345',
    '1,234.56',
    '(12.00)',
    '¥3.50',
    'abc',
    '-0',
    '0.001',
    '9'.repeat(40),
    ' 7 ',
  ),
);
/** Cents a curated cell can hold: numbers, and bigints past 2^53. */
const curatedCents = fc.oneof(
  fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
  fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }),
  fc.constant(Number.MAX_SAFE_INTEGER),
);
type Step =
  | { op: 'curated'; cents: (number | bigint | null)[] }
  | { op: 'quarantined'; fields: string[] }
  | { op: 'duplicate'; cents: (number | bigint | null)[] };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('curated' as const),
    cents: fc.array(fc.option(curatedCents), { minLength: 2, maxLength: 2 }),
  }),
  fc.record({
    op: fc.constant('quarantined' as const),
    fields: fc.array(amountCell, { minLength: 3, maxLength: 3 }),
  }),
  fc.record({
    op: fc.constant('duplicate' as const),
    cents: fc.array(fc.option(curatedCents), { minLength: 2, maxLength: 2 }),
  }),
);

function reference(steps: Step[]) {
  const columns = ['revenue', 'cost'].map(() => ({
    in: new Exact(0),
    curated: new Exact(0),
    quarantined: new Exact(0),
    unreadable: 0,
  }));
  const centsOf = (c: number | bigint) => new Exact(c.toString()).dividedBy(100);
  let curatedRows = 0;
  let quarantinedRows = 0;
  for (const s of steps) {
    if (s.op === 'quarantined') {
      quarantinedRows += 1;
      // revenue at field 0, cost at field 2 (field 1 is not an amount)
      [s.fields[0], s.fields[2]].forEach((raw, k) => {
        const t = columns[k] as (typeof columns)[number];
        if (raw === undefined || raw.trim() === '') return;
        const read = parseAmount(raw);
        if (!read.ok) {
          t.unreadable += 1;
          return;
        }
        t.in = t.in.plus(read.value);
        t.quarantined = t.quarantined.plus(read.value);
      });
      continue;
    }
    if (s.op === 'curated') curatedRows += 1;
    else quarantinedRows += 1;
    s.cents.forEach((c, k) => {
      const t = columns[k] as (typeof columns)[number];
      if (c === null) return;
      t.in = t.in.plus(centsOf(c));
      if (s.op === 'curated') t.curated = t.curated.plus(centsOf(c));
      else t.quarantined = t.quarantined.plus(centsOf(c));
    });
  }
  return {
    rows_in: curatedRows + quarantinedRows,
    rows_curated: curatedRows,
    rows_quarantined: quarantinedRows,
    amounts: {
      revenue: report(columns[0] as (typeof columns)[number]),
      cost: report(columns[1] as (typeof columns)[number]),
    },
    balanced: true,
  };
}

function report(t: { in: Money; curated: Money; quarantined: Money; unreadable: number }) {
  // To the cent, or every decimal a total has beyond it.
  const exact = (total: Money) => total.toFixed(Math.max(2, total.decimalPlaces()));
  return {
    in: exact(t.in),
    curated: exact(t.curated),
    quarantined: exact(t.quarantined),
    unreadable_cells: t.unreadable,
  };
}

function run(steps: Step[]) {
  const totals = new ControlTotals(
    new Map([
      ['revenue', 0],
      ['cost', 2],
    ]),
  );
  for (const s of steps) {
    if (s.op === 'quarantined') {
      totals.addQuarantined(s.fields);
      continue;
    }
    // A duplicate is first curated, then found out and moved to quarantine.
    totals.addCuratedRow();
    s.cents.forEach((c, k) => {
      if (c !== null) totals.addCuratedCents(k, c);
    });
    if (s.op === 'duplicate') {
      totals.quarantineCuratedRow();
      s.cents.forEach((c, k) => {
        if (c !== null) totals.quarantineCuratedCents(k, c);
      });
    }
  }
  return totals.toJSON();
}

describe('ControlTotals', () => {
  it('sums to the cent as decimals summed cell by cell would (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        expect(run(steps)).toEqual(reference(steps));
      }),
      { numRuns: 2000 },
    );
  });

  it('stays exact where a double sum would not (many cents near 2^53)', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 50; i++) {
      steps.push({ op: 'curated', cents: [Number.MAX_SAFE_INTEGER - i, -(2 ** 52) + i] });
      steps.push({ op: 'duplicate', cents: [Number.MAX_SAFE_INTEGER, 2 ** 52 + 1] });
      steps.push({ op: 'quarantined', fields: ['90071992547409.91', 'x', '-45035996273704.97'] });
    }
    expect(run(steps)).toEqual(reference(steps));
  });
});
