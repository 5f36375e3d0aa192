import { pipeline, Readable, Transform } from 'node:stream';
import type { Config } from '../../core/config.ts';
import type { ControlTotalsReport } from '../../core/exports/control-totals.ts';
import { TooManyOrderLines } from '../../core/exports/duplicate-keys.ts';
import type { QuarantinedRow } from '../../core/exports/export-load.ts';
import { ambiguousHeaderNotes } from '../../core/exports/headers.ts';
import type { ExportKind } from '../../core/exports/kinds.ts';
import { csvLine, csvQuarantineLine } from '../../core/text/csv-out.ts';
import { CsvError } from '../../core/text/csv-tokenizer.ts';
import type { EncodingConfidence, TextEncoding } from '../../core/text/detect.ts';
import { curateUtf8, ReadingStopped } from './curate-bytes.ts';
import {
  errorsGoToReader,
  MAX_ROW_SIZE,
  type SniffedExport,
  sniffExport,
  textDecoder,
  UnreadableExport,
} from './read-export.ts';

export interface ReadingFacts {
  encoding: string | null;
  /** How sure the encoding is (detect.ts says what each level means); null when not decided. */
  encoding_confidence: EncodingConfidence | null;
  delimiter: string | null;
  compressed: boolean;
}

/**
 * Where the quarantine file goes while it is written (an S3 multipart upload, a local file). It is
 * opened at the first quarantined row, so an export without one leaves no file.
 */
export interface QuarantineSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Every row is written: the file is complete. */
  end(): Promise<void>;
  /** The export was rejected or failed after rows were written: the file must not appear. */
  abort(): Promise<void>;
}

export interface CurateOptions {
  /** The size of the object in bytes, when known: the duplicate check sets its memory aside once. */
  sizeHint?: number | null;
  /**
   * Streams the quarantine file out in chunks as rows fail, so memory does not grow with the
   * rejected rows. Without it the file comes back whole as `quarantineCsv`.
   */
  quarantine?: () => QuarantineSink;
  /**
   * The time the process has left (a Lambda's remaining time) and how much of it must be left over
   * for what comes after the reading (the report and registry item, cleaning up): once less than
   * `marginMs` is left, the reading stops and the export is refused with a reason saying how far it
   * got, instead of the function being killed mid-read. Absent: no limit (local mode,
   * reconciliation's loads).
   */
  deadline?: { remainingMs: () => number; marginMs: number };
  /** The text a part holds at most (default PART_TEXT_BYTES, 64 MiB; smaller in tests). */
  partTextBytes?: number;
}

export type CurateResult =
  | {
      ok: false;
      reason: string;
      reading: ReadingFacts;
      /** Rejected for its header row: header_aliases may map it another time. */
      forHeader?: boolean;
    }
  | {
      ok: true;
      reading: ReadingFacts;
      header: string[];
      ignoredColumns: string[];
      /** Optional columns left empty because two header cells match them (ambiguousHeaderNotes). */
      headerNotes: string[];
      totals: ControlTotalsReport;
      partCount: number;
      /** A transactions export's sample of order lines (KeySketch), else null. */
      keySketch: string | null;
      /**
       * The quarantine file (with a BOM so Excel opens it as UTF-8), or null when no row failed or
       * it went to the `quarantine` sink.
       */
      quarantineCsv: string | null;
      /** A quarantine file was written to the `quarantine` sink (and ended). */
      quarantineWritten: boolean;
    };

/**
 * The row path of ingest, independent of where bytes come from and where parts go: read, validate,
 * write curated Parquet parts of `rows_per_part` rows through `writePart`, quarantined rows to the
 * quarantine sink as they fail, and count control totals. With a sink, memory stays bounded by a
 * part in flight, the duplicate-key set and one scan's quarantined rows, whatever the file's size or
 * how many of its rows fail.
 */
