import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import {
  detectDelimiter,
  detectEncoding,
  isGzip,
  looksBinary,
  type TextEncoding,
} from '../../core/text/detect.ts';

export interface ExportRow {
  fields: string[];
  /** 1-based line on which the row starts. */
  line: number;
}

export interface ExportReader {
  encoding: TextEncoding;
  delimiter: string;
  compressed: boolean;
  rows: AsyncIterable<ExportRow>;
}

/** A file that cannot be read at all; its message is the one reason in the ingest report. */
export class UnreadableExport extends Error {}

const SNIFF_BYTES = 64 * 1024;
/** A single field beyond this is not finance data but a broken quote or a binary file. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** Reads the first bytes of a stream and gives back a stream that still yields all of them. */
async function sniff(source: AsyncIterable<Uint8Array>): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay() {
    yield head;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}

function newlinesIn(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let i = 0; i < field.length; i++) {
      const code = field.charCodeAt(i);
      if (code === 10 || (code === 13 && field.charCodeAt(i + 1) !== 10)) count += 1;
    }
  }
  return count;
}

/**
 * Streams an export as rows of text fields with bounded memory: gunzip when the bytes say gzip,
 * decode the detected encoding, detect the delimiter, parse RFC 4180 quoting. The first row
 * yielded is the header.
 */
export async function openExport(source: AsyncIterable<Uint8Array>): Promise<ExportReader> {
  let { head, stream } = await sniff(source);
  const compressed = isGzip(head);
  if (compressed) ({ head, stream } = await sniff(stream.pipe(createGunzip())));
  if (head.length === 0) throw new UnreadableExport('the file is empty');
  const { encoding, bomLength } = detectEncoding(head);
  const sample = iconv.decode(head.subarray(bomLength), encoding);
  if (looksBinary(sample)) throw new UnreadableExport('the file is not text (binary content)');
  if (sample.trim() === '') throw new UnreadableExport('the file is empty');
  const delimiter = detectDelimiter(sample);
  const parser = parse({
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    // Empty lines come through as [''] and are skipped below, so that line numbers can be counted
    // here instead of through csv-parse's per-record info objects (a tenth of the parse time).
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
    bom: true,
  });
  // csv-parse reads UTF-8 bytes itself (faster than decoding to strings first); other encodings
  // are decoded to text by iconv-lite on the way in.
  const text = encoding === 'utf8' ? stream : stream.pipe(iconv.decodeStream(encoding, { stripBOM: true }));
  text.on('error', (error) => parser.destroy(error));
  text.pipe(parser);
  async function* rows(): AsyncGenerator<ExportRow> {
    let line = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        line += 1;
        const start = line;
        line += newlinesIn(record);
        if (record.length === 1 && (record[0] as string).trim() === '') continue;
        yield { fields: record, line: start };
      }
    } catch (error) {
      const { message, lines } = error as { message: string; lines?: number };
      const where = lines ? `line ${lines}: ` : '';
      throw new UnreadableExport(`${where}${message.replace(/^Invalid Record Length: /, '').slice(0, 300)}`);
    }
  }
  return { encoding, delimiter, compressed, rows: rows() };
}
