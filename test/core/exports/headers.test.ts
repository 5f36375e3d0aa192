import { describe, expect, it } from 'vitest';
import { ambiguousHeaderReason, mapHeaders, normaliseHeader } from '../../../core/exports/headers.ts';

describe('normalising a header cell', () => {
  it('folds full-width letters, digits and punctuation as cell values are folded', () => {
    expect(normaliseHeader('期间（月）')).toBe(normaliseHeader('期间(月)'));
    expect(normaliseHeader('客户ＩＤ')).toBe('客户id');
    expect(normaliseHeader('ＯＲＤＥＲ＿ＩＤ')).toBe('order_id');
    expect(normaliseHeader('\uFEFF　Order　Date　')).toBe('order_date');
  });
});

describe('mapping header cells to columns: exact name, then header_aliases, then built-in aliases', () => {
  it('two cells matching a column at the same level leave it unmapped and ambiguous', () => {
    const mapping = mapHeaders('transactions', ['Order No', 'Customer ID', 'Date', 'Sales', 'Net Revenue']);
    expect(mapping.positions.has('revenue')).toBe(false);
    expect(mapping.missingRequired).toEqual(['revenue']);
    expect(mapping.ambiguous).toEqual([
      { column: 'revenue', headers: ['Sales', 'Net Revenue'], configured: false },
    ]);
  });

  it('an exact name beats header_aliases, which beat the built-in aliases', () => {
    const header = ['order_id', 'customer_id', 'order_date', 'Sales', 'Net Revenue', 'revenue'];
    expect(mapHeaders('transactions', header).positions.get('revenue')).toBe(5);
    const configured = mapHeaders('transactions', header.slice(0, 5), {
      transactions: { revenue: ['Sales'] },
    });
    expect(configured.positions.get('revenue')).toBe(3);
    expect(configured.ambiguous).toEqual([]);
    expect(configured.ignored).toEqual(['Net Revenue']);
  });

  it('the same header twice is one candidate: the first cell is kept, the rest ignored', () => {
    const mapping = mapHeaders('transactions', ['order_id', 'customer_id', 'order_date', 'Sales', ' SALES ']);
    expect(mapping.positions.get('revenue')).toBe(3);
    expect(mapping.ambiguous).toEqual([]);
    expect(mapping.ignored).toEqual([' SALES ']);
  });

  it('says which column, which headers and how to choose', () => {
    const header = ['order_id', 'customer_id', 'order_date', 'Sales', 'Net Revenue', '成本', 'cogs'];
    expect(ambiguousHeaderReason('transactions', mapHeaders('transactions', header))).toBe(
      'ambiguous header: columns "Sales" and "Net Revenue" both match revenue; columns "成本" and "cogs" both match cost. Say which column to load: add its header to header_aliases for that field, e.g. {"transactions": {"revenue": ["Net Revenue"]}}, and it wins over the others',
    );
    expect(
      ambiguousHeaderReason(
        'transactions',
        mapHeaders('transactions', header.slice(0, 5), { transactions: { revenue: ['Sales'] } }),
      ),
    ).toBeNull();
    expect(
      ambiguousHeaderReason(
        'transactions',
        mapHeaders('transactions', header.slice(0, 5), {
          transactions: { revenue: ['sales', 'net revenue'] },
        }),
      ),
    ).toBe(
      'ambiguous header: columns "Sales" and "Net Revenue" both match revenue through header_aliases (transactions.revenue). Keep only the header of the column to load there',
    );
  });
});
