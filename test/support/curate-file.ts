import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { curateExport } from '../../functions/ingest/curate-export.ts';

/**
 * Ingest's outcome for a file read in small chunks (so rows and the header arrive in pieces): the
 * result, the curated rows as the Parquet parts hold them, and the quarantined lines with their
 * column and reason (none when the file was rejected whole).
 */
export async function curateFile(
  input: string | Uint8Array,
  options: { kind?: ExportKind; config?: Record<string, unknown>; chunkSize?: number } = {},
) {
  const { kind = 'transactions', config = {}, chunkSize = 7 } = options;
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const parts: Uint8Array[] = [];
  const result = await curateExport(Readable.from(chunks), kind, parseConfig(config), async (index, part) => {
    parts[index] = part;
  });
  if (!result.ok) return { result, rows: [], quarantined: [] };
  const rows: Record<string, unknown>[] = [];
  for (const part of parts) rows.push(...(await decodeParquet(part, curatedColumns(kind))));
  const quarantined = (
    parse(result.quarantineCsv ?? '', { columns: true, bom: true, relax_column_count: true }) as Record<
      string,
      string
    >[]
  ).map((row) => ({ line: Number(row.line), column: row.column, reason: row.reason }));
  return { result, rows, quarantined };
}
