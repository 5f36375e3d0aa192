import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATED_TABLES } from '../../core/exports/curated-schema.ts';
import { RESULT_TABLES, type TableDefinition } from '../../core/tables.ts';
import { DUCKDB_TYPE, LakeSql } from '../../functions/local/lake-sql.ts';
import { loadClvTracking } from '../../functions/report/data/clv-tracking.ts';

const AS_OF = '2026-06-30';
const CALIBRATION_END = '2026-03-31';

const table = (name: string): TableDefinition =>
  [...RESULT_TABLES, ...CURATED_TABLES].find((t) => t.name === name) as TableDefinition;

/** One Parquet part of a table, its columns typed as the lake's; the columns not given are NULL. */
async function writePart(
  sql: LakeSql,
  lake: string,
  name: string,
  folder: string,
  rows: Record<string, string | number>[],
): Promise<void> {
  const definition = table(name);
  const path = join(lake, definition.prefix, folder);
  await mkdir(path, { recursive: true });
  const literal = (value: string | number | undefined) =>
    value === undefined ? 'NULL' : typeof value === 'number' ? String(value) : `'${value}'`;
  const selects = rows.map(
    (row) =>
      `SELECT ${definition.columns
        .map((c) => `CAST(${literal(row[c.name])} AS ${DUCKDB_TYPE[c.type]}) AS "${c.name}"`)
        .join(', ')}`,
  );
  await sql.query(
    `COPY (${selects.join(' UNION ALL ')}) TO '${join(path, 'part-0.parquet')}' (FORMAT parquet)`,
  );
}

let lake: string;
let sql: LakeSql;
beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'cval-clv-tracking-'));
  const writer = await LakeSql.open(lake);
  const run = `as_of=${AS_OF}`;
  await writePart(
    writer,
    lake,
    'clv_models',
    run,
    Object.entries({ r: 0.5, alpha: 10, a: 0.8, b: 2.5 }).map(([parameter, value]) => ({
      model: 'bgnbd',
      scope: 'all',
      parameter,
      value,
      calibration_end: CALIBRATION_END,
      time_unit: 'days',
      note: '',
    })),
  );
  // first_order is every line's earliest date, credit notes included, as the job publishes it.
  await writePart(writer, lake, 'customer_metrics', run, [
    { customer_id: 'A', first_order: '2026-01-05' },
    { customer_id: 'B', first_order: '2026-01-20' },
    { customer_id: 'C', first_order: '2026-05-01' },
  ]);
  const line = (n: number, customer: string, date: string, revenue: string) => ({
    order_id: `O${n}`,
    customer_id: customer,
    order_date: date,
    revenue,
    cost: '0',
    returned_amount: '0',
    source_line: n + 2,
  });
  await writePart(writer, lake, 'transactions', 'export_id=t', [
    line(0, 'A', '2026-01-05', '-10'), // a credit note before the first purchase
    line(1, 'A', '2026-01-10', '50'), // the first purchase day
    line(2, 'A', '2026-02-01', '-20'), // credit notes only: no purchase
    line(3, 'A', '2026-02-15', '30'),
    line(4, 'A', '2026-04-10', '20'), // in the holdout
    line(5, 'B', '2026-01-20', '-15'), // never bought: not a customer the model was fitted on
    line(6, 'C', '2026-05-01', '40'), // first purchase after the calibration end
  ]);
  writer.close();
  sql = await LakeSql.open(lake);
});
afterAll(async () => {
  sql?.close();
  await rm(lake, { recursive: true, force: true });
});

describe('the tracking plot', () => {
  it('counts purchase days as the models do: from the first purchase, credit-note days not at all', async () => {
    const tracking = await loadClvTracking(sql, AS_OF);
    expect(tracking).toMatchObject({ model: 'bgnbd', start: '2026-01-10', customers: 1 });
    // A's repeat purchase days: Feb 15 and Apr 10.
    expect(tracking?.weeks.at(-1)).toMatchObject({ end: AS_OF, actual: 2 });
    expect(tracking?.weeks.find((w) => w.end >= '2026-02-01' && w.end < '2026-02-08')?.actual).toBe(0);
  });
});
