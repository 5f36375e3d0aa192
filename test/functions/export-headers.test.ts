import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { curateFile } from '../support/curate-file.ts';

/**
 * Ingest's outcome for a file: curated rows as text, quarantined lines (line, column, reason), or
 * the reason it was rejected whole. Small chunks, so the header arrives in pieces.
 */
async function curate(
  input: string | Uint8Array,
  kind: ExportKind = 'transactions',
  config: Record<string, unknown> = {},
  chunkSize = 5,
) {
  const { result, rows, quarantined } = await curateFile(input, { kind, config, chunkSize });
  const texts = rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([name, value]) => [name, value === null ? null : String(value)]),
    ),
  );
  return { result, rows: texts, quarantined };
}

const rejected = async (...args: Parameters<typeof curate>) => {
  const { result } = await curate(...args);
  if (result.ok) throw new Error('expected the export to be rejected');
  return result;
};

describe('two header cells matching one column (a review: gross sales loaded as net revenue)', () => {
  it('rejects Sales beside Net Revenue, naming the column, both headers and how to choose', async () => {
    const result = await rejected(
      'Order No,Customer ID,Date,Sales,Discount,Net Revenue\nO1,C1,2025-03-01,100.00,20.00,80.00\n',
    );
    expect(result.forHeader).toBe(true);
    expect(result.reason).toMatch(/\brevenue\b/);
    expect(result.reason).toContain('"Sales"');
    expect(result.reason).toContain('"Net Revenue"');
    expect(result.reason).toContain('header_aliases');
    expect(result.reason).not.toMatch(/missing required/);
  });

  it('loads the column header_aliases names for the field: it wins over the built-in alias', async () => {
    const text =
      'Order No,Customer ID,Date,Sales,Discount,Net Revenue\nO1,C1,2025-03-01,100.00,20.00,80.00\n';
    const { result, rows } = await curate(text, 'transactions', {
      header_aliases: { transactions: { revenue: ['Net Revenue'] } },
    });
    expect(result.ok && result.ignoredColumns).toEqual(['Sales', 'Discount']);
    expect(rows.map((row) => [row.order_id, row.revenue])).toEqual([['O1', '80']]);
    // And the other way round, when gross is what the deployment wants.
    const gross = await curate(text, 'transactions', {
      header_aliases: { transactions: { revenue: ['sales'] } },
    });
    expect(gross.rows.map((row) => row.revenue)).toEqual(['100']);
  });

  it('rejects 金额 beside 净销售额 the same way, and loads 净销售额 once it is named', async () => {
    const text = '订单号,客户编号,订单日期,金额,折扣,净销售额\nO1,C1,2025-03-01,100.00,20.00,80.00\n';
    const result = await rejected(text);
    expect(result.reason).toMatch(/\brevenue\b/);
    expect(result.reason).toContain('"金额"');
    expect(result.reason).toContain('"净销售额"');
    const named = await curate(text, 'transactions', {
      header_aliases: { transactions: { revenue: ['净销售额'] } },
    });
    expect(named.rows.map((row) => row.revenue)).toEqual(['80']);
  });

  it('an optional column matched twice is rejected too, not loaded from whichever comes first', async () => {
    const result = await rejected(
      'order_id,customer_id,order_date,revenue,成本,产品成本\nO1,C1,2025-03-01,100.00,60.00,55.00\n',
    );
    expect(result.reason).toMatch(/\bcost\b/);
    expect(result.reason).toContain('"成本"');
    expect(result.reason).toContain('"产品成本"');
  });

  it('two headers both in header_aliases for one field: rejected, saying to keep only one there', async () => {
    const result = await rejected(
      'order_id,customer_id,order_date,Net,Net Amount\nO1,C1,2025-03-01,100.00,80.00\n',
      'transactions',
      { header_aliases: { transactions: { revenue: ['Net', 'Net Amount'] } } },
    );
    expect(result.reason).toContain('"Net"');
    expect(result.reason).toContain('"Net Amount"');
    expect(result.reason).toMatch(/header_aliases/);
  });

  it('the exact column name still wins over any alias, as before', async () => {
    const { rows } = await curate(
      'order_id,customer_id,order_date,Sales,revenue,金额\nO1,C1,2025-03-01,100.00,80.00,90.00\n',
    );
    expect(rows.map((row) => row.revenue)).toEqual(['80']);
  });

  it('the same header twice is one column: the first is kept and the rest ignored, as before', async () => {
    const exact = await curate('order_id,customer_id,order_date,revenue,Revenue\nO1,C1,2025-03-01,12,99\n');
    expect(exact.rows.map((row) => row.revenue)).toEqual(['12']);
    expect(exact.result.ok && exact.result.ignoredColumns).toEqual(['Revenue']);
    const alias = await curate('order_id,customer_id,order_date,Sales,sales\nO1,C1,2025-03-01,12,99\n');
    expect(alias.rows.map((row) => row.revenue)).toEqual(['12']);
    expect(alias.result.ok && alias.result.ignoredColumns).toEqual(['sales']);
  });
});

