import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { touchpointKey } from '../../../core/profitability/touchpoint-key.ts';

describe('touchpointKey', () => {
  it('makes A-Z small and leaves every other character as written', () => {
    expect(touchpointKey('Support_Call')).toBe('support_call');
    expect(touchpointKey('ΚΛΗΣΕΙΣ')).toBe('ΚΛΗΣΕΙΣ');
    expect(touchpointKey('İade É-Mail 客服')).toBe('İade É-mail 客服');
    expect(touchpointKey('Chat ')).toBe('chat ');
  });

  it('property: two texts share a key exactly when they differ only in the case of A-Z', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'A', 'z', 'Z', 'é', 'É', 'σ', 'Σ', 'ς', 'İ', 'i', ' '),
    });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const asciiFolded = (s: string) =>
          [...s].map((c) => (c >= 'A' && c <= 'Z' ? String.fromCharCode(c.charCodeAt(0) + 32) : c)).join('');
        expect(touchpointKey(a) === touchpointKey(b)).toBe(asciiFolded(a) === asciiFolded(b));
        expect(touchpointKey(a)).toHaveLength(a.length);
      }),
      { seed: 16 },
    );
  });
});
