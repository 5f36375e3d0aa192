import { CsvError } from './csv-tokenizer.ts';

/**
 * Rows of a UTF-8 export found in its bytes, without decoding them: for each row, where its fields
 * start and end. This is the fast way through big exports; rows it cannot describe as plain
 * ranges of bytes (a quoted field with "" inside, text after a closing quote) are marked `complex`
 * and their bytes are read again by CsvTokenizer, which is the reference for every rule. Line
 * numbers, blank lines, line endings and errors are the same as CsvTokenizer's.
 */
export interface ByteRowSink {
  /**
   * One row: field i is `bytes[bounds[2i], bounds[2i + 1])`; the row's own bytes (without its line
   * ending) are `bytes[rowStart, rowEnd)`.
   */
  row(
    bytes: Uint8Array,
    bounds: Int32Array,
    fieldCount: number,
    complex: boolean,
    line: number,
    rowStart: number,
    rowEnd: number,
  ): void;
  /** Called after each run of rows from one buffer, before that buffer is reused or changed. */
  scanned?(): void;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class ByteRowReader {
  /**
   * The unfinished last row of the bytes so far (`carry[0, carried)`), joined with the next bytes
   * in place: the buffer grows by doubling and is reused, so a long row arriving in small pieces
   * costs linear, not quadratic, copying.
   */
  private carry = new Uint8Array(0);
  private carried = 0;
  private line = 1;
  private bounds = new Int32Array(64);
  private readonly delimiter: number;
  /** 1 for the bytes that end an unquoted field: the delimiter and line breaks. */
  private readonly stops = new Uint8Array(256);

  constructor(
    delimiter: string,
    private readonly maxRowBytes = 4 * 1024 * 1024,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    for (const stop of [this.delimiter, LF, CR]) this.stops[stop] = 1;
  }

  /** Bytes of an unfinished row held over for the next push. */
  get pending(): number {
    return this.carried;
  }

  /** Reads the rows completed by `bytes`; an unfinished last row waits for the next bytes. */
  push(bytes: Uint8Array, sink: ByteRowSink): void {
    if (this.carried === 0) {
      const consumed = this.scan(bytes, false, sink);
      sink.scanned?.();
      this.keep(bytes, consumed);
      return;
    }
    this.append(bytes);
    // A row ends only at a line break: bytes without one cannot finish the carried row.
    if (bytes.indexOf(LF) === -1 && bytes.indexOf(CR) === -1) return;
    const source = this.carry.subarray(0, this.carried);
    const consumed = this.scan(source, false, sink);
    sink.scanned?.();
    this.keep(source, consumed);
  }

  /** The end of the bytes: reads the last row (which needs no line ending). */
  end(sink: ByteRowSink): void {
    if (this.carried > 0) {
      this.scan(this.carry.subarray(0, this.carried), true, sink);
      sink.scanned?.();
    }
    this.carried = 0;
  }

  private append(bytes: Uint8Array): void {
    const size = this.carried + bytes.length;
    if (size > this.carry.length) {
      const grown = new Uint8Array(Math.max(size, this.carry.length * 2, 1024));
      grown.set(this.carry.subarray(0, this.carried));
      this.carry = grown;
    }
    this.carry.set(bytes, this.carried);
    this.carried = size;
    if (this.carried > this.maxRowBytes) {
      throw new CsvError(this.line, `a row is longer than ${this.maxRowBytes} bytes (a quote never closed?)`);
    }
  }

  /** Carries `source[consumed..]` (the unfinished row) over to the next push. */
  private keep(source: Uint8Array, consumed: number): void {
    const rest = source.length - consumed;
    if (source.buffer === this.carry.buffer) {
      this.carry.copyWithin(0, consumed, source.length);
      this.carried = rest;
    } else {
      this.carried = 0;
      if (rest > 0) this.append(source.subarray(consumed));
    }
    if (this.carried > this.maxRowBytes) {
      throw new CsvError(this.line, `a row is longer than ${this.maxRowBytes} bytes (a quote never closed?)`);
    }
  }

  /** Reads whole rows from `bytes`; returns how many bytes they took. */
  private scan(bytes: Uint8Array, final: boolean, sink: ByteRowSink): number {
    const length = bytes.length;
    const delimiter = this.delimiter;
    const stops = this.stops;
    let position = 0;
    while (position < length) {
      const rowStart = position;
      const startLine = this.line;
      let lines = 0;
      let fields = 0;
      let complex = false;
      let rowEnd = -1;
      for (;;) {
        if (fields * 2 + 2 > this.bounds.length) {
          const grown = new Int32Array(this.bounds.length * 2);
          grown.set(this.bounds);
          this.bounds = grown;
        }
        let fieldStart = position;
        let fieldEnd: number;
        if (bytes[position] === QUOTE) {
          let close = position + 1;
          for (;;) {
            while (close < length && bytes[close] !== QUOTE) {
              const byte = bytes[close] as number;
              if (byte === LF || (byte === CR && bytes[close + 1] !== LF)) lines += 1;
              close += 1;
            }
            if (close >= length) {
              if (final) throw new CsvError(startLine, 'a quoted field is never closed');
              return rowStart;
            }
            if (close + 1 >= length && !final) return rowStart; // "" or a closing quote: not yet known
            if (bytes[close + 1] === QUOTE) {
              complex = true;
              close += 2;
              continue;
            }
            break;
          }
          fieldStart = position + 1;
          fieldEnd = close;
          position = close + 1;
          while (position < length) {
            const byte = bytes[position];
            if (byte === delimiter || byte === LF || byte === CR) break;
            complex = true; // text after the closing quote
            position += 1;
          }
        } else {
          // One table lookup a byte instead of three comparisons: this loop reads nearly every byte.
          while (position < length && stops[bytes[position] as number] === 0) position += 1;
          fieldEnd = position;
        }
        this.bounds[fields * 2] = fieldStart;
        this.bounds[fields * 2 + 1] = fieldEnd;
        fields += 1;
        if (position >= length) {
          if (!final) return rowStart;
          rowEnd = position;
          break;
        }
        const byte = bytes[position];
        if (byte === delimiter) {
          position += 1;
          if (position >= length && final) {
            this.bounds[fields * 2] = position;
            this.bounds[fields * 2 + 1] = position;
            fields += 1;
            rowEnd = position;
            break;
          }
          continue;
        }
        rowEnd = position;
        if (byte === CR) {
          if (position + 1 >= length && !final) return rowStart;
          position += bytes[position + 1] === LF ? 2 : 1;
        } else {
          position += 1;
        }
        lines += 1;
        break;
      }
      this.line = startLine + lines;
      // A row of one field is a blank line (skipped) or not a data row (the full reader words why).
      if (fields === 1) {
        const start = this.bounds[0] as number;
        const end = this.bounds[1] as number;
        if (end === start && !complex && bytes[rowStart] !== QUOTE) continue;
        complex = true;
      }
      sink.row(bytes, this.bounds, fields, complex, startLine, rowStart, rowEnd);
    }
    return position;
  }
}
