import { describe, expect, it } from 'vitest';
import { curateFile } from '../support/curate-file.ts';

/** Ingest's outcome for a transactions file that loads: curated rows, quarantined lines, totals. */
async function curate(text: string | Uint8Array, chunkSize = 7) {
  const { result, rows, quarantined } = await curateFile(text, { chunkSize });
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return { rows, quarantined, totals: result.totals };
}

const H = 'order_id,customer_id,order_date,revenue,cost,product_id,product_category';

describe('CSV as finance systems and spreadsheets write it (a review of dialects)', () => {
  it('a quote opened and never closed on its line does not take the rows after it into a cell in silence', async () => {
    const { rows, quarantined } = await curate(
      [
        H,
        'O1,C1,2025-03-01,10.00,1,P1,"Deluxe edition',
        'O2,C2,2025-03-02,20.00,2,P2,Books',
        'O3,C3,2025-03-03,30.00,3,P3,Books',
        'O4,C4,2025-03-04,40.00,4,P4,"5" disk',
        'O5,C5,2025-03-05,50.00,5,P5,Books',
        '',
      ].join('\n'),
    );
    expect(rows.map((row) => row.order_id)).toEqual(['O5']);
    expect(quarantined).toEqual([
      {
        line: 2,
        column: 'product_category',
        reason: expect.stringMatching(
          /^holds a line break \(it spans 4 lines of the file\): a quote opened in a cell and not closed on its line takes the lines after it into the cell/,
        ),
      },
    ]);
  });

  it('a row with fewer fields than the header is quarantined: a lone CR or an unquoted 1,234.00 shifts the amounts', async () => {
    const { rows, quarantined } = await curate(
      `order_id,customer_id,order_date,revenue,cost,returned_amount\nO1,C1,2025-03-01,1,234.00\nO2,C2,2025-03-02,5.00,1.00,0\n`,
    );
    expect(rows.map((row) => row.order_id)).toEqual(['O2']);
    expect(quarantined).toEqual([
      {
        line: 2,
        column: '*',
        reason:
          'has 5 fields but the header has 6 (a delimiter inside an unquoted value, or a line cut short?)',
      },
    ]);
  });

  it('a value under a header cell that is blank is quarantined, not dropped with the row curated', async () => {
    const { rows, quarantined } = await curate(
      'order_id,customer_id,order_date,revenue,cost,\nO1,C1,2025-03-01,1,234.00,10,\nO2,C2,2025-03-02,5.00,1.00,,\n',
    );
    expect(rows.map((row) => row.order_id)).toEqual(['O2']);
    expect(quarantined).toEqual([
      {
        line: 2,
        column: '*',
        reason: 'has a value in field 6, under a blank header cell (a delimiter inside an unquoted value?)',
      },
    ]);
  });

  it('an id Excel shortened to scientific notation is quarantined: its digits are gone, and ids would merge', async () => {
    const { rows, quarantined } = await curate(
      'order_id,customer_id,order_date,revenue,product_id\n1.23457E+11,C1,2025-03-01,10.00,P1\nO2,6.22202e+15,2025-03-02,20.00,P2\nO3,C3,2025-03-03,150.00,P3\n',
    );
    expect(rows.map((row) => row.order_id)).toEqual(['O3']);
    expect(quarantined).toEqual([
      {
        line: 2,
        column: 'order_id',
        reason:
          '"1.23457E+11" looks like a number a spreadsheet shortened (its digits are lost): format the column as text before exporting',
      },
      {
        line: 3,
        column: 'customer_id',
        reason:
          '"6.22202e+15" looks like a number a spreadsheet shortened (its digits are lost): format the column as text before exporting',
      },
    ]);
  });

  it('reads Excel\'s text-keeping ="00123" as the text inside it', async () => {
    const { rows } = await curate(
      'order_id,customer_id,order_date,revenue,product_id\n="00123",="C001",2025-03-01,12.00,"=""0042"""\n00124,C001,2025-03-02,3.00,0042\n',
    );
    expect(rows.map((row) => [row.order_id, row.customer_id, row.product_id])).toEqual([
      ['00123', 'C001', '0042'],
      ['00124', 'C001', '0042'],
    ]);
  });

  it('reads UTF-16 without a byte-order mark, little- or big-endian (it was rejected as binary content)', async () => {
    const text = 'order_id,customer_id,order_date,revenue\nO1,张三,2025-03-01,12.50\nO2,C2,2025-03-02,3.00\n';
    const le = Buffer.from(text, 'utf16le');
    for (const bytes of [le, Buffer.from(le).swap16()]) {
      const { rows, totals } = await curate(bytes, 5);
      expect(rows.map((row) => [row.order_id, row.customer_id])).toEqual([
        ['O1', '张三'],
        ['O2', 'C2'],
      ]);
      expect(totals.amounts.revenue?.curated).toBe('15.50');
    }
  });
});
