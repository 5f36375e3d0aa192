import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openExport, UnreadableExport } from '../../functions/ingest/read-export.ts';

async function readAll(bytes: Uint8Array, chunkSize = 7) {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const reader = await openExport(Readable.from(chunks.length > 0 ? chunks : [new Uint8Array()]));
  const rows: { fields: string[]; line: number }[] = [];
  for await (const row of reader.rows) rows.push(row);
  return { ...reader, rows };
}

const TEXT = '客户编号,金额\r\nC1,"1,000.00"\r\nC2,5\r\n';
const EXPECTED = [
  { fields: ['客户编号', '金额'], line: 1 },
  { fields: ['C1', '1,000.00'], line: 2 },
  { fields: ['C2', '5'], line: 3 },
];

describe('reading exports as finance saves them', () => {
  it.each([
    ['UTF-8', Buffer.from(TEXT, 'utf8'), 'utf8'],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), 'utf8'],
    ['UTF-16LE with BOM', iconv.encode(TEXT, 'utf16le', { addBOM: true }), 'utf16le'],
    ['UTF-16BE with BOM', iconv.encode(TEXT, 'utf16be', { addBOM: true }), 'utf16be'],
    ['GBK', iconv.encode(TEXT, 'gbk'), 'gb18030'],
    ['GB18030', iconv.encode(TEXT, 'gb18030'), 'gb18030'],
  ])('%s', async (_name, bytes, encoding) => {
    const result = await readAll(bytes);
    expect(result.encoding).toBe(encoding);
    expect(result.rows).toEqual(EXPECTED);
  });

  it.each([
    ['tab', '\t'],
    ['semicolon', ';'],
  ])('detects a %s delimiter', async (_name, delimiter) => {
    const result = await readAll(Buffer.from(`a${delimiter}b\n1,5${delimiter}2\n`));
    expect(result.delimiter).toBe(delimiter);
    expect(result.rows[1]?.fields).toEqual(['1,5', '2']);
  });

  it('keeps quoted delimiters, quotes and newlines, and reports the line a row starts on', async () => {
    const result = await readAll(Buffer.from('a,b\n"x, ""y""\nz",1\n\n2,3\n'));
    expect(result.rows).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x, "y"\nz', '1'], line: 2 },
      { fields: ['2', '3'], line: 5 },
    ]);
  });

  it('reads gzip whatever the file is called', async () => {
    const result = await readAll(gzipSync(Buffer.from(TEXT, 'utf8')), 5);
    expect(result.compressed).toBe(true);
    expect(result.rows).toEqual(EXPECTED);
  });

  it.each([
    ['an empty file', new Uint8Array(), /empty/],
    ['blank lines only', Buffer.from('\r\n\r\n'), /empty/],
    ['binary content', Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) % 256), /not text/],
  ])('rejects %s whole with one reason', async (_name, bytes, reason) => {
    await expect(readAll(bytes)).rejects.toThrow(UnreadableExport);
    await expect(readAll(bytes)).rejects.toThrow(reason);
  });

  it('rejects an unclosed quote with the line it started on', async () => {
    await expect(readAll(Buffer.from('a,b\n1,"open\n2,3\n'))).rejects.toThrow(
      'line 2: a quoted field is never closed',
    );
  });

  it('rejects a field larger than 4 MB instead of holding it', async () => {
    const huge = Buffer.from(`a,b\n1,"${'x'.repeat(5 * 1024 * 1024)}"\n`);
    await expect(readAll(huge, 256 * 1024)).rejects.toThrow(UnreadableExport);
  });
});

describe('the header row: the first line with a value in it', () => {
  it("skips Excel's sep= line and reads with its delimiter; lines keep their numbers", async () => {
    const result = await readAll(Buffer.from('sep=;\r\na;b\r\n1,5;2\r\n'));
    expect(result.delimiter).toBe(';');
    expect(result.rows).toEqual([
      { fields: ['a', 'b'], line: 2 },
      { fields: ['1,5', '2'], line: 3 },
    ]);
  });

  it('rejects a sep= line naming a delimiter it does not read', async () => {
    await expect(readAll(Buffer.from('sep=|\na|b\n'))).rejects.toThrow(/sep=\|.*comma, tab or semicolon/);
  });

  it('skips blank lines and rows of empty cells before the header, and detects from the header', async () => {
    const result = await readAll(Buffer.from('\r\n;;;\r\na;b\r\n;\r\n1,5;2\r\n'));
    expect(result.delimiter).toBe(';');
    expect(result.rows).toEqual([
      { fields: ['a', 'b'], line: 3 },
      { fields: ['', ''], line: 4 },
      { fields: ['1,5', '2'], line: 5 },
    ]);
  });
});

describe('fuzz: random and truncated bytes never crash or hang', () => {
  it('either yields rows or fails with an UnreadableExport', async () => {
    const valid = Buffer.from('order_id,customer_id,order_date,revenue\nO1,C1,2025-01-01,"1,0"\n', 'utf8');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.integer({ min: 0, max: valid.length }).map((n) => valid.subarray(0, n)),
          fc.string({ maxLength: 500 }).map((s) => Buffer.from(s, 'utf8')),
        ),
        async (bytes) => {
          try {
            const result = await readAll(bytes, 13);
            expect(Array.isArray(result.rows)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(UnreadableExport);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
