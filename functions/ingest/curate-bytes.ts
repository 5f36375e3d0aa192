import { isUtf8 } from 'node:buffer';
import type { Config } from '../../core/config.ts';
import { ByteRowLoader, decodeRow } from '../../core/exports/byte-row-loader.ts';
import { ExportLoad, type QuarantinedRow } from '../../core/exports/export-load.ts';
import type { HeaderAliasOverrides } from '../../core/exports/headers.ts';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { ByteRowReader, type ByteRowSink } from '../../core/text/byte-rows.ts';
import { firstInvalidUtf8, isBlankRow, utf8SequenceAt } from '../../core/text/detect.ts';
import { UTF8_VALUES } from '../../core/text/utf8.ts';
import { sharedParquetEncodeWorker } from '../adapters/parquet-encode-worker.ts';

export interface CuratedRows {
  header: string[];
  load: ExportLoad;
  partCount: number;
}

/**
 * Takes the quarantined rows as they become final, in line order, a scan of bytes at a time (so
 * they are never all held at once); may return a promise, which the reading waits for.
 */
export type QuarantineRows = (rows: QuarantinedRow[], header: readonly string[]) => Promise<void> | void;

/** How the bytes came to be UTF-8: their own encoding (names the rows that hold bytes it cannot read). */
export interface CurateOptions {
  sizeHint: number | null;
  /** The file's own encoding, for the reason given to rows with bytes it cannot read. */
  sourceEncoding?: string;
  /**
   * Asked after each chunk of bytes is read: true stops the reading there (`ReadingStopped`, once
   * the parts and quarantine chunks in flight have settled, so none lands after the caller cleans up).
   */
  stop?: () => boolean;
  /** The text a part holds at most (default PART_TEXT_BYTES). */
  partTextBytes?: number;
  /** The first line is Excel's `sep=` line (SniffedExport.sepLine): skipped, not the header. */
  sepLine?: boolean;
}

/** The reading was stopped (CurateOptions.stop) after `rowsRead` rows. */
export class ReadingStopped extends Error {
  constructor(readonly rowsRead: number) {
    super(`reading stopped after ${rowsRead} rows`);
  }
}

/** The header row could not be mapped: the reason rejects the whole export. */
export class HeaderRejected extends Error {}

/**
 * The rows of a UTF-8 export read on this thread from its bytes (ByteRowReader and the byte fast
 * paths), the first row being the header. Curated rows go out in parts of `rowsPerPart` through
 * `write`; at most one part is in flight.
 */
/** The text a curated part holds at most (see partFull), well inside the function's memory. */
export const PART_TEXT_BYTES = 64 * 1024 * 1024;

