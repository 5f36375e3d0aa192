import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fastCents,
  fastCentsBytes,
  fastEpochDay,
  fastEpochDayBytes,
  fastInteger,
  fastIntegerBytes,
  fastText,
  fastTextBytes,
} from '../../../core/exports/fast-cells.ts';
import { epochDay, parseAmountCents, parseDate, parseInteger } from '../../../core/values.ts';

/** Cells shaped like the fast paths' inputs, near misses included. */
const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{0,${max}}$`));
const amountLike = fc
  .tuple(fc.constantFrom('', '-', '+', ' '), digits(16), fc.constantFrom('', '.', ','), digits(3))
  .map(([sign, whole, point, fraction]) => `${sign}${whole}${point}${fraction}`);
const dateLike = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1800, max: 3100 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
    )
    .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  fc.string({ maxLength: 12 }),
);

describe('fast cell parsers agree with the full parsers', () => {
  it("amounts: the fast path gives the full parser's cents, or steps aside (property)", () => {
    fc.assert(
      fc.property(amountLike, (raw) => {
        const fast = fastCents(raw);
        if (Number.isNaN(fast)) return;
        const full = parseAmountCents(raw);
        expect(full.ok && Number(full.value)).toBe(fast);
      }),
      { numRuns: 3000 },
    );
  });

  it("dates: the fast path gives the full parser's day, or steps aside (property)", () => {
    fc.assert(
      fc.property(dateLike, (raw) => {
        const fast = fastEpochDay(raw);
        if (Number.isNaN(fast)) return;
        const full = parseDate(raw);
        expect(full.ok && epochDay(full.value)).toBe(fast);
      }),
      { numRuns: 3000 },
    );
  });

  it('every valid ISO date from 1900 to 2999 takes the fast path', () => {
    for (const raw of ['1900-01-01', '2000-02-29', '2024-02-29', '2025-12-31', '2999-12-31']) {
      const full = parseDate(raw);
      expect(full.ok && fastEpochDay(raw)).toBe(full.ok && epochDay(full.value));
    }
    expect(fastEpochDay('2025-02-29')).toBeNaN();
    expect(fastEpochDay('1900-02-29')).toBeNaN();
  });

  it('integers and text', () => {
    fc.assert(
      fc.property(fc.oneof(digits(17), fc.string({ maxLength: 6 })), (raw) => {
        const fast = fastInteger(raw);
        if (Number.isNaN(fast)) return;
        const full = parseInteger(raw);
        expect(full.ok && full.value === fast).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 8, unit: 'grapheme' }), (raw) => {
        const fast = fastText(raw);
        if (fast !== null) expect(fast).toBe(raw.trim());
      }),
    );
    expect(fastCents('12.5')).toBe(1250);
    expect(fastCents('-0.01')).toBe(-1);
    expect(fastCents('12.345')).toBeNaN();
    expect(fastText(' C1')).toBeNull();
  });
});

describe('the byte fast paths agree with the text ones', () => {
  const utf8 = new TextEncoder();
  const inside = (raw: string) => {
    // The cell sits between other bytes, as it does in a row.
    const bytes = utf8.encode(`x,${raw},y`);
    return [bytes, 2, bytes.length - 2] as const;
  };

  it('amounts, dates and integers (property)', () => {
    fc.assert(
      fc.property(fc.oneof(amountLike, dateLike, digits(17)), (raw) => {
        const [bytes, start, end] = inside(raw);
        expect(fastCentsBytes(bytes, start, end)).toEqual(fastCents(raw));
        expect(fastEpochDayBytes(bytes, start, end)).toEqual(fastEpochDay(raw));
        expect(fastIntegerBytes(bytes, start, end)).toEqual(fastInteger(raw));
      }),
      { numRuns: 3000 },
    );
  });

  it('text: taken as it is only when the text path would take it unchanged (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 8, unit: 'grapheme' }),
          fc.string({ maxLength: 6, unit: fc.constantFrom('a', ' ', '客', '\u3000', '\u00a0', 'é', '😀') }),
        ),
        (raw) => {
          const [bytes, start, end] = inside(raw);
          if (fastTextBytes(bytes, start, end)) expect(fastText(raw)).toBe(raw);
        },
      ),
      { numRuns: 3000 },
    );
    const [bytes, start, end] = inside('客户A');
    expect(fastTextBytes(bytes, start, end)).toBe(true);
    const broken = Uint8Array.from([0x43, 0xff, 0x31]);
    expect(fastTextBytes(broken, 0, 3)).toBe(false);
  });
});
