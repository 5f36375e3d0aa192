import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { columnTotal } from '../../core/profitability/cents.ts';
import type { CentsColumn } from '../../core/records.ts';
import type { Item } from '../../functions/adapters/item-store.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { readRawColumns } from '../../functions/adapters/parquet-columns.ts';
import { loadTransactionColumns } from '../../functions/compute/load-transactions.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every file under `folder`, as slash-separated paths relative to it, sorted. */
export async function filesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else found.push(relative(folder, path).split('\\').join('/'));
    }
  };
  await walk(folder);
  return found.sort();
}

/**
 * The compute benchmark's synthetic exports (bench/compute-worker.ts, DuckDB): curated Parquet of
 * every kind under `folder`, export id "bench".
 */
export async function generateExports(
  folder: string,
  customers: number,
  transactions: number,
  asOf: string,
): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'bench', 'compute-worker.ts'),
      'generate',
      folder,
      String(customers),
      String(transactions),
      asOf,
    ],
    { cwd: ROOT, maxBuffer: 1 << 24 },
  );
}

/**
 * The generated exports put in a lake as loaded exports, one per kind (`generated-<kind>`), with
 * their registry items (with the control totals ingest records, which the scale-out run checks
 * its partition against); returns the bytes of curated transaction Parquet.
 */
export async function loadGeneratedExports(
  folder: string,
  lake: Pick<ObjectStore, 'put'>,
  table: { put(item: Item): Promise<void> },
): Promise<number> {
  let transactionBytes = 0;
  // The control totals ingest would have recorded, read as the compute job reads the parts.
  const transactionKeys = (await filesUnder(folder)).filter(
    (key) => key.startsWith('curated/transactions/') && key.endsWith('.parquet'),
  );
  const lines = await loadTransactionColumns(
    { getBytes: async (key: string) => new Uint8Array(await readFile(join(folder, key))) },
    transactionKeys,
  );
  const sum = (column: CentsColumn) => columnTotal(column, lines.length).toFixed(2);
  const totals = new Map<string, { rows: number; amounts: Record<string, string> }>([
    [
      'transactions',
      {
        rows: lines.length,
        amounts: { revenue: sum(lines.revenue), cost: sum(lines.cost), returned_amount: sum(lines.returned) },
      },
    ],
  ]);
  // The other kinds' rows, summed over their parts, as ingest records them.
  for (const key of await filesUnder(folder)) {
    const kind = /^curated\/([^/]+)\//.exec(key)?.[1];
    if (!kind || kind === 'transactions' || !key.endsWith('.parquet')) continue;
    const { rows } = await readRawColumns(new Uint8Array(await readFile(join(folder, key))), []);
    totals.set(kind, { rows: (totals.get(kind)?.rows ?? 0) + rows, amounts: {} });
  }
  for (const key of await filesUnder(folder)) {
    const kind = /^curated\/([^/]+)\//.exec(key)?.[1];
    if (!kind || !key.endsWith('.parquet')) continue;
    const id = `generated-${kind}`;
    const bytes = await readFile(join(folder, key));
    if (kind === 'transactions') transactionBytes += bytes.length;
    await lake.put(
      key.replace('export_id=bench', `export_id=${id}`),
      bytes,
      'application/vnd.apache.parquet',
    );
    await table.put({
      PK: 'EXPORTS',
      SK: `EXPORT#${id}`,
      export_id: id,
      kind,
      status: 'loaded',
      ...(totals.has(kind)
        ? {
            rows_curated: totals.get(kind)?.rows,
            control_totals: JSON.stringify(
              Object.fromEntries(
                Object.entries(totals.get(kind)?.amounts ?? {}).map(([column, curated]) => [
                  column,
                  { curated },
                ]),
              ),
            ),
          }
        : {}),
      s3_key: `${kind}/generated.csv`,
      received_at: '2025-01-01T00:00:00.000Z',
    });
    await table.put({ PK: 'SOURCES', SK: `exports/${kind}/generated.csv`, export_id: id, kind });
  }
  return transactionBytes;
}
