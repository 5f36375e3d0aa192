import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, type CsvRow, CsvTokenizer } from '../../../core/text/csv-tokenizer.ts';

function tokenize(text: string, pieces: number[], delimiter = ','): CsvRow[] {
  const tokenizer = new CsvTokenizer(delimiter);
  const rows: CsvRow[] = [];
  let at = 0;
  for (const size of pieces) {
    tokenizer.push(text.slice(at, at + size), rows);
    at += size;
  }
  tokenizer.push(text.slice(at), rows);
  tokenizer.end(rows);
  return rows;
}

const field = fc.oneof(
  fc.stringMatching(/^[a-z0-9 .¥客户-]{0,6}$/),
  fc.string({ maxLength: 6, unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ';', '客') }),
);

/** Quotes a field the way spreadsheets do: only when it holds a delimiter, quote or line break. */
function quote(value: string): string {
  return /[,"\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value;
}

describe('CsvTokenizer', () => {
  it('reads what csv-parse reads, however the text is cut into pieces (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 20 }),
        (records, newline, pieces) => {
          const text = records.map((r) => r.map(quote).join(',')).join(newline) + newline;
          const expected = parse(text, {
            record_delimiter: ['\r\n', '\n', '\r'],
            relax_column_count: true,
          }) as string[][];
          const rows = tokenize(text, pieces);
          expect(rows.map((r) => r.fields)).toEqual(
            expected.filter((r) => !(r.length === 1 && r[0]?.trim() === '')),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('numbers each row by the physical line it starts on', () => {
    const rows = tokenize('a,b\r\n"x\r\ny",1\n\n2,"3\n"\r4,5', [3, 5]);
    expect(rows).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x\r\ny', '1'], line: 2 },
      { fields: ['2', '3\n'], line: 5 },
      { fields: ['4', '5'], line: 7 },
    ]);
  });

  it('is lenient where spreadsheets are', () => {
    expect(tokenize('a"b,"c"d,e,\n', []).map((r) => r.fields)).toEqual([['a"b', 'cd', 'e', '']]);
    expect(tokenize('x;y\t1', [], ';').map((r) => r.fields)).toEqual([['x', 'y\t1']]);
  });

  it('names the line of a quote that never closes and of a row too long to be data', () => {
    expect(() => tokenize('a\nb\n"c\nd', [2])).toThrow(new CsvError(3, 'a quoted field is never closed'));
    const tokenizer = new CsvTokenizer(',', 10);
    expect(() => tokenizer.push('ok\n"0123456789abc', [])).toThrow(
      /line 2: a row is longer than 10 characters/,
    );
  });
});