export async function curateExport(
  source: AsyncIterable<Uint8Array>,
  kind: ExportKind,
  config: Config,
  writePart: (index: number, bytes: Uint8Array) => Promise<void>,
  options: CurateOptions = {},
): Promise<CurateResult> {
  const reading: ReadingFacts = {
    encoding: null,
    encoding_confidence: null,
    delimiter: null,
    compressed: false,
  };
  const quarantine = new QuarantineFile(options.quarantine);
  const progress = { sourceBytes: 0, textBytes: 0 };
  const deadline = options.deadline;
  const startedWithMs = deadline?.remainingMs() ?? 0;
  let sniffed: SniffedExport | undefined;
  try {
    sniffed = await sniffExport(countBytes(source, progress));
    sniffed.stream = pipeline(sniffed.stream, byteLimit(config.max_export_bytes, progress), errorsGoToReader);
    Object.assign(reading, {
      encoding: sniffed.encoding,
      encoding_confidence: sniffed.confidence,
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
      {
        // A compressed or transcoded size says little about the rows inside.
        sizeHint: utf8 && !sniffed.compressed ? (options.sizeHint ?? null) : null,
        sourceEncoding: ENCODING_NAME[sniffed.encoding],
        stop: deadline ? () => deadline.remainingMs() < deadline.marginMs : undefined,
        partTextBytes: options.partTextBytes,
        sepLine: sniffed.sepLine,
      },
      (rows, header) => quarantine.add(rows, header),
    );
    if ('rejected' in curated) {
      await quarantine.abort();
      return { ok: false, reason: curated.rejected, reading, forHeader: true };
    }
    const written = await quarantine.end();
    return {
      ok: true,
      reading,
      header: [...curated.header],
      ignoredColumns: curated.load.mapping.ignored,
      headerNotes: ambiguousHeaderNotes(kind, curated.load.mapping),
      totals: curated.load.totals.toJSON(),
      partCount: curated.partCount,
      keySketch: kind === 'transactions' ? curated.load.keySketch.toString() : null,
      quarantineCsv: written.csv,
      quarantineWritten: written.streamed,
    };
  } catch (error) {
    await quarantine.abort();
    if (error instanceof ReadingStopped) {
      const reason = outOfTime(
        progress,
        options.sizeHint ?? null,
        reading.compressed,
        error.rowsRead,
        startedWithMs,
      );
      return { ok: false, reason, reading };
    }
    if (error instanceof UnreadableExport) return { ok: false, reason: error.message, reading };
    if (error instanceof TooManyOrderLines) return { ok: false, reason: error.message, reading };
    if (error instanceof CsvError) return { ok: false, reason: error.message, reading };
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      return { ok: false, reason: `the gzip data is damaged (${(error as Error).message})`, reading };
    }
    throw error;
  } finally {
    // However the reading ended (stopped at the deadline, refused, failed, or done), nothing of it
    // stays open: the streams in between (gunzip among them) and the source, a socket for S3.
    sniffed?.stream.destroy();
    if (source instanceof Readable) source.destroy();
  }
}

/** The decompressed bytes pass until there are more than `limit`: then the export is too large. */
function byteLimit(limit: number, progress: { textBytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.textBytes += chunk.length;
      if (progress.textBytes > limit) done(new UnreadableExport(tooLarge(limit, 'holds')));
      else done(null, chunk);
    },
  });
}

/** The object's bytes as they are read (compressed ones, for a gzip), counted. */
async function* countBytes(
  source: AsyncIterable<Uint8Array>,
  progress: { sourceBytes: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    progress.sourceBytes += chunk.length;
    yield chunk;
  }
}

/**
 * Why an export whose reading was stopped for lack of time is refused: how far it got (of the
 * object's size when known; the text read too, for a gzip) and what to do.
 */
export function outOfTime(
  progress: { sourceBytes: number; textBytes: number },
  size: number | null,
  compressed: boolean,
  rows: number,
  hadMs: number,
): string {
  const read = size
    ? `${gigabytes(progress.sourceBytes)} of ${gigabytes(size)}`
    : gigabytes(progress.sourceBytes);
  const text = compressed ? ` of the gzip (${gigabytes(progress.textBytes)} of text)` : '';
  const minutes = (hadMs / 60_000).toFixed(1);
  return `stopped after ${read}${text}, ${rows.toLocaleString('en')} rows: ingest could not finish within the function's time limit (${minutes} minutes left when it started reading); split the export into smaller files of the same kind`;
}

