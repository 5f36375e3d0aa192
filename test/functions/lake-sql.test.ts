import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSql } from '../../functions/local/lake-sql.ts';

let lake: string;
beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'cval-lake-sql-'));
  // A run written before customer_metrics had expected_spend (and with few of its other columns).
  const folder = join(lake, 'results', 'customer_metrics', 'as_of=2026-01-31');
  await mkdir(folder, { recursive: true });
  const writer = await LakeSql.open(join(lake, 'empty'));
  await writer.query(
    `COPY (SELECT 'C1' AS customer_id, CAST(12.50 AS DECIMAL(18,2)) AS clv_predicted)
     TO '${join(folder, 'part-0.parquet')}' (FORMAT parquet)`,
  );
  writer.close();
});
afterAll(async () => {
  await rm(lake, { recursive: true, force: true });
});

describe('LakeSql over runs written before a column was added', () => {
  it('opens, and reads the columns the parts lack as NULL, as Athena does', async () => {
    const sql = await LakeSql.open(lake);
    try {
      const { rows } = await sql.query(
        'SELECT customer_id, clv_predicted, expected_spend, as_of FROM customer_metrics',
      );
      expect(rows).toEqual([
        { customer_id: 'C1', clv_predicted: '12.50', expected_spend: null, as_of: '2026-01-31' },
      ]);
    } finally {
      sql.close();
    }
  });
});
