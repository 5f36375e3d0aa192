import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExportLoad } from '../../../core/exports/export-load.ts';
import { mapHeaders } from '../../../core/exports/headers.ts';
import { checkManifest } from '../../../core/exports/manifest.ts';
import { fromUnscaled, money } from '../../../core/money.ts';
import { financeCell } from '../../support/finance-cells.ts';

const start = (header: string[]) => {
  const started = ExportLoad.start('transactions', header);
  if (!started.ok) throw new Error(started.reason);
  return started.load;
};

describe('header mapping', () => {
  it('matches English and Chinese aliases case-insensitively, and overrides from configuration', () => {
    const mapping = mapHeaders('transactions', ['订单号', ' Customer_ID ', '日期', '净额', 'Notes'], {
      transactions: { revenue: ['净额'] },
    });
    expect(Object.fromEntries(mapping.positions)).toEqual({
      order_id: 0,
      customer_id: 1,
      order_date: 2,
      revenue: 3,
    });
    expect(mapping.ignored).toEqual(['Notes']);
    expect(mapping.missingRequired).toEqual([]);
  });

  it('rejects a file without a required column with one clear reason', () => {
    const started = ExportLoad.start('transactions', ['order_id', 'customer_id', 'revenue']);
    expect(started).toEqual({
      ok: false,
      reason: expect.stringMatching(/^missing required column order_date/),
    });
  });
});

describe('row validation', () => {
  it('names the line, column and value of a bad row', () => {
    const load = start(['order_id', 'customer_id', 'order_date', 'revenue']);
    const outcome = load.accept(['O1', 'C1', '2025-13-01', '10'], 1042);
    expect(outcome).toEqual({
      line: 1042,
      column: 'order_date',
      reason: '"2025-13-01" is not a date',
      fields: ['O1', 'C1', '2025-13-01', '10'],
    });
    expect(load.batch.length).toBe(0);
  });

  it('quarantines an amount with fractions of a cent rather than rounding it', () => {
    const load = start(['order_id', 'customer_id', 'order_date', 'revenue']);
    expect(load.accept(['O1', 'C1', '2025-01-01', '10.005'], 2)).toMatchObject({ column: 'revenue' });
  });

  it('reports the same order and product twice as a duplicate, but allows several lines per order', () => {
    const load = start(['order_id', 'customer_id', 'order_date', 'revenue', 'product_id']);
    expect(load.accept(['O1', 'C1', '2025-01-01', '10', 'P1'], 2)).toBeNull();
    expect(load.accept(['O1', 'C1', '2025-01-01', '5', 'P2'], 3)).toBeNull();
    expect(load.accept(['O1', 'C1', '2025-01-01', '10', 'P1'], 4)).toMatchObject({
      column: 'order_id',
      reason: 'duplicate order_id "O1" for product P1 (first on line 2)',
    });
    expect(load.batch.length).toBe(2);
  });

  it('applies defaults to optional columns and leaves others null', () => {
    const load = start(['order_id', 'customer_id', 'order_date', 'revenue']);
    expect(load.accept(['O1', 'C1', '2025-01-01', '10'], 2)).toBeNull();
    const row = load.batch.row(0);
    expect(row.revenue).toBe(1000n);
    expect(row.cost).toBe(0n);
    expect(row.returned_amount).toBe(0n);
    expect(row.team).toBeNull();
    expect(row.order_date).toBe('2025-01-01');
    expect(row.source_line).toBe(2);
  });
});

const cell = financeCell;

describe('nothing is lost (property)', () => {
  it('every row is curated or quarantined exactly once and the control totals balance to the cent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.constantFrom('C1', 'C2', ''), cell, cell, cell), {
          maxLength: 60,
        }),
        (rows) => {
          const load = start(['order_id', 'customer_id', 'order_date', 'revenue', 'cost']);
          let curatedCents = 0n;
          let quarantined = 0;
          rows.forEach((fields, i) => {
            const before = load.batch.length;
            if (load.accept(fields, i + 2) === null) curatedCents += load.batch.row(before).revenue as bigint;
            else quarantined += 1;
          });
          const report = load.totals.toJSON();
          expect(report.rows_in).toBe(rows.length);
          expect(report.rows_curated + report.rows_quarantined).toBe(rows.length);
          expect(report.rows_quarantined).toBe(quarantined);
          expect(report.balanced).toBe(true);
          // The figures as reported add up too: read = curated + quarantined, exactly.
          for (const [column, t] of Object.entries(report.amounts))
            expect(money(t.curated).plus(money(t.quarantined)).equals(money(t.in)), column).toBe(true);
          expect(money(report.amounts.revenue?.curated ?? 'NaN').equals(fromUnscaled(curatedCents))).toBe(
            true,
          );
          expect(
            checkManifest(
              { rows: rows.length, totals: { revenue: report.amounts.revenue?.in ?? '0' } },
              report,
            ),
          ).toEqual([]);
        },
      ),
    );
  });

  it('reports amounts with fractions of a cent exactly, so the figures add up and a true manifest agrees', () => {
    const load = start(['order_id', 'customer_id', 'order_date', 'revenue']);
    expect(load.accept(['SO1', 'C1', '2025-03-01', '0.01'], 2)).toBeNull();
    expect(load.accept(['SO2', 'C1', '2025-03-01', '0.015'], 3)).toMatchObject({ column: 'revenue' });
    const report = load.totals.toJSON();
    expect(report.amounts.revenue).toMatchObject({ in: '0.025', curated: '0.01', quarantined: '0.015' });
    expect(checkManifest({ rows: 2, totals: { revenue: '0.025' } }, report)).toEqual([]);
    expect(checkManifest({ rows: 2, totals: { revenue: '0.02' } }, report)).toEqual([
      'manifest says revenue totals 0.02, the file totals 0.025',
    ]);
  });

  it('a manifest that disagrees names what differs', () => {
    const load = start(['order_id', 'customer_id', 'order_date', 'revenue']);
    load.accept(['O1', 'C1', '2025-01-01', '10.00'], 2);
    expect(checkManifest({ rows: 2, totals: { revenue: '11.00' } }, load.totals.toJSON())).toEqual([
      'manifest says 2 rows, the file has 1',
      'manifest says revenue totals 11.00, the file totals 10.00',
    ]);
  });

  it('reads manifest totals as finance writes amounts, and names a total it cannot read instead of failing', () => {
    const load = start(['order_id', 'customer_id', 'order_date', 'revenue']);
    load.accept(['O1', 'C1', '2025-01-01', '1003.00'], 2);
    const report = load.totals.toJSON();
    expect(checkManifest({ rows: 1, totals: { revenue: '1,003.00' } }, report)).toEqual([]);
    expect(checkManifest({ rows: 1, totals: { revenue: '¥1,003.00' } }, report)).toEqual([]);
    expect(checkManifest({ rows: 1, totals: { revenue: 1003 } }, report)).toEqual([]);
    expect(checkManifest({ rows: 1, totals: { revenue: 'about 1000' } }, report)).toEqual([
      expect.stringMatching(/^manifest gives revenue as "about 1000", which is not an amount: /),
    ]);
    expect(checkManifest({ rows: 1, totals: { revenue: '' } }, report)).toHaveLength(1);
    // A name that every object answers to is no amount column either.
    expect(checkManifest({ rows: 1, totals: { toString: '1.00', constructor: '1.00' } }, report)).toEqual([
      'manifest gives a total for toString, which is not an amount column of this export',
      'manifest gives a total for constructor, which is not an amount column of this export',
    ]);
  });
});