function gigabytes(bytes: number): string {
  return bytes >= 1e8 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Why an export past `max_export_bytes` is rejected, in plain words. */
export function tooLarge(limit: number, verb: 'is' | 'holds'): string {
  const gb = (limit / 1024 ** 3).toFixed(limit % 1024 ** 3 === 0 ? 0 : 2);
  return `the file ${verb} more than ${limit >= 1024 ** 3 ? `${gb} GiB` : `${limit} bytes`} (max_export_bytes), more than one ingest function loads within its time limit: split it into smaller files of the same kind`;
}

const ENCODING_NAME: Record<TextEncoding, string> = {
  utf8: 'UTF-8',
  utf16le: 'UTF-16LE',
  utf16be: 'UTF-16BE',
  gb18030: 'GB18030',
};

/**
 * Decodes another encoding and hands the text on as UTF-8 bytes, chunk by chunk. Bytes the
 * encoding cannot read come out of the decoder as U+FFFD; they are handed on as bytes that are not
 * UTF-8 (0xFF), so the row path quarantines their rows as it does bad bytes in a UTF-8 file,
 * instead of curating a replacement character. (A U+FFFD the file really encodes is treated the
 * same: it only ever stands for text an earlier system already lost.)
 */
export async function* transcodeToUtf8(
  stream: AsyncIterable<Uint8Array>,
  encoding: TextEncoding,
): AsyncGenerator<Uint8Array> {
  const decoder = textDecoder(encoding);
  for await (const bytes of stream) yield utf8Marked(decoder.write(bytes));
  yield utf8Marked(decoder.end());
}

function utf8Marked(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  if (!text.includes('\uFFFD')) return bytes;
  // U+FFFD is EF BF BD in UTF-8: overwritten in place, the row keeps its length and line breaks.
  for (let at = bytes.indexOf(REPLACEMENT); at !== -1; at = bytes.indexOf(REPLACEMENT, at + 3))
    bytes.fill(0xff, at, at + 3);
  return bytes;
}

const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

/** The size of the chunks written to the sink: a few writes a megabyte, not one per row. */
const QUARANTINE_CHUNK_BYTES = 64 * 1024;

/**
 * The quarantine CSV as rows arrive: a BOM and the header (line, column and reason first) before
 * the first row, each cell guarded against spreadsheet formulas. Streamed to the sink when there is
 * one, each line encoded straight into the chunk being filled (a file of rejected rows is mostly
 * this: joining the lines into one long string and encoding that had cost more than making them);
 * else kept to be returned whole.
 */
class QuarantineFile {
  private sink: QuarantineSink | null = null;
  /** The chunk being filled, `used` bytes so far, and the chunks filled before it, not yet written. */
  private chunk: Buffer | null = null;
  private used = 0;
  private readonly full: Buffer[] = [];
  private readonly kept: string[] = [];
  private started = false;

  constructor(private readonly open?: () => QuarantineSink) {}

  async add(rows: readonly QuarantinedRow[], header: readonly string[]): Promise<void> {
    if (!this.started) {
      this.started = true;
      if (this.open) this.sink = this.open();
      this.append(`\uFEFF${csvLine(['line', 'column', 'reason', ...header])}`);
    }
    for (const q of rows) this.append(csvQuarantineLine(q.line, q.column, q.reason, q.csvFields ?? q.fields));
    if (this.full.length > 0 || this.used >= QUARANTINE_CHUNK_BYTES / 2) await this.drain();
  }

  private append(line: string): void {
    if (!this.sink) {
      this.kept.push(line);
      return;
    }
    // A UTF-16 unit is at most 3 UTF-8 bytes: a line that might not fit starts a new chunk.
    const most = line.length * 3;
    if (!this.chunk || this.used + most > this.chunk.length) {
      if (this.chunk && this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
      this.chunk = Buffer.allocUnsafe(Math.max(QUARANTINE_CHUNK_BYTES, most));
      this.used = 0;
    }
    this.used += this.chunk.write(line, this.used, 'utf8');
  }

  /** Hands the chunks filled so far to the sink (which may keep them: each is a new buffer). */
  private async drain(): Promise<void> {
    if (!this.sink) return;
    if (this.chunk && this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
    this.chunk = null;
    this.used = 0;
    const chunks = this.full.splice(0);
    for (const chunk of chunks) await this.sink.write(chunk);
  }

  /** Writes what is left and closes the file: the whole file when there is no sink. */
  async end(): Promise<{ csv: string | null; streamed: boolean }> {
    if (!this.started) return { csv: null, streamed: false };
    if (!this.sink) return { csv: this.kept.join(''), streamed: false };
    await this.drain();
    const sink = this.sink;
    this.sink = null;
    await sink.end();
    return { csv: null, streamed: true };
  }

  async abort(): Promise<void> {
    const sink = this.sink;
    this.sink = null;
    this.chunk = null;
    this.used = 0;
    this.full.length = 0;
    this.kept.length = 0;
    if (sink) await sink.abort();
  }
}
