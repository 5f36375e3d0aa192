import type { Config } from '../../core/config.ts';
import type { ControlTotalsReport } from '../../core/exports/control-totals.ts';
import { ExportLoad } from '../../core/exports/export-load.ts';
import type { HeaderAliasOverrides } from '../../core/exports/headers.ts';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { csvLine } from '../../core/text/csv-out.ts';
import { encodeCuratedBatch } from '../adapters/parquet-encoder.ts';
import { openExport, UnreadableExport } from './read-export.ts';

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
): Promise<CurateResult> {
  const reading: ReadingFacts = { encoding: null, delimiter: null, compressed: false };
  const quarantine: string[] = [];
  let partCount = 0;
  const writes: Promise<void>[] = [];
  // A part is compressed and written while the next rows are read; at most one part is in flight.
  const flush = (load: ExportLoad) => {
    if (load.batch.length === 0) return;
    const index = partCount;
    const written = encodeCuratedBatch(load.batch.take()).then((bytes) => writePart(index, bytes));
    written.catch(() => {}); // awaited below; this only keeps it from counting as unhandled meanwhile
    writes.push(written);
    partCount += 1;
  };
  try {
    const reader = await openExport(source);
    Object.assign(reading, {
      encoding: reader.encoding,
      delimiter: reader.delimiter,
      compressed: reader.compressed,
    });
    let load: ExportLoad | undefined;
    const rowsPerPart = config.rows_per_part;
    for await (const rows of reader.batches) {
      for (const row of rows) {
        if (!load) {
          const started = ExportLoad.start(kind, row.fields, config.header_aliases as HeaderAliasOverrides);
          if (!started.ok) return { ok: false, reason: started.reason, reading };
          load = started.load;
          quarantine.push(csvLine(['line', 'column', 'reason', ...row.fields]));
          continue;
        }
        const quarantined = load.accept(row.fields, row.line);
        if (quarantined) {
          const q = quarantined;
          quarantine.push(csvLine([String(q.line), q.column, q.reason, ...q.fields]));
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
      quarantineCsv: quarantine.length > 1 ? `\uFEFF${quarantine.join('')}` : null,
    };
  } catch (error) {
    if (error instanceof UnreadableExport) return { ok: false, reason: error.message, reading };
    throw error;
  }
}
