import type { Config } from '../../core/config.ts';
import { ByteRowLoader, decodeRow } from '../../core/exports/byte-row-loader.ts';
import { ExportLoad, type QuarantinedRow } from '../../core/exports/export-load.ts';
import type { HeaderAliasOverrides } from '../../core/exports/headers.ts';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { ByteRowReader, type ByteRowSink } from '../../core/text/byte-rows.ts';
import { sharedParquetEncodeWorker } from '../adapters/parquet-encode-worker.ts';

export interface CuratedRows {
  header: string[];
  load: ExportLoad;
  quarantine: QuarantinedRow[];
  partCount: number;
}

/** The header row could not be mapped: the reason rejects the whole export. */
export class HeaderRejected extends Error {}

/**
 * The rows of a UTF-8 export read on this thread from its bytes (ByteRowReader and the byte fast
 * paths), the first row being the header. Curated rows go out in parts of `rowsPerPart` through
 * `write`; at most one part is in flight.
 */
export class Utf8ExportCurator implements ByteRowSink {
  load: ExportLoad | undefined;
  header: string[] = [];
  readonly quarantine: QuarantinedRow[] = [];
  readonly reader: ByteRowReader;
  private loader: ByteRowLoader | undefined;
  private readonly decoder = new TextDecoder();
  private bomChecked = false;
  private bytesRead = 0;
  private sized = false;
  private readonly writes: Promise<void>[] = [];
  partCount = 0;

  constructor(
    private readonly kind: ExportKind,
    private readonly config: Config,
    private readonly delimiter: string,
    maxRowBytes: number,
    private readonly writePart: (index: number, bytes: Uint8Array) => Promise<void>,
    private readonly sizeHint: number | null = null,
  ) {
    this.reader = new ByteRowReader(delimiter, maxRowBytes);
  }

  /** Reads the rows completed by `bytes`; waits while more than one part is being written. */
  async push(bytes: Uint8Array, last = false): Promise<void> {
    let chunk = bytes;
    if (!this.bomChecked && chunk.length > 0) {
      this.bomChecked = true;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    this.reader.push(chunk, this);
    if (last) this.reader.end(this);
    this.bytesRead += bytes.length;
    if (!this.sized && this.sizeHint && this.load && this.load.totals.rowsIn >= 1000) {
      // Rows so far scaled to the whole file (plus a little), so that the duplicate check sizes its table once.
      this.load.expectRows(Math.ceil((this.load.totals.rowsIn * this.sizeHint * 1.05) / this.bytesRead));
      this.sized = true;
    }
    if (this.writes.length > 1) await Promise.all(this.writes.splice(0, this.writes.length - 1));
  }

  row(
    bytes: Uint8Array,
    bounds: Int32Array,
    fieldCount: number,
    complex: boolean,
    line: number,
    rowStart: number,
    rowEnd: number,
  ): void {
    if (!this.loader) {
      const [header] = decodeRow(this.decoder, this.delimiter, bytes, rowStart, rowEnd);
      if (!header) return;
      const started = ExportLoad.start(
        this.kind,
        header.fields,
        this.config.header_aliases as HeaderAliasOverrides,
      );
      if (!started.ok) throw new HeaderRejected(started.reason);
      this.load = started.load;
      this.header = header.fields;
      this.loader = new ByteRowLoader(started.load, this.delimiter, (row) => this.quarantine.push(row));
      return;
    }
    this.loader.row(bytes, bounds, fieldCount, complex, line, rowStart, rowEnd);
    if ((this.load as ExportLoad).batch.length < this.config.rows_per_part) return;
    this.loader.checkDuplicates();
    if ((this.load as ExportLoad).batch.length >= this.config.rows_per_part) this.flush();
  }

  scanned(): void {
    this.loader?.scanned();
  }

  /** Starts writing the rows gathered so far as a part. */
  flush(): void {
    const load = this.load;
    if (!load || load.batch.length === 0) return;
    const index = this.partCount++;
    // The encoder copies the batch's arrays before it returns, so they can hold the next rows.
    const encoding = sharedParquetEncodeWorker().encode(load.takeBatch());
    load.batch.recycle();
    const written = encoding.then((bytes) => this.writePart(index, bytes));
    written.catch(() => {}); // awaited in push/finish; this only keeps it from counting as unhandled meanwhile
    this.writes.push(written);
  }

  /** Writes the last part and waits for every part. */
  async finish(): Promise<CuratedRows | { rejected: string }> {
    this.flush();
    await Promise.all(this.writes.splice(0));
    if (!this.load) return { rejected: 'the file has no header row' };
    // Duplicates are found a scan later than other problems; the quarantine file is in line order.
    this.quarantine.sort((a, b) => a.line - b.line);
    return { header: this.header, load: this.load, quarantine: this.quarantine, partCount: this.partCount };
  }
}

/** A UTF-8 export read on this thread. */
export async function curateUtf8(
  stream: AsyncIterable<Uint8Array>,
  kind: ExportKind,
  config: Config,
  delimiter: string,
  maxRowBytes: number,
  writePart: (index: number, bytes: Uint8Array) => Promise<void>,
  options: { sizeHint: number | null },
): Promise<CuratedRows | { rejected: string }> {
  const rows = new Utf8ExportCurator(kind, config, delimiter, maxRowBytes, writePart, options.sizeHint);
  try {
    for await (const bytes of stream) await rows.push(bytes);
    await rows.push(new Uint8Array(0), true);
    return await rows.finish();
  } catch (error) {
    if (error instanceof HeaderRejected) return { rejected: error.message };
    throw error;
  }
}
