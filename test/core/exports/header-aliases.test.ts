import { describe, expect, it } from 'vitest';
import { headerAliasesOf } from '../../../core/exports/headers.ts';

describe('headerAliasesOf', () => {
  it('is the same for the same aliases however they are ordered, and only for the kind asked', () => {
    const one = headerAliasesOf('transactions', {
      transactions: { revenue: ['净额', 'net'], customer_id: ['client'] },
      customers: { segment: ['tier'] },
    });
    const other = headerAliasesOf('transactions', {
      transactions: { customer_id: ['client'], revenue: ['net', '净额'] },
    });
    expect(one).toBe(other);
    expect(headerAliasesOf('transactions', {})).toBe(headerAliasesOf('transactions', { transactions: {} }));
    expect(headerAliasesOf('transactions', { transactions: { revenue: [] } })).toBe(
      headerAliasesOf('transactions', {}),
    );
  });

  it('differs once an alias of the kind is added or removed', () => {
    const before = headerAliasesOf('transactions', { transactions: { revenue: ['net'] } });
    expect(headerAliasesOf('transactions', { transactions: { revenue: ['net', 'amount'] } })).not.toBe(
      before,
    );
    expect(headerAliasesOf('transactions', {})).not.toBe(before);
  });
});
