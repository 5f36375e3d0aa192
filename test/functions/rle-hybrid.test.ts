import fc from 'fast-check';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { describe, expect, it } from 'vitest';
import { readHybrid, skipAllDefined } from '../../functions/adapters/rle-hybrid.ts';

type Run = { rle: true; count: number; value: number } | { rle: false; values: number[] };

function varint(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return out;
}

/** Encodes runs as Parquet's RLE/bit-packed hybrid; returns the bytes and the values they hold. */
function encode(width: number, runs: Run[]): { bytes: number[]; values: number[] } {
  const bytes: number[] = [];
  const values: number[] = [];
  for (const run of runs) {
    if (run.rle) {
      bytes.push(...varint(run.count << 1));
      for (let i = 0; i < (width + 7) >> 3; i++) bytes.push((run.value >>> (8 * i)) & 0xff);
      for (let i = 0; i < run.count; i++) values.push(run.value);
      continue;
    }
    const groups = Math.ceil(run.values.length / 8);
    bytes.push(...varint((groups << 1) | 1));
    const packed = new Array<number>(groups * width).fill(0);
    run.values.forEach((value, k) => {
      for (let bit = 0; bit < width; bit++) {
        if (Math.floor(value / 2 ** bit) % 2 === 1) {
          const at = k * width + bit;
          packed[at >>> 3] = (packed[at >>> 3] as number) | (1 << (at & 7));
        }
      }
    });
    bytes.push(...packed);
    values.push(...run.values, ...new Array<number>(groups * 8 - run.values.length).fill(0));
  }
  return { bytes, values };
}

const encoded = fc.integer({ min: 0, max: 32 }).chain((width) => {
  const value = fc.integer({ min: 0, max: width === 0 ? 0 : 2 ** Math.min(width, 31) - 1 });
  const run: fc.Arbitrary<Run> = fc.oneof(
    fc.record({ rle: fc.constant(true as const), count: fc.integer({ min: 1, max: 300 }), value }),
    fc.record({ rle: fc.constant(false as const), values: fc.array(value, { minLength: 1, maxLength: 70 }) }),
  );
  return fc.record({
    width: fc.constant(width),
    runs: fc.array(run, { minLength: 1, maxLength: 8 }),
    prefixed: fc.boolean(),
    trailing: fc.integer({ min: 0, max: 3 }),
    cut: fc.nat(20),
  });
});

describe('readHybrid', () => {
  it('reads the values encoded, as hyparquet does, ending at the same offset', () => {
    fc.assert(
      fc.property(encoded, ({ width, runs, prefixed, trailing, cut }) => {
        const { bytes, values } = encode(width, runs);
        const body = [...bytes, ...new Array<number>(trailing).fill(0)];
        const length = body.length;
        const prefix = prefixed ? [length & 0xff, (length >>> 8) & 0xff, (length >>> 16) & 0xff, 0] : [];
        const page = new Uint8Array([7, ...prefix, ...body, 9, 9]);
        const count = Math.max(1, values.length - cut);
        const read = (reader: typeof readHybrid) => {
          const at = { view: new DataView(page.buffer, 0, page.length), offset: 1 };
          const output = new Int32Array(count);
          reader(at, width, output, prefixed ? undefined : length);
          return { output: [...output], offset: at.offset };
        };
        const ours = read(readHybrid);
        expect(ours.output).toEqual(values.slice(0, count));
        // hyparquet's bit-packed reader overflows its 32-bit window from 25 bits on, and reads a
        // byte too many for a zero width.
        if (width >= 1 && width <= 24) expect(ours).toEqual(read(readRleBitPackedHybrid));
      }),
      { numRuns: 500 },
    );
  });
});

describe('skipAllDefined', () => {
  it('skips exactly the levels that are one run of 1s over every value, and nothing else', () => {
    fc.assert(
      fc.property(encoded, fc.integer({ min: 1, max: 400 }), ({ runs, trailing }, count) => {
        const { bytes, values } = encode(
          1,
          runs.map((run) => (run.rle ? { ...run, value: run.value & 1 } : run)),
        );
        const body = [...bytes, ...new Array<number>(trailing).fill(0)];
        const page = new Uint8Array([body.length & 0xff, (body.length >>> 8) & 0xff, 0, 0, ...body, 5]);
        const reader = { view: new DataView(page.buffer), offset: 0 };
        const skipped = skipAllDefined(reader, count);
        const first = runs[0] as Run;
        const oneRunOfOnes = first.rle && first.value % 2 === 1 && first.count >= count;
        expect(skipped).toBe(oneRunOfOnes);
        expect(reader.offset).toBe(skipped ? 4 + body.length : 0);
        if (skipped) expect(values.slice(0, count)).toEqual(new Array<number>(count).fill(1));
      }),
      { numRuns: 300 },
    );
  });
});
