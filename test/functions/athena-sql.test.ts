import type { AthenaClient } from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { AthenaSql } from '../../functions/adapters/athena-sql.ts';

/** An Athena that runs one query: RUNNING once, then the given state, with results over two pages. */
function fakeAthena(finalState: 'SUCCEEDED' | 'FAILED') {
  const sent: string[] = [];
  let polls = 0;
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push(command.constructor.name);
      switch (command.constructor.name) {
        case 'StartQueryExecutionCommand':
          return { QueryExecutionId: 'q1' };
        case 'GetQueryExecutionCommand':
          polls += 1;
          return {
            QueryExecution: {
              Status:
                polls < 2
                  ? { State: 'RUNNING' }
                  : { State: finalState, StateChangeReason: 'COLUMN_NOT_FOUND' },
            },
          };
        default: {
          const first = command.input.NextToken === undefined;
          const cell = (v?: string) => (v === undefined ? {} : { VarCharValue: v });
          return {
            NextToken: first ? 'page2' : undefined,
            ResultSet: {
              ResultSetMetadata: {
                ColumnInfo: [
                  { Name: 'customer_id', Type: 'varchar' },
                  { Name: 'orders', Type: 'bigint' },
                  { Name: 'profit', Type: 'varchar' },
                  { Name: 'churned', Type: 'boolean' },
                ],
              },
              Rows: first
                ? [
                    { Data: [cell('customer_id'), cell('orders'), cell('profit'), cell('churned')] },
                    { Data: [cell('C1'), cell('3'), cell('12345678901234.56'), cell('false')] },
                  ]
                : [{ Data: [cell('C2'), cell(), cell('-0.01'), cell('true')] }],
            },
          };
        }
      }
    },
  };
  return { client: client as unknown as AthenaClient, sent };
}

describe('AthenaSql', () => {
  it('waits for the query, reads every page, and answers like the local DuckDB runner', async () => {
    const athena = fakeAthena('SUCCEEDED');
    const result = await new AthenaSql(athena.client, 'wg', 'db', { pollMs: 1 }).query('SELECT 1');
    expect(result.columns).toEqual(['customer_id', 'orders', 'profit', 'churned']);
    expect(result.rows).toEqual([
      { customer_id: 'C1', orders: 3, profit: '12345678901234.56', churned: false },
      { customer_id: 'C2', orders: null, profit: '-0.01', churned: true },
    ]);
    expect(athena.sent.filter((name) => name === 'GetQueryExecutionCommand')).toHaveLength(2);
  });

  it('fails with Athena’s reason', async () => {
    const athena = fakeAthena('FAILED');
    await expect(
      new AthenaSql(athena.client, 'wg', 'db', { pollMs: 1 }).query('SELECT nope'),
    ).rejects.toThrow('Athena query q1 failed: COLUMN_NOT_FOUND');
  });
});
