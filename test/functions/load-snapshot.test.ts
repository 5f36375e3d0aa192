import { describe, expect, it } from 'vitest';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { money } from '../../core/money.ts';
import { encodeParquet } from '../../functions/adapters/parquet.ts';
import type { LakeReader } from '../../functions/compute/lake-reader.ts';
import { loadSnapshot } from '../../functions/compute/load-snapshot.ts';

const TRANSACTIONS = 'curated/transactions/export_id=e1/part-00000.parquet';
const CUSTOMERS = 'curated/customers/export_id=e2/part-00000.parquet';

function transactionsPart(orders: number, without = ''): Uint8Array {
  return encodeParquet(
    curatedColumns('transactions').filter((column) => column.name !== without),
    Array.from({ length: orders }, (_, i) => ({
      order_id: `SO${i}`,
      customer_id: `C${i % 7}`,
      order_date: `2024-0${1 + (i % 9)}-1${i % 10}`,
      revenue: money(100 + i),
      cost: money(40),
      returned_amount: money(0),
      quantity: 1,
      product_id: null,
      product_category: i % 2 ? 'software' : null,
      channel: null,
      rep_id: null,
      team: null,
      source_line: i + 2,
    })),
  );
}

const customersPart = encodeParquet(
  curatedColumns('customers'),
  Array.from({ length: 7 }, (_, c) => ({
    customer_id: `C${c}`,
    acquired_on: '2023-12-01',
    segment: 'SMB',
    region: null,
    acquisition_channel: null,
    referred_by: null,
    source_line: c + 2,
  })),
);

/**
 * A lake over `files` that records what happened, in order. The transaction part's bytes are held
 * back until the customers' are asked for (or for a thousand turns of the event loop, so a load
 * that reads one kind after the other ends, in the other order): when the loads overlap, the
 * customers come first.
 */
function recordingLake(files: Map<string, Uint8Array>, failing: ReadonlySet<string> = new Set()) {
  const events: string[] = [];
  let customersAsked = false;
  const lake: LakeReader = {
    list: async (prefix) => [...files.keys()].filter((key) => key.startsWith(prefix)).sort(),
    getBytes: async (key) => {
      if (key === CUSTOMERS) customersAsked = true;
      else if (key === TRANSACTIONS)
        for (let turn = 0; turn < 1000 && !customersAsked; turn++)
          await new Promise((resolve) => setImmediate(resolve));
      events.push(`fetched ${key}`);
      if (failing.has(key)) throw new Error(`NoSuchKey: ${key}`);
      return (files.get(key) as Uint8Array).slice();
    },
  };
  return { lake, events };
}

describe('loadSnapshot', () => {
  it('reads the other kinds while the transactions load, and gives what each gives alone', async () => {
    const { lake, events } = recordingLake(
      new Map([
        [TRANSACTIONS, transactionsPart(40)],
        [CUSTOMERS, customersPart],
      ]),
    );
    const { snapshot, exportIds } = await loadSnapshot(lake);
    // The customers were fetched before the transactions' bytes came: the loads overlapped.
    expect(events).toEqual([`fetched ${CUSTOMERS}`, `fetched ${TRANSACTIONS}`]);
    expect(exportIds).toEqual(['e1', 'e2']);
    expect(snapshot.transactionColumns.length).toBe(40);
    expect(snapshot.transactionColumns.customerIds).toHaveLength(7);
    expect(snapshot.customers.map((c) => c.customer_id)).toEqual(['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
    const alone = await loadSnapshot(recordingLake(new Map([[TRANSACTIONS, transactionsPart(40)]])).lake);
    expect([...snapshot.transactionColumns.revenue.cents]).toEqual([
      ...alone.snapshot.transactionColumns.revenue.cents,
    ]);
  });

  it('fails with the transactions when they cannot be read, though the other kinds could', async () => {
    const { lake } = recordingLake(
      new Map([
        [TRANSACTIONS, transactionsPart(40, 'order_date')],
        [CUSTOMERS, customersPart],
      ]),
    );
    await expect(loadSnapshot(lake)).rejects.toThrow(
      `${TRANSACTIONS}: curated transactions without order_date`,
    );
  });

  it('fails with another kind, once the transaction load under way has ended', async () => {
    const { lake, events } = recordingLake(
      new Map([
        [TRANSACTIONS, transactionsPart(40)],
        [CUSTOMERS, customersPart],
      ]),
      new Set([CUSTOMERS]),
    );
    await expect(loadSnapshot(lake)).rejects.toThrow(`NoSuchKey: ${CUSTOMERS}`);
    // The transaction part was fetched (and its load ended) before the failure came back.
    expect(events).toEqual([`fetched ${CUSTOMERS}`, `fetched ${TRANSACTIONS}`]);
  });
});