describe('full-width header characters fold as cell values do', () => {
  it('期间（月） is 期间(月), the service_costs period', async () => {
    const { rows } = await curate('期间（月）,净成本\n2025-03,12\n', 'service_costs');
    expect(rows.map((row) => [row.period, row.net_cost])).toEqual([['2025-03', '12']]);
  });

  it('客户ＩＤ and ＯＲＤＥＲ＿ＩＤ (and an ideographic space) are matched', async () => {
    const { rows } = await curate('ＯＲＤＥＲ＿ＩＤ,客户ＩＤ,订单日期\u3000,金额\nO1,C1,2025-03-01,12\n');
    expect(rows.map((row) => [row.order_id, row.customer_id, row.revenue])).toEqual([['O1', 'C1', '12']]);
  });

  it('header_aliases written with full-width characters match too', async () => {
    const { rows } = await curate(
      'order_id,customer_id,order_date,净额(元)\nO1,C1,2025-03-01,12\n',
      'transactions',
      {
        header_aliases: { transactions: { revenue: ['净额（元）'] } },
      },
    );
    expect(rows.map((row) => row.revenue)).toEqual(['12']);
  });
});

describe('the delimiter is read from the line taken as the header', () => {
  it.each([
    [';', 'sep=;'],
    [',', 'sep=,'],
    ['\t', 'sep=\t'],
  ])("skips Excel's %j line and uses its delimiter; lines keep their numbers in the file", async (d, sep) => {
    const text = [
      sep,
      ['order_id', 'customer_id', 'order_date', 'revenue'].join(d),
      ['O1', 'C1', '2025-03-01', '12'].join(d),
      ['O2', 'C2', '2025-13-01', '5'].join(d),
      '',
    ].join('\r\n');
    const { result, rows, quarantined } = await curate(text);
    expect(result.ok && result.reading.delimiter).toBe(d);
    expect(result.ok && result.header).toEqual(['order_id', 'customer_id', 'order_date', 'revenue']);
    expect(rows.map((row) => [row.order_id, row.revenue, row.source_line])).toEqual([['O1', '12', '3']]);
    expect(quarantined).toEqual([{ line: 4, column: 'order_date', reason: '"2025-13-01" is not a date' }]);
  });

  it('a sep= line after a byte-order mark, or in UTF-16 and GBK, is skipped the same way', async () => {
    const text = 'sep=;\r\norder_id;customer_id;order_date;revenue\r\nO1;客户1;2025-03-01;12\r\n';
    for (const bytes of [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]),
      iconv.encode(text, 'utf16le', { addBOM: true }),
      iconv.encode(text, 'gbk'),
    ]) {
      const { result, rows } = await curate(bytes);
      expect(result.ok && result.reading.delimiter).toBe(';');
      expect(rows.map((row) => [row.customer_id, row.source_line])).toEqual([['客户1', '3']]);
    }
  });

  it('a sep= line naming a delimiter ingest does not read rejects the file with that reason', async () => {
    const result = await rejected('sep=|\norder_id|customer_id|order_date|revenue\nO1|C1|2025-03-01|12\n');
    expect(result.reason).toMatch(/sep=\|/);
    expect(result.reason).toMatch(/comma, tab or semicolon/);
  });

  it.each([
    ['a blank line', '\r\n', ';'],
    ['blank lines and spaces', '\n  \n\n', '\t'],
    ["a spreadsheet's empty first row", ';;;\r\n', ';'],
    ["a spreadsheet's empty first row, comma", ',,,\r\n', ';'],
  ])('a file beginning with %s takes its delimiter from the header line after it', async (_name, lead, d) => {
    const lines = lead.split(/\r?\n/).length - 1;
    const text = `${lead}${['order_id', 'customer_id', 'order_date', 'revenue'].join(d)}\r\n${['O1', 'C1', '2025-03-01', '1,234.00'].join(d)}\r\n${['O2', 'C2', '2025-13-01', '5'].join(d)}\r\n`;
    const { result, rows, quarantined } = await curate(text);
    expect(result.ok && result.reading.delimiter).toBe(d);
    expect(rows.map((row) => [row.order_id, row.revenue, row.source_line])).toEqual([
      ['O1', '1234', String(lines + 2)],
    ]);
    expect(quarantined).toEqual([
      { line: lines + 3, column: 'order_date', reason: '"2025-13-01" is not a date' },
    ]);
  });

  it('a file of nothing but blank lines and empty cells has no header row', async () => {
    const result = await rejected('\r\n,,,\r\n;;\r\n');
    expect(result.reason).toBe('the file has no header row');
  });

  it('leaves an optional text column matched twice empty, with a note, and loads the rest (省份 beside 地区)', async () => {
    const { result, rows } = await curate(
      '客户编号,注册日期,省份,地区,客户类型\nC1,2025-01-01,浙江,华东,VIP\n',
      'customers',
    );
    expect(result.ok).toBe(true);
    expect(rows).toEqual([
      expect.objectContaining({ customer_id: 'C1', acquired_on: '2025-01-01', region: null, segment: 'VIP' }),
    ]);
    expect(result.ok && result.headerNotes).toEqual([
      'columns "省份" and "地区" both match region: it is left empty; to load one, add its header to header_aliases for customers.region',
    ]);
  });
});
