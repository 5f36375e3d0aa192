import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, type CsvRow, CsvTokenizer } from '../../core/text/csv-tokenizer.ts';
import {
  detectDelimiter,
  detectEncoding,
  type EncodingConfidence,
  excelSepLine,
  isBlankRow,
  isDelimiter,
  isGzip,
  looksBinary,
  type TextEncoding,
} from '../../core/text/detect.ts';

export type ExportRow = CsvRow;

export interface ExportReader {
  encoding: TextEncoding;
  delimiter: string;
  compressed: boolean;
  /** The rows in batches; read either this or `rows`, not both. */
  batches: AsyncIterable<ExportRow[]>;
  rows: AsyncIterable<ExportRow>;
}

/** A file that cannot be read at all; its message is the one reason in the ingest report. */
export class UnreadableExport extends Error {}

const SNIFF_BYTES = 64 * 1024;
/**
 * An export whose first rows are all ASCII says nothing about its encoding there: up to this many
 * bytes are read until one that is not ASCII turns up, so a GBK file with a long English preamble
 * is still seen as GBK.
 */
const EVIDENCE_BYTES = 1024 * 1024;
/** A row beyond this many bytes (or characters, read as text) is not finance data but a broken quote or a binary file. */
export const MAX_ROW_SIZE = 4 * 1024 * 1024;

/**
 * Reads the first bytes of a stream (at least SNIFF_BYTES, up to EVIDENCE_BYTES while `more` says
 * so) and gives back a stream that still yields all of them; `complete` when they are all there is.
 * Destroying that stream before its end closes the source (its iterator's return(), which for a
 * Node stream destroys it): a reader that stops early leaves nothing open behind it.
 */
async function sniff(
  source: AsyncIterable<Uint8Array>,
  more: (chunk: Uint8Array) => boolean = () => false,
): Promise<{ head: Buffer; stream: Readable; complete: boolean }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  let wanted = true;
  try {
    while (size < SNIFF_BYTES || (wanted && size < EVIDENCE_BYTES)) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = Buffer.from(next.value);
      chunks.push(chunk);
      size += chunk.length;
      wanted = wanted && more(chunk);
    }
  } catch (error) {
    // The error is the one to report, not a failure to close what already failed.
    await iterator.return?.()?.catch(() => {});
    throw error;
  }
  const head = Buffer.concat(chunks);
  async function* replay() {
    let ended = done;
    try {
      yield head;
      if (done) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      ended = true;
    } finally {
      if (!ended) await iterator.return?.();
    }
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }), complete: done };
}

const allAscii = (bytes: Uint8Array): boolean => bytes.every((byte) => byte < 0x80);

/** Turns bytes into text chunk by chunk; multi-byte characters split across chunks are kept whole. */
export function textDecoder(encoding: TextEncoding): { write(bytes: Uint8Array): string; end(): string } {
  // Node's own WHATWG decoders (ICU for GB18030): about three times as fast as iconv-lite, which
  // made GBK exports the slow case, and they drop the byte-order mark. They map GB18030 as its
  // 2022 edition and browsers do (a few vertical punctuation marks are no longer private-use
  // characters; invalid four-byte sequences become U+FFFD).
  const decoder = new TextDecoder(WHATWG_LABEL[encoding]);
  return {
    write: (bytes) => decoder.decode(bytes, { stream: true }),
    end: () => decoder.decode(),
  };
}

const WHATWG_LABEL: Record<TextEncoding, string> = {
  utf8: 'utf-8',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  gb18030: 'gb18030',
};

/**
 * Streams an export as rows of text with bounded memory: gunzip when the bytes say gzip, decode
 * the detected encoding, detect the delimiter, split RFC 4180 rows. The first row is the header:
 * Excel's `sep=` line and rows with no value before it are skipped (lines keep their numbers).
 * Ingest itself reads the bytes (curate-bytes.ts) and turns to text only for rows the fast paths
 * cannot take; this whole-text reader is the reference the tests hold that path to.
 */
