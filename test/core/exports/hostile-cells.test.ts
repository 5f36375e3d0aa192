import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteRowLoader } from '../../../core/exports/byte-row-loader.ts';
import { ExportLoad, type QuarantinedRow } from '../../../core/exports/export-load.ts';
import { fastText, fastTextBytes } from '../../../core/exports/fast-cells.ts';
import { mapHeaders } from '../../../core/exports/headers.ts';
import { validateRow } from '../../../core/exports/validate-row.ts';
import { ByteRowReader, type ByteRowSink } from '../../../core/text/byte-rows.ts';
import { type CsvRow, CsvTokenizer } from '../../../core/text/csv-tokenizer.ts';

const HEADER = ['order_id', 'customer_id', 'order_date', 'revenue', 'product_category'];

/** Every C0 control but tab, CR and LF, and DEL: what no text cell may hold. */
const FORBIDDEN = [
  ...Array.from({ length: 0x20 }, (_, code) => code).filter((code) => ![0x09, 0x0a, 0x0d].includes(code)),
  0x7f,
];
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const FORBIDDEN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

interface Loaded {
  curated: Record<string, unknown>[];
  quarantined: Pick<QuarantinedRow, 'line' | 'column' | 'reason'>[];
}

function started(header: readonly string[]): ExportLoad {
  const outcome = ExportLoad.start('transactions', header);
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.load;
}

function collect(load: ExportLoad, quarantined: QuarantinedRow[]): Loaded {
  const batch = load.batch;
  return {
    curated: Array.from({ length: batch.length }, (_, i) => batch.row(i)),
    quarantined: quarantined
      .map(({ line, column, reason }) => ({ line, column, reason }))
      .sort((a, b) => a.line - b.line),
  };
}

/** The text path: CsvTokenizer's rows, each through `accept` (where the fast text path runs). */
function loadText(csv: string): Loaded {
  const tokenizer = new CsvTokenizer(',');
  const rows: CsvRow[] = [];
  tokenizer.push(csv, rows);
  tokenizer.end(rows);
  const [header, ...body] = rows;
  const load = started(header?.fields ?? []);
  const quarantined: QuarantinedRow[] = [];
  for (const row of body) {
    const outcome = load.accept(row.fields, row.line);
    if (outcome) quarantined.push(outcome);
  }
  return collect(load, quarantined);
}

/** The UTF-8 byte path: rows straight from their bytes when the fast byte paths take them. */
function loadBytes(csv: string, chunkSize = 4096): Loaded {
  const bytes = new TextEncoder().encode(csv);
  const quarantined: QuarantinedRow[] = [];
  let load: ExportLoad | undefined;
  let loader: ByteRowLoader | undefined;
  const sink: ByteRowSink = {
    row(rowBytes, bounds, fieldCount, complex, line, rowStart, rowEnd) {
      if (loader) {
        loader.row(rowBytes, bounds, fieldCount, complex, line, rowStart, rowEnd);
        return;
      }
      const header = Array.from({ length: fieldCount }, (_, i) =>
        new TextDecoder().decode(rowBytes.subarray(bounds[i * 2], bounds[i * 2 + 1])),
      );
      load = started(header);
      loader = new ByteRowLoader(load, ',', (row) => quarantined.push(row));
    },
    scanned() {
      loader?.scanned();
    },
  };
  const reader = new ByteRowReader(',');
  for (let i = 0; i < bytes.length; i += chunkSize) reader.push(bytes.slice(i, i + chunkSize), sink);
  reader.end(sink);
  loader?.checkDuplicates();
  if (!load) throw new Error('no header');
  return collect(load, quarantined);
}

/** A file past the binary-content sniff (its first 8 KB) before `tail`, whose first row is on line 402. */
function exportWith(tail: string[]): string {
  const head = Array.from(
    { length: 400 },
    (_, i) => `SO${i},C${i % 7},2025-01-${String((i % 28) + 1).padStart(2, '0')},${i}.50,software`,
  );
  const csv = `${HEADER.join(',')}\n${[...head, ...tail].join('\n')}\n`;
  expect(csv.indexOf(tail[0] as string)).toBeGreaterThan(8192);
  return csv;
}

