/**
 * RFC 4180 rows from text that arrives in pieces, with the line each row starts on.
 *
 * Written by hand rather than with csv-parse because it is the ingest hot path: csv-parse spends
 * about 2 µs a row (a third of the budget of the ingest benchmark) and only reports line numbers
 * through a per-record info object that costs as much again. A property test holds this tokenizer
 * to csv-parse's reading of the same text.
 *
 * Lenient where spreadsheets are: a quote inside an unquoted field is kept as text, characters after
 * a closing quote are kept, rows may have any number of fields, and CRLF, LF and a lone CR all end a
 * line. A quoted field that never closes, or a row longer than `maxRowChars`, is a `CsvError`.
 */
export interface CsvRow {
  fields: string[];
  /** 1-based line on which the row starts. */
  line: number;
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Thrown inside a scan when the text ends before the row does; the row is kept for the next piece. */
const INCOMPLETE = -1;

export class CsvTokenizer {
  private pending = '';
  /** Line on which `pending` starts. */
  private line = 1;
  private readonly delimiter: number;

  constructor(
    delimiter: string,
    private readonly maxRowChars = 4 * 1024 * 1024,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Appends the rows completed by `text` to `rows`. Rows of blank lines are skipped. */
  push(text: string, rows: CsvRow[]): void {
    const source = this.pending === '' ? text : this.pending + text;
    const consumed = this.scan(source, false, rows);
    this.pending = consumed === source.length ? '' : source.slice(consumed);
    if (this.pending.length > this.maxRowChars) {
      throw new CsvError(
        this.line,
        `a row is longer than ${this.maxRowChars} characters (a quote never closed?)`,
      );
    }
  }

  /** The end of the text: appends the last row (which needs no line ending). */
  end(rows: CsvRow[]): void {
    if (this.pending !== '') this.scan(this.pending, true, rows);
    this.pending = '';
  }

  /** Parses whole rows from `text`; returns how many characters they took. */
  private scan(text: string, final: boolean, rows: CsvRow[]): number {
    const length = text.length;
    const delimiter = this.delimiter;
    let position = 0;
    while (position < length) {
      const rowStart = position;
      const startLine = this.line;
      let lines = 0;
      const fields: string[] = [];
      let complete = false;
      while (!complete) {
        let value: string;
        if (text.charCodeAt(position) === QUOTE) {
          const quoted = this.quoted(text, position, final, startLine);
          if (quoted === null) return rowStart;
          value = quoted.value;
          lines += quoted.lines;
          position = quoted.end;
          if (position < length) {
            // Text between the closing quote and the delimiter is kept, as spreadsheets do.
            const end = this.unquotedEnd(text, position);
            if (end > position) {
              value += text.slice(position, end);
              position = end;
            }
          }
        } else {
          const end = this.unquotedEnd(text, position);
          value = text.slice(position, end);
          position = end;
        }
        fields.push(value);
        if (position >= length) {
          if (!final) return rowStart;
          complete = true;
          break;
        }
        const code = text.charCodeAt(position);
        if (code === delimiter) {
          position += 1;
          if (position >= length && final) {
            fields.push('');
            complete = true;
          }
          continue;
        }
        if (code === CR) {
          if (position + 1 >= length && !final) return rowStart;
          position += text.charCodeAt(position + 1) === LF ? 2 : 1;
        } else {
          position += 1;
        }
        lines += 1;
        complete = true;
      }
      this.line = startLine + lines;
      if (fields.length === 1 && (fields[0] as string).trim() === '') continue;
      rows.push({ fields, line: startLine });
    }
    return position;
  }

  /** End of an unquoted field: the next delimiter, CR or LF, or the end of the text. */
  private unquotedEnd(text: string, start: number): number {
    const delimiter = this.delimiter;
    const length = text.length;
    let position = start;
    while (position < length) {
      const code = text.charCodeAt(position);
      if (code === delimiter || code === LF || code === CR) break;
      position += 1;
    }
    return position;
  }

  /** A quoted field from its opening quote: its value, the line breaks inside it and where it ends; null when the text ends first. */
  private quoted(
    text: string,
    open: number,
    final: boolean,
    startLine: number,
  ): { value: string; lines: number; end: number } | null {
    const length = text.length;
    let value = '';
    let segment = open + 1;
    let search = segment;
    for (;;) {
      const close = text.indexOf('"', search);
      if (close === INCOMPLETE) {
        if (final) throw new CsvError(startLine, 'a quoted field is never closed');
        return null;
      }
      if (close + 1 >= length && !final) return null; // cannot tell "" from a closing quote yet
      if (text.charCodeAt(close + 1) === QUOTE) {
        value += text.slice(segment, close + 1);
        segment = close + 2;
        search = segment;
        continue;
      }
      value += text.slice(segment, close);
      return { value, lines: lineBreaks(text, open, close), end: close + 1 };
    }
  }
}

/** Line breaks (CRLF counted once) between two positions. */
function lineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === LF || (code === CR && text.charCodeAt(i + 1) !== LF)) count += 1;
  }
  return count;
}
