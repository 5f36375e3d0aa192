import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  csvCell,
  csvLine,
  csvQuarantineLine,
  neutraliseFormula,
  plainRowCsv,
} from '../../../core/text/csv-out.ts';
import { type CsvRow, CsvTokenizer } from '../../../core/text/csv-tokenizer.ts';

/** The definitions the quarantine writer had, by regular expressions: the reference. */
const referenceNeutralise = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);
const referenceCell = (cell: string) => {
  const safe = referenceNeutralise(cell);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};
const referenceLine = (cells: readonly string[]) => `${cells.map(referenceCell).join(',')}\r\n`;

/** Cells made of the characters that matter to CSV and the guard, and some that do not. */
const cell = fc
  .array(
    fc.constantFrom(
      '=',
      '+',
      '-',
      '@',
      '\t',
      '\r',
      '\n',
      '"',
      ',',
      ';',
      "'",
      ' ',
      'a',
      '1',
      '.',
      '软',
      '\uFEFF',
      '😀',
    ),
    {
      maxLength: 8,
    },
  )
  .map((chars) => chars.join(''));

function tokenize(text: string, delimiter: string): string[][] {
  const rows: CsvRow[] = [];
  const tokenizer = new CsvTokenizer(delimiter, Number.MAX_SAFE_INTEGER);
  tokenizer.push(text, rows);
  tokenizer.end(rows);
  return rows.map((row) => row.fields);
}

describe('quarantine CSV writing', () => {
  it('cells and lines are what the regular-expression definitions give (property)', () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 6 }), (cells) => {
        for (const c of cells) {
          expect(neutraliseFormula(c)).toBe(referenceNeutralise(c));
          expect(csvCell(c)).toBe(referenceCell(c));
        }
        expect(csvLine(cells)).toBe(referenceLine(cells));
      }),
      { numRuns: 5000 },
    );
  });

  it('a quarantined row is the line of its line number, column, reason and fields (property)', () => {
    fc.assert(
      fc.property(fc.nat(), cell, cell, fc.array(cell, { maxLength: 6 }), (line, column, reason, fields) => {
        expect(csvQuarantineLine(line, column, reason, fields)).toBe(
          referenceLine([String(line), column, reason, ...fields]),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("a plain row's text, when taken as it is, is its fields written cell by cell (property)", () => {
    fc.assert(
      fc.property(
        fc.array(cell, { minLength: 2, maxLength: 6 }),
        fc.constantFrom(',', ';', '\t'),
        (cells, delimiter) => {
          const text = cells.join(delimiter);
          // A row without a quote or line break is its text split at the delimiter, as CsvTokenizer
          // reads it (ByteRowLoader splits quarantined rows so).
          if (!/["\r\n]/.test(text)) expect(tokenize(text, delimiter)).toEqual([text.split(delimiter)]);
          const plain = plainRowCsv(text, delimiter);
          if (plain === null) return;
          // Only rows CsvTokenizer reads as these very fields are plain.
          expect(tokenize(text, delimiter)).toEqual([text.split(delimiter)]);
          expect(csvQuarantineLine(7, 'order_id', 'why', plain)).toBe(
            referenceLine(['7', 'order_id', 'why', ...text.split(delimiter)]),
          );
        },
      ),
      { numRuns: 5000 },
    );
    expect(plainRowCsv('SO1,C1,2025-03-01,120.50,软件', ',')).toBe('SO1,C1,2025-03-01,120.50,软件');
    expect(plainRowCsv('SO1;C1;;x', ';')).toBe('SO1,C1,,x');
    expect(plainRowCsv('SO1\t\tx', '\t')).toBe('SO1,,x');
    expect(plainRowCsv('SO1;1,5', ';')).toBeNull();
    expect(plainRowCsv('SO1,=1', ',')).toBeNull();
    expect(plainRowCsv('SO1,"a"', ',')).toBeNull();
  });
});