describe('control characters in text cells', () => {
  it('quarantines a row whose customer_id holds NUL or BEL after the first 8 KB, on both paths', () => {
    const csv = exportWith([
      'X1,C1\u0000,2025-03-01,10,',
      'X2,C1\u0007,2025-03-01,20,',
      'X3,C1,2025-03-01,30,',
    ]);
    for (const loaded of [loadText(csv), loadBytes(csv)]) {
      expect(loaded.quarantined).toEqual([
        { line: 402, column: 'customer_id', reason: expect.stringContaining('control character U+0000') },
        { line: 403, column: 'customer_id', reason: expect.stringContaining('control character U+0007') },
      ]);
      expect(loaded.curated).toHaveLength(401);
      expect(loaded.curated.at(-1)).toMatchObject({ order_id: 'X3', customer_id: 'C1' });
      const texts = loaded.curated.flatMap((row) => Object.values(row).filter((v) => typeof v === 'string'));
      expect(texts.filter((text) => FORBIDDEN_TEXT.test(text))).toEqual([]);
    }
  });

  it('quarantines every forbidden control character, first, inside or last in a cell of any text column', () => {
    const tail: string[] = [];
    const expected: Loaded['quarantined'] = [];
    for (const code of FORBIDDEN) {
      const c = String.fromCharCode(code);
      const cells: [string, string][] = [
        ['order_id', `${c}O${code}`],
        ['customer_id', `C${c}1`],
        ['product_category', `soft${c}`],
      ];
      for (const [column, value] of cells) {
        const row = { order_id: `X${code}-${column}`, customer_id: 'C1', product_category: 'software' };
        row[column as keyof typeof row] = value;
        tail.push(`${row.order_id},${row.customer_id},2025-03-01,10,${row.product_category}`);
        expected.push({
          line: 401 + tail.length,
          column,
          reason: `contains control character ${hex(code)} at character ${[...value].indexOf(c) + 1} (text may hold tabs, no other control characters)`,
        });
      }
    }
    const csv = exportWith(tail);
    expect(loadText(csv).quarantined).toEqual(expected);
    expect(loadBytes(csv).quarantined).toEqual(expected);
  });

  it('quarantines a cell that is nothing but a control character, even one trim() removes', () => {
    const csv = exportWith([
      'X1,C1,2025-03-01,10,\u000b',
      'X2,C1,2025-03-01,10,\u000c',
      'X3,\u0000,2025-03-01,10,a',
    ]);
    for (const loaded of [loadText(csv), loadBytes(csv)]) {
      expect(loaded.quarantined.map((q) => [q.line, q.column])).toEqual([
        [402, 'product_category'],
        [403, 'product_category'],
        [404, 'customer_id'],
      ]);
    }
  });

  it('still takes tabs; a line break inside quoted text is quarantined with its own reason, on both paths', () => {
    // A line break gets into a cell only when a quote is opened and not closed on its line, and
    // the lines after it (often rows) are then inside the cell: curated, they vanished.
    const csv = exportWith([
      'X1,C\t1,2025-03-01,10,soft\tware',
      'X2,C2,2025-03-01,10,"two\nlines"',
      'X3,C3,2025-03-01,10,"two\r\nlines"',
      'X4,C4,2025-03-01,10,\tpadded\t',
    ]);
    for (const loaded of [loadText(csv), loadBytes(csv)]) {
      expect(loaded.quarantined).toEqual([
        {
          line: 403,
          column: 'product_category',
          reason: expect.stringMatching(/^holds a line break \(it spans 2 lines/),
        },
        {
          line: 405,
          column: 'product_category',
          reason: expect.stringMatching(/^holds a line break \(it spans 2 lines/),
        },
      ]);
      expect(loaded.curated.slice(400).map((row) => [row.customer_id, row.product_category])).toEqual([
        ['C\t1', 'soft\tware'],
        ['C4', 'padded'],
      ]);
    }
  });

  it('the fast text paths step aside for a control character, and the full validation words it', () => {
    for (const code of FORBIDDEN) {
      const raw = `C${String.fromCharCode(code)}1`;
      expect(fastText(raw)).toBeNull();
      const bytes = new TextEncoder().encode(`x,${raw},y`);
      expect(fastTextBytes(bytes, 2, bytes.length - 2)).toBe(false);
    }
    expect(fastText('客\u0000户')).toBeNull();
    expect(fastText('a\tb')).toBe('a\tb');
    // Line breaks, `+` (an id shortened to 1.2E+11) and a leading `=` (="00123") are words or
    // readings of the full validation.
    for (const raw of ['a\nb', 'a\rb', 'C++', '1.2E+11', '="00123"']) {
      expect(fastText(raw)).toBeNull();
      const bytes = new TextEncoder().encode(`x,${raw},y`);
      expect(fastTextBytes(bytes, 2, bytes.length - 2)).toBe(false);
    }
  });
});

describe('the fast text paths agree with the full validation (property)', () => {
  const mapping = mapHeaders('transactions', HEADER);
  const textCell = fc.string({
    maxLength: 8,
    unit: fc.oneof(
      fc.constantFrom('a', 'Z', ' ', '客', '\t', '\n', '\r', '\u3000', '\u00a0', '\u0085', '😀'),
      fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)),
    ),
  });

  it('a cell the fast path takes is valid and the same value in full; a forbidden one never passes', () => {
    fc.assert(
      fc.property(textCell, (raw) => {
        const full = validateRow('transactions', mapping, [raw, 'C1', '2025-03-01', '10', 'x']);
        const fast = fastText(raw);
        if (fast !== null) expect(full).toMatchObject({ ok: true, row: { order_id: fast } });
        const bytes = new TextEncoder().encode(`x,${raw},y`);
        if (fastTextBytes(bytes, 2, bytes.length - 2)) expect(fast).toBe(raw);
        if (FORBIDDEN_TEXT.test(raw) || /[\r\n]/.test(raw) || /^\s*[+-]?\d+(\.\d+)?E\+\d+\s*$/i.test(raw))
          expect(full).toMatchObject({ ok: false, problem: { column: 'order_id' } });
        else if (raw.trim() !== '') {
          const inside = /^="(.*)"$/s.exec(raw.trim())?.[1];
          expect(full).toMatchObject({ ok: true, row: { order_id: (inside ?? raw).trim() } });
        }
      }),
      { numRuns: 3000 },
    );
  });
});
