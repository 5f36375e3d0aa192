import { Readable } from 'node:stream';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { curateExport } from '../../functions/ingest/curate-export.ts';

async function curate(bytes: Uint8Array, rowsPerPart = 7) {
  const parts: Uint8Array[] = [];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 11) chunks.push(bytes.subarray(i, i + 11));
  const result = await curateExport(
    Readable.from(chunks),
    'transactions',
    parseConfig({ rows_per_part: rowsPerPart }),
    async (index, part) => {
      parts[index] = part;
    },
  );
  if (!result.ok) return { result, rows: [] };
  const rows = [];
  for (const part of parts) rows.push(...(await decodeParquet(part, curatedColumns('transactions'))));
  return { result, rows };
}

/** Cells as finance types them, the broken ones included. */
const cell = fc.oneof(
  fc.constantFrom(
    '10',
    '1,234.56',
    '¥99.99',
    '(5.00)',
    'abc',
    '',
    ' 7 ',
    '2025-13-01',
    '2025-01-31',
    '2025/3/1',
    '0.001',
    '客户1',
    '"quoted"',
  ),
  fc.integer({ min: -100000, max: 100000 }).map((n) => (n / 100).toFixed(2)),
);
const row = fc.tuple(
  fc.constantFrom('O1', 'O2', 'O3', '订单4', ''),
  fc.constantFrom('C1', 'C2', ' C3', ''),
  cell,
  cell,
  cell,
  fc.constantFrom('P1', 'P2', ''),
);

function csv(rows: string[][]): string {
  const quote = (value: string) => (/[,"\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return `order_id,customer_id,order_date,revenue,cost,product_id\n${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\n`;
}

describe('curating an export', () => {
  it('reads UTF-8 from its bytes exactly as it reads the same text in another encoding (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), async (rows) => {
        const text = csv(rows);
        const fromBytes = await curate(Buffer.from(text, 'utf8'));
        const fromText = await curate(iconv.encode(text, 'utf16le', { addBOM: true }));
        expect(fromBytes.result.ok && fromBytes.result.reading.encoding).toBe('utf8');
        expect(fromText.result.ok && fromText.result.reading.encoding).toBe('utf16le');
        if (!fromBytes.result.ok || !fromText.result.ok) throw new Error('expected both to load');
        expect(fromBytes.result.totals).toEqual(fromText.result.totals);
        expect(fromBytes.result.quarantineCsv).toEqual(fromText.result.quarantineCsv);
        expect(fromBytes.rows).toEqual(fromText.rows);
        const { totals } = fromBytes.result;
        expect(totals.rows_in).toBe(rows.length);
        expect(totals.rows_curated + totals.rows_quarantined).toBe(rows.length);
        expect(fromBytes.rows).toHaveLength(totals.rows_curated);
        expect(totals.balanced).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
