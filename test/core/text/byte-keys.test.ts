import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteKeys } from '../../../core/text/byte-keys.ts';

const utf8 = new TextEncoder();

describe('ByteKeys', () => {
  it('gives equal (scope, bytes) keys one code, different keys different codes, in order of first sight', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '0', 'é', '中', '😀'), maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), text), { maxLength: 400 }),
        fc.boolean(),
        fc.array(fc.string({ maxLength: 4 }), { maxLength: 50 }),
        (keys, reserve, before) => {
          const table = new ByteKeys();
          // Keys added and then cleared leave no trace.
          for (const value of before) table.code(utf8.encode(value), 0, utf8.encode(value).length);
          table.clear();
          if (reserve) table.reserve(keys.length, 16);
          const expected = new Map<string, number>();
          // Keys embedded at an offset in a larger buffer, as values sit in a Parquet page.
          for (const [scope, value] of keys) {
            const bytes = utf8.encode(`##${value}#`);
            const code = table.code(bytes, 2, bytes.length - 1, scope);
            const id = `${scope}\u0000${value}`;
            if (!expected.has(id)) expected.set(id, expected.size);
            expect(code).toBe(expected.get(id));
            expect(table.text(code)).toBe(value);
          }
          expect(table.size).toBe(expected.size);
        },
      ),
    );
  });

  it('holds a million keys, growing as it goes', () => {
    const table = new ByteKeys();
    const bytes = new Uint8Array(16);
    const write = (i: number) => utf8.encodeInto(`C${String(i).padStart(8, '0')}`, bytes).written;
    let wrong = 0;
    for (let i = 0; i < 1_000_000; i++) if (table.code(bytes, 0, write(i)) !== i) wrong++;
    for (let i = 0; i < 1_000_000; i += 997) if (table.code(bytes, 0, write(i)) !== i) wrong++;
    expect(wrong).toBe(0);
    expect(table.size).toBe(1_000_000);
    expect(table.text(123_456)).toBe('C00123456');
  });
});
