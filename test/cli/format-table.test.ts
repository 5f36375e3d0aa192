import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { cellText, formatTable } from '../../functions/cli/format-table.ts';

describe('formatTable', () => {
  it('aligns columns by display width: CJK, emoji (with ZWJ and skin tones), flags, combining marks', () => {
    const table = formatTable(
      ['name', 'note', 'n'],
      [
        { name: '华东区客户', note: 'ok', n: '1' },
        { name: '👨‍👩‍👧 family', note: '👍🏽', n: '22' },
        { name: 'Café', note: '🇨🇳', n: '333' },
        { name: 'ｆｕｌｌ', note: 'x', n: '4' },
      ],
    );
    expect(table.split('\n')).toEqual([
      'name        note    n',
      '----------  ----  ---',
      '华东区客户  ok      1',
      '👨‍👩‍👧 family   👍🏽     22',
      'Café        🇨🇳    333',
      'ｆｕｌｌ    x       4',
    ]);
    // Every line ends in the same column where the last column is right-aligned.
    const widths = table.split('\n').map((l) => stringWidth(l));
    expect(new Set(widths)).toEqual(new Set([21]));
  });

  it('keeps a cell with line breaks on its row, breaks shown as ⏎', () => {
    const table = formatTable(
      ['id', 'address'],
      [
        { id: 1, address: '上海市\n浦东新区' },
        { id: 2, address: 'line one\r\nline two\rthree' },
      ],
    );
    expect(table.split('\n')).toEqual([
      'id  address',
      '--  -----------------------',
      ' 1  上海市⏎浦东新区',
      ' 2  line one⏎line two⏎three',
    ]);
  });

  it('never passes control characters to the terminal: tabs become spaces, escapes are shown', () => {
    expect(cellText('a\tb')).toBe('a b');
    expect(cellText('\u001b[2Jred\u0007')).toBe('\\x1b[2Jred\\x07');
    expect(cellText('a\u2028b')).toBe('a⏎b');
    const table = formatTable(['v'], [{ v: '\u001b[31mred' }]);
    expect(table).not.toContain('\u001b');
  });

  it('any text: one line per row, no control character, the next column at the same display column', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme' }).filter((a) => !a.includes('|')),
          { minLength: 1, maxLength: 8 },
        ),
        (values) => {
          const lines = formatTable(
            ['a', 'b'],
            values.map((a) => ({ a, b: '|' })),
          ).split('\n');
          expect(lines).toHaveLength(values.length + 2);
          for (const line of lines) expect(line).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
          const columnOfBar = lines.slice(2).map((l) => stringWidth(l.slice(0, l.lastIndexOf('|'))));
          expect(new Set(columnOfBar).size).toBe(1);
        },
      ),
    );
  });
});
