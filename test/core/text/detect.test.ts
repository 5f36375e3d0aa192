import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  detectDelimiter,
  detectEncoding,
  excelSepLine,
  firstInvalidUtf8,
  gb18030Errors,
} from '../../../core/text/detect.ts';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const gbk = (text: string) => iconv.encode(text, 'gbk');
const HEADER = 'order_id,customer_id,order_date,revenue,product_category\n';
const row = (i: number, category: string) => `O${i},C${i},2025-01-01,10.00,${category}\n`;

describe('deciding the encoding on evidence', () => {
  it('a byte-order mark is certain', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toMatchObject({
      encoding: 'utf8',
      bomLength: 3,
      confidence: 'certain',
    });
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x41, 0]))).toMatchObject({
      encoding: 'utf16le',
      confidence: 'certain',
    });
  });

  it('UTF-16 without a byte-order mark is told by its zero bytes (it was rejected as binary)', () => {
    const text = HEADER + row(1, '软件') + row(2, 'books') + row(3, '硬件');
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(detectEncoding(le)).toMatchObject({ encoding: 'utf16le', bomLength: 0, confidence: 'medium' });
    expect(detectEncoding(be)).toMatchObject({ encoding: 'utf16be', bomLength: 0, confidence: 'medium' });
    // Bytes with zeros at both positions (a zip, an image) are not taken for UTF-16.
    const binary = Uint8Array.from({ length: 4096 }, (_, i) => (i % 7 === 0 ? 0 : (i * 31) % 256));
    expect(detectEncoding(binary).encoding).not.toMatch(/utf16/);
  });

  it('valid UTF-8 with Chinese is UTF-8, sure; ASCII alone is UTF-8, sure only when it is the whole file', () => {
    expect(detectEncoding(utf8(HEADER + row(1, '软件')))).toMatchObject({
      encoding: 'utf8',
      confidence: 'high',
    });
    expect(detectEncoding(utf8(HEADER), false)).toMatchObject({ encoding: 'utf8', confidence: 'medium' });
    expect(detectEncoding(utf8(HEADER), true)).toMatchObject({ encoding: 'utf8', confidence: 'high' });
  });

  it('GBK with no UTF-8 line is GB18030, sure', () => {
    const text = HEADER + row(1, '软件') + row(2, '服务') + row(3, '硬件');
    expect(detectEncoding(gbk(text), true)).toMatchObject({ encoding: 'gb18030', confidence: 'high' });
  });

  it('one GBK row or one bad byte in a UTF-8 file leaves it UTF-8 (the mojibake of issue #19)', () => {
    // Before, any invalid byte in the sample made the whole file GB18030 and 软件 became 杞欢.
    const oneGbkRow = Buffer.concat([utf8(HEADER + row(1, '软件')), gbk(row(2, '软件'))]);
    expect(detectEncoding(oneGbkRow, true).encoding).toBe('utf8');
    const badByte = Buffer.concat([utf8(HEADER + row(1, '软件') + row(2, 'x')), Buffer.from([0xff, 0x0a])]);
    expect(detectEncoding(badByte, true).encoding).toBe('utf8');
  });

  it('UTF-8 lines outnumbering bad ones keep a file UTF-8; GBK lines keep it GB18030 (property)', () => {
    const categories = ['软件', '服务', '硬件', '咨询', '培训', '其他'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...categories), { minLength: 1, maxLength: 30 }),
        fc.array(fc.constantFrom(...categories), { maxLength: 30 }),
        (utf8Rows, gbkRows) => {
          const parts: Uint8Array[] = [utf8(HEADER)];
          utf8Rows.forEach((category, i) => {
            parts.push(utf8(row(i, category)));
          });
          gbkRows.forEach((category, i) => {
            parts.push(gbk(row(1000 + i, category)));
          });
          const guess = detectEncoding(Buffer.concat(parts), true);
          expect(guess.encoding).toBe(utf8Rows.length >= gbkRows.length ? 'utf8' : 'gb18030');
          const pureGbk = Buffer.concat([
            gbk(HEADER),
            ...gbkRows.concat(utf8Rows).map((c, i) => gbk(row(i, c))),
          ]);
          expect(detectEncoding(pureGbk, true).encoding).toBe('gb18030');
        },
      ),
      { numRuns: 200, seed: 19 },
    );
  });
});

describe('finding bytes that are not UTF-8', () => {
  it('agrees with a fatal TextDecoder on any bytes (property)', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new Uint8Array(utf8(s))),
        ),
        (bytes) => {
          let valid = true;
          try {
            strict.decode(bytes);
          } catch {
            valid = false;
          }
          expect(firstInvalidUtf8(bytes, 0, bytes.length) === -1).toBe(valid);
        },
      ),
      { numRuns: 2000, seed: 19 },
    );
  });

  it('points at the first bad byte', () => {
    const bytes = Buffer.concat([utf8('ab软'), Buffer.from([0xc8, 0xed]), utf8('c')]);
    expect(firstInvalidUtf8(bytes, 0, bytes.length)).toBe(5);
  });

  it('GB18030 reads what iconv writes as GBK or GB18030, and counts bytes it cannot read', () => {
    const text = '客户编号,金额,€,😀\n';
    expect(gb18030Errors(iconv.encode(text, 'gb18030'), true)).toBe(0);
    expect(gb18030Errors(Buffer.from([0x41, 0x80, 0xff, 0x81]), true)).toBe(3);
  });
});

describe('the delimiter, from the line read as the header', () => {
  it('splits the header line into the most fields; comma on a tie', () => {
    expect(detectDelimiter('a;b;c\n1,2,3,4,5\n')).toBe(';');
    expect(detectDelimiter('a\tb\n')).toBe('\t');
    expect(detectDelimiter('"a;b",c\n')).toBe(',');
    expect(detectDelimiter('abc\n')).toBe(',');
  });

  it('skips blank lines and rows of empty cells before the header (the reader skips them too)', () => {
    expect(detectDelimiter('\r\norder_id;customer_id\r\n')).toBe(';');
    expect(detectDelimiter('\n \n\norder_id\tcustomer_id\n')).toBe('\t');
    expect(detectDelimiter(',,,\r\norder_id;customer_id\r\n')).toBe(';');
    expect(detectDelimiter('"","";\norder_id\tcustomer_id\n')).toBe('\t');
  });

  it("takes Excel's sep= first line at its word", () => {
    expect(detectDelimiter('sep=;\r\na,b,c\r\n')).toBe(';');
    expect(detectDelimiter('sep=\t\na,b\n')).toBe('\t');
    expect(detectDelimiter('SEP=,\na;b;c\n')).toBe(',');
    expect(excelSepLine('sep=;\r\na;b\r\n')).toBe(';');
    expect(excelSepLine('sep=|\na|b\n')).toBe('|');
    expect(excelSepLine('"sep=;"\na;b\n')).toBe(';');
    expect(excelSepLine('sep=;;;\na;b\n')).toBe(';');
    // Only the first line, and only the whole of it.
    expect(excelSepLine('a;b\nsep=;\n')).toBeNull();
    expect(excelSepLine('sep=;x\na;b\n')).toBeNull();
    expect(excelSepLine('separator;b\n')).toBeNull();
    expect(excelSepLine('sep=\na\n')).toBeNull();
  });
});
