/**
 * Sniffing what an export is before parsing it: compression, character encoding and delimiter.
 * Decided from the bytes, never from the file name, because finance renames files freely.
 */
export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'gb18030';

/**
 * How sure the guess is: `certain` (a byte-order mark says so), `high` (the sampled bytes are all
 * valid in the encoding, with characters only it reads that way, or UTF-8 with rare bad bytes),
 * `medium` (nothing but ASCII was sampled, or both readings fit and the evidence leans one way),
 * `low` (no encoding reads the sample cleanly; the least bad one was taken).
 */
export type EncodingConfidence = 'certain' | 'high' | 'medium' | 'low';

export interface EncodingGuess {
  encoding: TextEncoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
  confidence: EncodingConfidence;
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Decides the encoding on the evidence of the sample `head` (`complete` when it is the whole
 * file). Whatever is decided, bytes the encoding cannot read are never decoded to look-alike
 * text: ingest quarantines the rows that hold them. So a UTF-8 file with a stray GBK row or one bad
 * byte stays UTF-8 (its Chinese must not turn into mojibake for the sake of one row), and GB18030 is
 * chosen only when UTF-8 reads the sample worse than it does.
 */
export function detectEncoding(head: Uint8Array, complete = false): EncodingGuess {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: 'utf8', bomLength: 3, confidence: 'certain' };
  if (head[0] === 0xff && head[1] === 0xfe)
    return { encoding: 'utf16le', bomLength: 2, confidence: 'certain' };
  if (head[0] === 0xfe && head[1] === 0xff)
    return { encoding: 'utf16be', bomLength: 2, confidence: 'certain' };
  const utf16 = utf16WithoutMark(head);
  if (utf16) return { encoding: utf16, bomLength: 0, confidence: 'medium' };
  const utf8 = utf8Evidence(head, complete);
  const guess = (encoding: TextEncoding, confidence: EncodingConfidence): EncodingGuess => ({
    encoding,
    bomLength: 0,
    confidence,
  });
  if (utf8.badLines === 0) return guess('utf8', utf8.textLines > 0 || complete ? 'high' : 'medium');
  // Lines are the evidence: a GBK line with a few Chinese characters is valid UTF-8 only by rare
  // chance, and a UTF-8 line is often valid GB18030, silently. So when both kinds of line are
  // there, UTF-8 wins a tie: the worst it does is quarantine the other rows, where GB18030 would
  // turn every UTF-8 row into mojibake without a word.
  if (utf8.textLines >= 10 * utf8.badLines) return guess('utf8', 'high');
  if (utf8.textLines >= utf8.badLines) return guess('utf8', 'medium');
  const gbErrors = gb18030Errors(head, complete);
  if (gbErrors === 0) return guess('gb18030', utf8.textLines === 0 ? 'high' : 'medium');
  return gbErrors < utf8.invalid ? guess('gb18030', 'low') : guess('utf8', 'low');
}

/**
 * UTF-16 without a byte-order mark (some exporters write it so), told by its zero bytes: text of a
 * CSV is mostly ASCII, whose code units have a zero high byte, so a quarter or more of the pairs
 * hold a zero on one side and almost none on the other. Bytes with zeros on both sides (a zip,
 * an image) are not taken for it. Rejected before as binary content.
 */
function utf16WithoutMark(head: Uint8Array): 'utf16le' | 'utf16be' | null {
  const pairs = Math.min(head.length, 8192) >> 1;
  if (pairs < 16) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[i * 2] === 0) evenZeros += 1;
    if (head[i * 2 + 1] === 0) oddZeros += 1;
  }
  if (oddZeros >= pairs / 4 && evenZeros <= pairs / 50) return 'utf16le';
  if (evenZeros >= pairs / 4 && oddZeros <= pairs / 50) return 'utf16be';
  return null;
}

/**
 * Strict UTF-8 check of a sample; a multi-byte sequence cut off by the end of the sample is allowed.
 * GBK text almost never forms valid UTF-8, so this is how the two are told apart.
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return utf8Evidence(bytes, false).invalid === 0;
}

/**
 * Length of the well-formed UTF-8 sequence at `at` (1 for ASCII), 0 when the bytes there are not
 * one (overlong forms, surrogates and code points past U+10FFFF included), or -1 when the bytes end
 * before a sequence that is well-formed so far does.
 */
export function utf8SequenceAt(bytes: Uint8Array, at: number, end: number): number {
  const b = bytes[at] as number;
  if (b < 0x80) return 1;
  let extra: number;
  // The second byte's range is narrower after some leads: that is what excludes overlong forms,
  // surrogates and code points past U+10FFFF (the table of Unicode 15, section 3.9).
  let low = 0x80;
  let high = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) extra = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    extra = 2;
    if (b === 0xe0) low = 0xa0;
    else if (b === 0xed) high = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    extra = 3;
    if (b === 0xf0) low = 0x90;
    else if (b === 0xf4) high = 0x8f;
  } else return 0;
  for (let k = 1; k <= extra; k++) {
    if (at + k >= end) return -1;
    const next = bytes[at + k] as number;
    if (k === 1 ? next < low || next > high : (next & 0xc0) !== 0x80) return 0;
  }
  return extra + 1;
}

