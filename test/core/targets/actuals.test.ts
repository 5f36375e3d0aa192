import { describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import {
  actualsFromTransactions,
  indexActuals,
  repTeamsFromTransactions,
} from '../../../core/targets/actuals.ts';
import { toEpochDay } from '../../../core/targets/dates.ts';
import { sale } from './helpers.ts';

const transactions = [
  sale('2026-01-05', '100', {
    order_id: 'A',
    customer_id: 'c1',
    cost: money(60),
    returned_amount: money(10),
    team: 'n',
    rep_id: '1',
  }),
  sale('2026-01-05', '50', { order_id: 'A', customer_id: 'c1', cost: money(20), team: 'n', rep_id: '1' }),
  sale('2026-01-06', '80', { order_id: 'B', customer_id: 'c1', team: 's', rep_id: '2' }),
  sale('2026-01-07', '40', { order_id: 'C', customer_id: 'c2', team: 's', rep_id: '2' }),
];

const total = (rows: ReturnType<typeof actualsFromTransactions>, metric: string) =>
  rows.filter((r) => r.metric === metric).reduce((a, r) => a.plus(r.value), money(0));

describe('actuals from transactions', () => {
  it('derives net revenue, gross profit, distinct orders and new customers', () => {
    const rows = actualsFromTransactions(transactions, { revenueNetOfReturns: true });
    expect(total(rows, 'revenue').toString()).toBe('260');
    expect(total(rows, 'profit').toString()).toBe('180');
    expect(total(rows, 'orders').toString()).toBe('3');
    expect(total(rows, 'new_customers').toString()).toBe('2');
    expect(
      total(actualsFromTransactions(transactions, { revenueNetOfReturns: false }), 'revenue').toString(),
    ).toBe('270');
  });

  it('does not count a customer as new when older history says otherwise', () => {
    const rows = actualsFromTransactions(transactions, {
      revenueNetOfReturns: true,
      firstOrderDates: new Map([['c1', '2024-05-01']]),
    });
    expect(total(rows, 'new_customers').toString()).toBe('1');
  });

  it('credits company, team and rep, and leaves out days not closed yet', () => {
    const rows = actualsFromTransactions(transactions, { revenueNetOfReturns: true });
    const index = indexActuals(rows, toEpochDay('2026-01-07'));
    const revenue = (scope: string) =>
      [...(index.get(scope)?.get('revenue')?.values() ?? [])]
        .reduce((a, b) => a.plus(b), money(0))
        .toString();
    expect(revenue('company')).toBe('220');
    expect(revenue('team:n')).toBe('140');
    expect(revenue('rep:2')).toBe('80');
    expect(repTeamsFromTransactions(transactions)).toEqual({ '1': 'n', '2': 's' });
  });
});