export async function openExport(source: AsyncIterable<Uint8Array>): Promise<ExportReader> {
  return readRows(await sniffExport(source));
}

export interface SniffedExport {
  encoding: TextEncoding;
  confidence: EncodingConfidence;
  delimiter: string;
  /** The first line is Excel's `sep=` line naming the delimiter: not the header, skipped. */
  sepLine: boolean;
  compressed: boolean;
  /** All the (decompressed) bytes, the sniffed ones included. */
  stream: Readable;
}

/**
 * What the export is (compression, encoding, delimiter), decided from its first bytes. Destroying
 * the returned stream closes everything behind it (gunzip, the source); so does a refusal here.
 */
export async function sniffExport(source: AsyncIterable<Uint8Array>): Promise<SniffedExport> {
  let { head, stream, complete } = await sniff(source, allAscii);
  try {
    const compressed = isGzip(head);
    // pipeline, not pipe: an error or a destroy on either side reaches the other (a damaged gzip
    // past the sniffed bytes fails the reader instead of leaving it waiting).
    if (compressed)
      ({ head, stream, complete } = await sniff(
        pipeline(stream, createGunzip(), errorsGoToReader),
        allAscii,
      ));
    if (head.length === 0) throw new UnreadableExport('the file is empty');
    const { encoding, bomLength, confidence } = detectEncoding(head, complete);
    const sample = new TextDecoder(WHATWG_LABEL[encoding]).decode(head.subarray(bomLength));
    if (looksBinary(sample)) throw new UnreadableExport('the file is not text (binary content)');
    if (sample.trim() === '') throw new UnreadableExport('the file is empty');
    const named = excelSepLine(sample);
    if (named !== null && !isDelimiter(named))
      throw new UnreadableExport(
        `the first line "sep=${named}" names ${named} as the delimiter: ingest reads comma, tab or semicolon; save the file with one of them`,
      );
    const delimiter = detectDelimiter(sample);
    return { encoding, confidence, delimiter, sepLine: named !== null, compressed, stream };
  } catch (error) {
    stream.destroy();
    throw error;
  }
}

/** A pipeline's callback where its last stream is read: errors reach the reader through that stream. */
export const errorsGoToReader = () => {};

/** Decodes and tokenizes a sniffed export on this thread. */
export function readRows(sniffed: SniffedExport): ExportReader {
  const { encoding, delimiter, sepLine, compressed, stream } = sniffed;
  const decoder = textDecoder(encoding);
  const tokenizer = new CsvTokenizer(delimiter, MAX_ROW_SIZE);
  let header = false;
  /** Drops what comes before the header: the `sep=` line, rows with no value. */
  const fromHeader = (rows: ExportRow[]): ExportRow[] => {
    if (header) return rows;
    let first = 0;
    while (first < rows.length) {
      const row = rows[first] as ExportRow;
      if (!(sepLine && row.line === 1) && !isBlankRow(row.fields)) break;
      first += 1;
    }
    header = first < rows.length;
    return first === 0 ? rows : rows.slice(first);
  };
  async function* batches(): AsyncGenerator<ExportRow[]> {
    try {
      for await (const bytes of stream as AsyncIterable<Uint8Array>) {
        const rows: ExportRow[] = [];
        tokenizer.push(decoder.write(bytes), rows);
        const read = fromHeader(rows);
        if (read.length > 0) yield read;
      }
      const rows: ExportRow[] = [];
      tokenizer.push(decoder.end(), rows);
      tokenizer.end(rows);
      const read = fromHeader(rows);
      if (read.length > 0) yield read;
    } catch (error) {
      if (error instanceof CsvError) throw new UnreadableExport(error.message);
      if ((error as { code?: string }).code?.startsWith('Z_')) {
        throw new UnreadableExport(`the gzip data is damaged (${(error as Error).message})`);
      }
      throw error;
    }
  }
  const rowBatches = batches();
  async function* rows(): AsyncGenerator<ExportRow> {
    for await (const batch of rowBatches) yield* batch;
  }
  return { encoding, delimiter, compressed, batches: rowBatches, rows: rows() };
}