/** Where the first byte of `bytes[start, end)` that is not well-formed UTF-8 is, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    if ((bytes[i] as number) < 0x80) {
      i += 1;
      continue;
    }
    const length = utf8SequenceAt(bytes, i, end);
    if (length <= 0) return i;
    i += length;
  }
  return -1;
}

/**
 * What a sample says about UTF-8: invalid sequences (each bad byte or broken sequence once), lines
 * that hold multi-byte characters and no invalid sequence (`textLines`), and lines with an invalid
 * one (`badLines`). A sequence cut off by the end of a sample that is not the whole file counts as
 * neither.
 */
export function utf8Evidence(
  bytes: Uint8Array,
  complete: boolean,
): { invalid: number; textLines: number; badLines: number } {
  let invalid = 0;
  let textLines = 0;
  let badLines = 0;
  let multi = false;
  let bad = false;
  const endLine = () => {
    if (bad) badLines += 1;
    else if (multi) textLines += 1;
    multi = false;
    bad = false;
  };
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    if (byte < 0x80) {
      if (byte === 0x0a || byte === 0x0d) endLine();
      i += 1;
      continue;
    }
    const length = utf8SequenceAt(bytes, i, bytes.length);
    if (length === -1) {
      if (complete) {
        invalid += 1;
        bad = true;
      }
      break;
    }
    if (length === 0) {
      invalid += 1;
      bad = true;
      i += 1;
    } else {
      multi = true;
      i += length;
    }
  }
  endLine();
  return { invalid, textLines, badLines };
}

/**
 * Byte sequences GB18030 cannot read in a sample: one-byte ASCII, two bytes (lead 0x81-0xFE, trail
 * 0x40-0x7E or 0x80-0xFE) or four (0x81-0xFE, 0x30-0x39, 0x81-0xFE, 0x30-0x39).
 */
export function gb18030Errors(bytes: Uint8Array, complete: boolean): number {
  let errors = 0;
  let i = 0;
  const end = bytes.length;
  while (i < end) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    if (b === 0x80 || b === 0xff) {
      errors += 1;
      i += 1;
      continue;
    }
    if (i + 1 >= end) {
      if (complete) errors += 1;
      break;
    }
    const second = bytes[i + 1] as number;
    if ((second >= 0x40 && second <= 0x7e) || (second >= 0x80 && second <= 0xfe)) {
      i += 2;
      continue;
    }
    if (second >= 0x30 && second <= 0x39) {
      if (i + 3 >= end) {
        if (complete) errors += 1;
        break;
      }
      const third = bytes[i + 2] as number;
      const fourth = bytes[i + 3] as number;
      if (third >= 0x81 && third <= 0xfe && fourth >= 0x30 && fourth <= 0x39) {
        i += 4;
        continue;
      }
    }
    errors += 1;
    i += 1;
  }
  return errors;
}

/** Text that holds control characters other than tab and line breaks is not a CSV export. */
export function looksBinary(text: string): boolean {
  let control = 0;
  const sample = text.slice(0, 8192);
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if (code === 0) return true;
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) control += 1;
    if (code === 0xfffd) control += 1;
  }
  return control > Math.max(8, sample.length / 100);
}

export type Delimiter = ',' | '\t' | ';';

export function isDelimiter(text: string): text is Delimiter {
  return text === ',' || text === '\t' || text === ';';
}

/**
 * The delimiter Excel's first line `sep=;` names (`sep=,`, `sep=<tab>`; also quoted, or followed
 * by more of the delimiter, as a spreadsheet that read it as a row saves it), whatever character it
 * is; null when the first line of `text` is not one. The reader skips that line, which still counts
 * as line 1.
 */
export function excelSepLine(text: string): string | null {
  const end = text.search(/[\r\n]/);
  const line = end === -1 ? text : text.slice(0, end);
  const match = /^(?:sep=([^\s]|\t)|"sep=([^\s"]|\t)")(.*)$/i.exec(line);
  if (!match) return null;
  const delimiter = (match[1] ?? match[2]) as string;
  for (const ch of match[3] as string) if (ch !== delimiter && ch !== ' ' && ch !== '\t') return null;
  return delimiter;
}

const BLANK_CELL = /^[\s,;"]*$/;

/**
 * A row with no value in it: blank cells, or cells of nothing but spaces, quotes and delimiters
 * (`,,,,` is how a spreadsheet saves an empty first row; read with `;` it is one such cell). Such
 * rows before the header are skipped, and the delimiter is detected from the line after them.
 */
export function isBlankRow(fields: readonly string[]): boolean {
  return fields.every((field) => BLANK_CELL.test(field));
}

/**
 * The delimiter that splits the header line into the most fields, outside quotes; comma on a tie.
 * The header line is the first with a value in it (lines of spaces, quotes and delimiters only are
 * skipped, as the reader skips them), unless the first line is Excel's `sep=` line, which decides.
 */
export function detectDelimiter(text: string): Delimiter {
  const named = excelSepLine(text);
  if (named !== null && isDelimiter(named)) return named;
  const counts: Record<Delimiter, number> = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  let value = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (value) break;
      counts[','] = 0;
      counts['\t'] = 0;
      counts[';'] = 0;
    } else if (!quoted && isDelimiter(ch)) counts[ch] += 1;
    else if (!value && !BLANK_CELL.test(ch)) value = true;
  }
  let best: Delimiter = ',';
  for (const candidate of ['\t', ';'] as const) if (counts[candidate] > counts[best]) best = candidate;
  return best;
}
