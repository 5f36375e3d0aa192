import type { Config } from '../../core/config.ts';
import type { ControlTotalsReport } from '../../core/exports/control-totals.ts';
import type { QuarantinedRow } from '../../core/exports/export-load.ts';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { csvLine } from '../../core/text/csv-out.ts';
import { CsvError } from '../../core/text/csv-tokenizer.ts';
import type { TextEncoding } from '../../core/text/detect.ts';
import { curateUtf8 } from './curate-bytes.ts';
import { MAX_ROW_SIZE, sniffExport, textDecoder, UnreadableExport } from './read-export.ts';

export interface ReadingFacts {
  encoding: string | null;
  delimiter: string | null;
  compressed: boolean;
}

export type CurateResult =
  | { ok: false; reason: string; reading: ReadingFacts }
  | {
      ok: true;
      reading: ReadingFacts;
      header: string[];
      ignoredColumns: string[];
      totals: ControlTotalsReport;
      partCount: number;
      /** The quarantine file (with a BOM so Excel opens it as UTF-8), or null when no row failed. */
      quarantineCsv: string | null;
    };

/**
 * The row path of ingest, independent of where bytes come from and where parts go: read, validate,
 * write curated Parquet parts of `rows_per_part` rows through `writePart`, collect quarantined rows
 * and control totals. Memory stays bounded by one part plus the quarantined rows.
 */
export async function curateExport(
  source: AsyncIterable<Uint8Array>,
  kind: ExportKind,
  config: Config,
  writePart: (index: number, bytes: Uint8Array) => Promise<void>,
  options: { sizeHint?: number | null } = {},
): Promise<CurateResult> {
  const reading: ReadingFacts = { encoding: null, delimiter: null, compressed: false };
  try {
    const sniffed = await sniffExport(source);
    Object.assign(reading, {
      encoding: sniffed.encoding,
      delimiter: sniffed.delimiter,
      compressed: sniffed.compressed,
    });
    // Every export is read as UTF-8 bytes: UTF-8 (nearly every export) as it is, GBK and UTF-16
    // transcoded on the way, so one row path serves all encodings.
    const utf8 = sniffed.encoding === 'utf8';
    const curated = await curateUtf8(
      utf8 ? sniffed.stream : transcodeToUtf8(sniffed.stream, sniffed.encoding),
      kind,
      config,
      sniffed.delimiter,
      MAX_ROW_SIZE,
      writePart,
      // A compressed or transcoded size says little about the rows inside.
      { sizeHint: utf8 && !sniffed.compressed ? (options.sizeHint ?? null) : null },
    );
    if ('rejected' in curated) return { ok: false, reason: curated.rejected, reading };
    return {
      ok: true,
      reading,
      header: [...curated.header],
      ignoredColumns: curated.load.mapping.ignored,
      totals: curated.load.totals.toJSON(),
      partCount: curated.partCount,
      quarantineCsv: quarantineFile(curated.header, curated.quarantine.map(quarantineLine)),
    };
  } catch (error) {
    if (error instanceof UnreadableExport) return { ok: false, reason: error.message, reading };
    if (error instanceof CsvError) return { ok: false, reason: error.message, reading };
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      return { ok: false, reason: `the gzip data is damaged (${(error as Error).message})`, reading };
    }
    throw error;
  }
}

/** Decodes another encoding and hands the text on as UTF-8 bytes, chunk by chunk. */
async function* transcodeToUtf8(
  stream: AsyncIterable<Uint8Array>,
  encoding: TextEncoding,
): AsyncGenerator<Uint8Array> {
  const decoder = textDecoder(encoding);
  for await (const bytes of stream) yield Buffer.from(decoder.write(bytes), 'utf8');
  yield Buffer.from(decoder.end(), 'utf8');
}

const quarantineLine = (q: QuarantinedRow): string =>
  csvLine([String(q.line), q.column, q.reason, ...q.fields]);

/** The quarantine file (BOM, then the header with line, column and reason first), or null when no row failed. */
function quarantineFile(header: readonly string[], lines: readonly string[]): string | null {
  return lines.length > 0
    ? `\uFEFF${csvLine(['line', 'column', 'reason', ...header])}${lines.join('')}`
    : null;
}
