import { describe, expect, it } from 'vitest';
import { resultTable } from '../../core/tables.ts';
import { decodeCaches, decodeParquet, encodeParquet } from '../../functions/adapters/parquet.ts';
import { exportsTableRows } from '../../functions/compute/export-tables.ts';

describe('the exports table', () => {
  it('writes an export still loading (or left loading by a dead invocation) with zeros, not NaN', async () => {
    // What a claim leaves before the load records anything: no totals, no received_at.
    const loading = {
      PK: 'EXPORTS',
      SK: 'EXPORT#e1',
      export_id: 'e1',
      s3_key: 'transactions/a.csv',
      status: 'loading',
    };
    const rows = exportsTableRows([loading]);
    const table = resultTable('exports');
    const decoded = await decodeParquet(encodeParquet(table.columns, rows), table.columns, decodeCaches());
    expect(decoded).toEqual([
      expect.objectContaining({
        export_id: 'e1',
        status: 'loading',
        rows_in: 0,
        rows_curated: 0,
        rows_quarantined: 0,
        received_at: null,
        warnings: '[]',
      }),
    ]);
  });

  it('lists exports by code point, not by the locale of the machine that ran', () => {
    const item = (id: string) => ({ PK: 'EXPORTS', SK: `EXPORT#${id}`, export_id: id, status: 'loaded' });
    const ids = exportsTableRows(['b', 'B', 'a', 'A', 'é'].map(item)).map((row) => row.export_id);
    expect(ids).toEqual(['A', 'B', 'a', 'b', 'é']);
  });
});
