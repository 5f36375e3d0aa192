import { money } from '../../core/money.ts';
import { centsColumn } from '../../core/profitability/transaction-columns.ts';
import type { CentsColumn, TransactionColumns } from '../../core/records.ts';
import { setQuery } from '../../sql/index.ts';
import type { SetEngine } from './set-engine.ts';

/**
 * The curated transactions as TransactionColumns, by DuckDB: the transaction_lines query numbers
 * customers and categories, flags each order's first line and sorts the lines in canonical order;
 * this only copies its chunks into the typed columns.
 */
export async function transactionColumnsFromSql(engine: SetEngine): Promise<TransactionColumns> {
  const [counted] = await engine.rows('SELECT count(*) AS n FROM transactions');
  const n = Number(counted?.n ?? 0);
  const customerIds = (await engine.query(setQuery('customer_codes'), {}))
    .sort((a, b) => Number(a.customer_code) - Number(b.customer_code))
    .map((row) => String(row.customer_id));
  const categories = (await engine.query(setQuery('category_codes'), {}))
    .sort((a, b) => Number(a.category_code) - Number(b.category_code))
    .map((row) => (row.product_category === null ? null : String(row.product_category)));
  const columns: TransactionColumns = {
    length: n,
    customer: new Int32Array(n),
    customerIds,
    day: new Int32Array(n),
    orderStart: new Uint8Array(n),
    revenue: centsColumn(n),
    cost: centsColumn(n),
    returned: centsColumn(n),
    category: new Int32Array(n),
    categories,
  };
  const { customer, day, orderStart, category } = columns;
  const revenue = columns.revenue.cents;
  const cost = columns.cost.cents;
  const returned = columns.returned.cents;
  let line = 0;
  for await (const chunk of engine.chunks(setQuery('transaction_lines'), {})) {
    const rows = chunk.rowCount;
    const [codes, days, starts, revenues, costs, returns, exact, cats] = [0, 1, 2, 3, 4, 5, 6, 7].map((c) =>
      chunk.getColumnVector(c),
    ) as unknown as [
      Vec<number>,
      Vec<number>,
      Vec<boolean>,
      Vec<number>,
      Vec<number>,
      Vec<number>,
      Vec<string>,
      Vec<number>,
    ];
    for (let i = 0; i < rows; i++, line++) {
      customer[line] = codes.getItem(i) as number;
      day[line] = days.getItem(i) as number;
      orderStart[line] = starts.getItem(i) ? 1 : 0;
      category[line] = cats.getItem(i) as number;
      const r = revenues.getItem(i);
      const c = costs.getItem(i);
      const x = returns.getItem(i);
      revenue[line] = r ?? Number.NaN;
      cost[line] = c ?? Number.NaN;
      returned[line] = x ?? Number.NaN;
      if (r === null || c === null || x === null) {
        const [er, ec, ex] = String(exact.getItem(i)).split(' ') as [string, string, string];
        if (r === null) setExact(columns.revenue, line, er);
        if (c === null) setExact(columns.cost, line, ec);
        if (x === null) setExact(columns.returned, line, ex);
      }
    }
  }
  if (line !== n) throw new Error(`transaction_lines gave ${line} lines of ${n}`);
  return columns;
}

interface Vec<T> {
  getItem(index: number): T | null;
}

function setExact(column: CentsColumn, line: number, amount: string): void {
  column.cents[line] = Number.NaN;
  column.exact.set(line, money(amount));
}