export class Utf8ExportCurator implements ByteRowSink {
  load: ExportLoad | undefined;
  header: string[] = [];
  /** Quarantined rows of the bytes being scanned, handed to `onQuarantine` once final. */
  private readonly quarantine: QuarantinedRow[] = [];
  private readonly quarantineWrites: Promise<void>[] = [];
  readonly reader: ByteRowReader;
  private readonly watch = new Utf8Watch();
  /** Rows being read now may hold bytes that are not UTF-8 and are checked one by one. */
  private suspect = false;
  /** The reader holds over bytes of an unfinished row from a push that was suspect. */
  private suspectCarry = false;
  private loader: ByteRowLoader | undefined;
  private readonly decoder = UTF8_VALUES;
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
    private readonly onQuarantine: QuarantineRows = () => {},
    private readonly sourceEncoding = 'UTF-8',
    private readonly partTextBytes = PART_TEXT_BYTES,
    private readonly sepLine = false,
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
    // One check of the whole chunk (simdutf in Node, gigabytes a second) clears nearly every
    // chunk; only rows read while a chunk held bad bytes, or carried over from one, are checked.
    const chunkValid = this.watch.valid(chunk, last);
    this.suspect = !chunkValid || this.suspectCarry;
    this.reader.push(chunk, this);
    if (last) this.reader.end(this);
    this.suspectCarry = this.suspect && this.reader.pending > 0;
    this.bytesRead += bytes.length;
    if (!this.sized && this.sizeHint && this.load && this.load.totals.rowsIn >= 1000) {
      // Rows so far scaled to the whole file (plus a little), so that the duplicate check sizes its table once.
      this.load.expectRows(Math.ceil((this.load.totals.rowsIn * this.sizeHint * 1.05) / this.bytesRead));
      this.sized = true;
    }
    if (this.writes.length > 1) await Promise.all(this.writes.splice(0, this.writes.length - 1));
    if (this.quarantineWrites.length > 0) await Promise.all(this.quarantineWrites.splice(0));
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
      // Before the header, skipped (lines keep their numbers): rows with no value, and Excel's
      // `sep=;` first line, which named the delimiter the file is read with (read-export.ts).
      if (!header || isBlankRow(header.fields)) return;
      if (line === 1 && this.sepLine) return;
      const aliases = this.config.header_aliases as HeaderAliasOverrides;
      const started = ExportLoad.start(this.kind, header.fields, aliases, this.config.max_transaction_rows);
      if (!started.ok) throw new HeaderRejected(started.reason);
      this.load = started.load;
      this.header = header.fields;
      this.loader = new ByteRowLoader(started.load, this.delimiter, (row) => this.quarantine.push(row));
      return;
    }
    if (this.suspect) {
      const bad = firstInvalidUtf8(bytes, rowStart, rowEnd);
      if (bad !== -1) {
        const reason =
          this.sourceEncoding === 'UTF-8'
            ? `invalid UTF-8: bytes ${hexBytes(bytes, bad, rowEnd)} are not UTF-8 text (the file is read as UTF-8)`
            : `invalid ${this.sourceEncoding}: bytes that are not ${this.sourceEncoding} text (the file is read as ${this.sourceEncoding})`;
        this.loader.unreadable(bytes, bounds, fieldCount, line, rowStart, rowEnd, bad, reason);
        return;
      }
    }
    this.loader.row(bytes, bounds, fieldCount, complex, line, rowStart, rowEnd);
    if (!this.partFull()) return;
    this.loader.checkDuplicates();
    if (this.partFull()) this.flush();
  }

  /**
   * A part ends at rows_per_part rows or at partTextBytes of text, whichever comes first: a text
   * cell may hold 1,000 characters, and 100,000 rows of them made a part of gigabytes. The text
   * is summed every 64 rows (a part then passes the size by at most 64 rows' text).
   */
  private partFull(): boolean {
    const batch = (this.load as ExportLoad).batch;
    if (batch.length >= this.config.rows_per_part) return true;
    return (batch.length & 63) === 0 && batch.length > 0 && batch.textBytes() >= this.partTextBytes;
  }

  scanned(): void {
    this.loader?.scanned();
    // Every row of the scanned bytes is settled now (duplicates included), and later rows start on
    // later lines: this scan's quarantined rows can go out in line order.
    if (this.quarantine.length === 0) return;
    const rows = this.quarantine.splice(0).sort((a, b) => a.line - b.line);
    const written = this.onQuarantine(rows, this.header);
    if (written) {
      written.catch(() => {}); // awaited in push/finish
      this.quarantineWrites.push(written);
    }
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

  /** Rows read so far (curated and quarantined), header not counted. */
  get rowsRead(): number {
    return this.load?.totals.rowsIn ?? 0;
  }

  /** Waits for the parts and quarantine chunks in flight to succeed or fail, their errors ignored. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.writes.splice(0), ...this.quarantineWrites.splice(0)]);
  }

  /** Writes the last part and waits for every part. */
  async finish(): Promise<CuratedRows | { rejected: string }> {
    this.flush();
    this.scanned();
    await Promise.all(this.writes.splice(0));
    await Promise.all(this.quarantineWrites.splice(0));
    if (!this.load) return { rejected: 'the file has no header row' };
    return { header: this.header, load: this.load, partCount: this.partCount };
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
  options: CurateOptions,
  onQuarantine?: QuarantineRows,
): Promise<CuratedRows | { rejected: string }> {
  const rows = new Utf8ExportCurator(
    kind,
    config,
    delimiter,
    maxRowBytes,
    writePart,
    options.sizeHint,
    onQuarantine,
    options.sourceEncoding,
    options.partTextBytes,
    options.sepLine,
  );
  try {
    for await (const bytes of stream) {
      await rows.push(bytes);
      if (options.stop?.()) throw new ReadingStopped(rows.rowsRead);
    }
    await rows.push(new Uint8Array(0), true);
    return await rows.finish();
  } catch (error) {
    // Nothing may still be writing once the caller cleans up after a failed or stopped reading.
    await rows.settle();
    if (error instanceof HeaderRejected) return { rejected: error.message };
    throw error;
  }
}

/** Up to four bytes from `at` in hex, as a reason shows them ("C8 ED"). */
function hexBytes(bytes: Uint8Array, at: number, end: number): string {
  const shown: string[] = [];
  for (let i = at; i < Math.min(end, at + 4); i++)
    shown.push((bytes[i] as number).toString(16).toUpperCase().padStart(2, '0'));
  return shown.join(' ');
}

/**
 * Whether the bytes of a stream so far are valid UTF-8, chunk by chunk, a sequence split between
 * chunks included: the unfinished sequence at a chunk's end waits for the next chunk.
 */
export class Utf8Watch {
  private tail = new Uint8Array(0);

  /** False when `chunk` (with the sequence carried into it) holds bytes that are not UTF-8. */
  valid(chunk: Uint8Array, last: boolean): boolean {
    let from = 0;
    let ok = true;
    if (this.tail.length > 0) {
      const probe = new Uint8Array(this.tail.length + Math.min(chunk.length, 3));
      probe.set(this.tail);
      probe.set(chunk.subarray(0, probe.length - this.tail.length), this.tail.length);
      const length = utf8SequenceAt(probe, 0, probe.length);
      if (length === -1 && !last) {
        // Still unfinished: the chunk was too short to finish it.
        this.tail = probe;
        return true;
      }
      if (length > 0) from = length - this.tail.length;
      else ok = false; // a broken sequence; its bytes are read again from the chunk below
      this.tail = new Uint8Array(0);
    }
    let cut = chunk.length;
    if (!last) {
      for (let p = chunk.length - 1; p >= Math.max(from, chunk.length - 3); p--) {
        const byte = chunk[p] as number;
        if (byte < 0x80) break;
        if (byte >= 0xc0) {
          if (utf8SequenceAt(chunk, p, chunk.length) === -1) cut = p;
          break;
        }
      }
      if (cut < chunk.length) this.tail = chunk.slice(cut);
    }
    return isUtf8(chunk.subarray(from, cut)) && ok;
  }
}
