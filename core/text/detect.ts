/**
 * Sniffing what an export is before parsing it: compression, character encoding and delimiter.
 * Decided from the bytes, never from the file name, because finance renames files freely.
 */
export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'gb18030';

export interface EncodingGuess {
  encoding: TextEncoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export function detectEncoding(head: Uint8Array): EncodingGuess {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomLength: 2 };
  return { encoding: isValidUtf8(head) ? 'utf8' : 'gb18030', bomLength: 0 };
}

/**
 * Strict UTF-8 check of a sample; a multi-byte sequence cut off by the end of the sample is allowed.
 * GBK text almost never forms valid UTF-8, so this is how the two are told apart.
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let extra: number;
    if (b >= 0xc2 && b <= 0xdf) extra = 1;
    else if (b >= 0xe0 && b <= 0xef) extra = 2;
    else if (b >= 0xf0 && b <= 0xf4) extra = 3;
    else return false;
    for (let k = 1; k <= extra; k++) {
      if (i + k >= bytes.length) return true;
      const next = bytes[i + k] as number;
      if ((next & 0xc0) !== 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
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

/** The delimiter that splits the header line into the most fields, outside quotes; comma on a tie. */
export function detectDelimiter(text: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (ch === ',' || ch === '\t' || ch === ';')) counts[ch] += 1;
  }
  let best: Delimiter = ',';
  for (const candidate of ['\t', ';'] as const) if (counts[candidate] > counts[best]) best = candidate;
  return best;
}
