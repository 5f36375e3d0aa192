import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../../core/text/code-points.ts';

const utf8 = new TextEncoder();

/** UTF-8 byte order: the order of code points, and SQL's order of text. */
function compareBytes(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

describe('compareCodePoints', () => {
  it('orders as UTF-8 bytes do, unlike UTF-16 code units past U+FFFF', () => {
    expect(compareCodePoints('\u{20000}', '\uFF21')).toBeGreaterThan(0);
    expect('\u{20000}' < '\uFF21').toBe(true);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('\u{1F600}x', '\u{1F600}x')).toBe(0);
  });

  it('gives the sign of the UTF-8 byte comparison for any two strings (property)', () => {
    // Full Unicode strings, surrogate pairs and characters of every plane; well-formed only, as
    // the ids that reach it are (invalid UTF-8 is quarantined at ingest).
    const tricky = fc.constantFrom(
      'a',
      '\uD7FF',
      '\uE000',
      '\uFF21',
      '\uFFFF',
      '\u{10000}',
      '\u{20000}',
      '\u{10FFFF}',
    );
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.string({ unit: tricky, maxLength: 4 }),
    );
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(compareBytes(a, b)));
      }),
      { numRuns: 2000 },
    );
  });
});
