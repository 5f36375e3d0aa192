import type { Config } from '../../core/config.ts';
import type { ControlTotalsReport } from '../../core/exports/control-totals.ts';
import { ExportLoad, type QuarantinedRow } from '../../core/exports/export-load.ts';
import type { HeaderAliasOverrides } from '../../core/exports/headers.ts';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { csvLine } from '../../core/text/csv-out.ts';
import { CsvError } from '../../core/text/csv-tokenizer.ts';
import { encodeCuratedBatch } from '../adapters/parquet-encoder.ts';
import { curateUtf8 } from './curate-bytes.ts';
import { MAX_RECORD_CHARS, readRows, sniffExport, UnreadableExport } from './read-export.ts';

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
  const quarantine: string[] = [];
  let partCount = 0;
  const writes: Promise<void>[] = [];
  // A part is compressed and written while the next rows are read; at most one part is in flight.
  const flush = (load: ExportLoad) => {
    if (load.batch.length === 0) return;
    const index = partCount;
    // The batch's arrays are encoded before encodeCuratedBatch first awaits, so they can hold the next rows.
    const encoding = encodeCuratedBatch(load.batch.take());
    load.batch.recycle();
    const written = encoding.then((bytes) => writePart(index, bytes));
    written.catch(() => {}); // awaited below; this only keeps it from counting as unhandled meanwhile
    writes.push(written);
    partCount += 1;
  };
  try {
    const sniffed = await sniffExport(source);
    Object.assign(reading, {
      encoding: sniffed.encoding,
      delimiter: sniffed.delimiter,
      compressed: sniffed.compressed,
    });
    if (sniffed.encoding === 'utf8') {
      // UTF-8 (nearly every export) is read from its bytes; other encodings are decoded to text.
      const curated = await curateUtf8(
        sniffed.stream,
        kind,
        config,
        sniffed.delimiter,
        MAX_RECORD_CHARS,
        writePart,
        // A compressed size says little about the rows inside.
        { sizeHint: sniffed.compressed ? null : (options.sizeHint ?? null) },
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
    }
    const reader = readRows(sniffed);
    let load: ExportLoad | undefined;
    const rowsPerPart = config.rows_per_part;
    for await (const rows of reader.batches) {
      for (const row of rows) {
        if (!load) {
          const started = ExportLoad.start(kind, row.fields, config.header_aliases as HeaderAliasOverrides);
          if (!started.ok) return { ok: false, reason: started.reason, reading };
          load = started.load;
          continue;
        }
        const quarantined = load.accept(row.fields, row.line);
        if (quarantined) {
          quarantine.push(quarantineLine(quarantined));
        } else if (load.batch.length >= rowsPerPart) {
          flush(load);
        }
      }
      if (writes.length > 1) await Promise.all(writes.splice(0, writes.length - 1));
    }
    if (!load) return { ok: false, reason: 'the file has no header row', reading };
    flush(load);
    await Promise.all(writes.splice(0));
    return {
      ok: true,
      reading,
      header: [...load.header],
      ignoredColumns: load.mapping.ignored,
      totals: load.totals.toJSON(),
      partCount,
      quarantineCsv: quarantineFile(load.header, quarantine),
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

const quarantineLine = (q: QuarantinedRow): string =>
  csvLine([String(q.line), q.column, q.reason, ...q.fields]);

/** The quarantine file (BOM, then the header with line, column and reason first), or null when no row failed. */
function quarantineFile(header: readonly string[], lines: readonly string[]): string | null {
  return lines.length > 0
    ? `\uFEFF${csvLine(['line', 'column', 'reason', ...header])}${lines.join('')}`
    : null;
}
