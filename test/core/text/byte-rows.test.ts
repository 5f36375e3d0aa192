import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRow } from '../../../core/exports/byte-row-loader.ts';
import { ByteRowReader } from '../../../core/text/byte-rows.ts';
import { CsvError, type CsvRow, CsvTokenizer } from '../../../core/text/csv-tokenizer.ts';

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/** Rows as ByteRowReader finds them, complex ones read again as text (as the ingest does). */
function byteRows(text: string, pieces: number[], delimiter = ','): CsvRow[] {
  const bytes = utf8.encode(text);
  const reader = new ByteRowReader(delimiter, 1 << 20);
  const rows: CsvRow[] = [];
  const sink = {
    row(
      chunk: Uint8Array,
      bounds: Int32Array,
      count: number,
      complex: boolean,
      line: number,
      start: number,
      end: number,
    ) {
      if (complex) {
        for (const row of decodeRow(decoder, delimiter, chunk, start, end))
          rows.push({ fields: row.fields, line });
        return;
      }
      const fields: string[] = [];
      for (let i = 0; i < count; i++)
        fields.push(decoder.decode(chunk.subarray(bounds[2 * i], bounds[2 * i + 1])));
      rows.push({ fields, line });
    },
  };
  let at = 0;
  for (const size of pieces) {
    reader.push(bytes.subarray(at, at + size), sink);
    at = Math.min(bytes.length, at + size);
  }
  reader.push(bytes.subarray(at), sink);
  reader.end(sink);
  return rows;
}

function textRows(text: string, delimiter = ','): CsvRow[] {
  const tokenizer = new CsvTokenizer(delimiter);
  const rows: CsvRow[] = [];
  tokenizer.push(text, rows);
  tokenizer.end(rows);
  return rows;
}

describe('ByteRowReader', () => {
  it('finds the rows, fields and lines CsvTokenizer reads, however the bytes are cut (property)', () => {
    const piece = fc.string({
      maxLength: 5,
      unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', '客', ';'),
    });
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 20 }),
        (parts, pieces) => {
          const text = parts.join('');
          let expected: CsvRow[] | CsvError;
          try {
            expected = textRows(text);
          } catch (error) {
            expected = error as CsvError;
          }
          if (expected instanceof CsvError) {
            expect(() => byteRows(text, pieces)).toThrow(expected.message);
          } else {
            expect(byteRows(text, pieces)).toEqual(expected);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('describes plain and quoted fields by their bytes, and counts lines inside quotes', () => {
    expect(byteRows('a,"b,c"\r\n"x\ny",客户\n\n"",1', [4])).toEqual([
      { fields: ['a', 'b,c'], line: 1 },
      { fields: ['x\ny', '客户'], line: 2 },
      { fields: ['', '1'], line: 5 },
    ]);
  });
});
