import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../core/money.ts';
import {
  type PartitionJob,
  type TransactionPart,
  TransactionPartitions,
  writePartitionJob,
} from '../../functions/compute/transaction-partitions.ts';

const utf8 = new TextEncoder();

interface Line {
  customer: number;
  order: number;
  day: number;
  cents: number;
  category: number;
}

const line = fc.record({
  customer: fc.integer({ min: 0, max: 400 }),
  order: fc.integer({ min: 0, max: 60 }),
  day: fc.integer({ min: 19000, max: 19400 }),
  cents: fc.integer({ min: -5000, max: 500000 }),
  category: fc.integer({ min: 0, max: 2 }),
});

function bytesOf(values: string[], gap: number) {
  const encoded = values.map((value) => utf8.encode(value));
  const bytes = new Uint8Array(encoded.reduce((sum, e) => sum + gap + e.length, 0));
  const ends = new Uint32Array(values.length);
  let at = 0;
  encoded.forEach((e, r) => {
    at += gap;
    bytes.set(e, at);
    at += e.length;
    ends[r] = at;
  });
  return { bytes, ends, gap };
}

/** A part as the loader gives it; the first line of each part carries an amount beyond whole cents. */
function partOf(lines: Line[], gap: number): TransactionPart {
  const cents = (pick: (l: Line) => number) => ({
    cents: Float64Array.from(lines, (l, r) => (r === 0 ? Number.NaN : pick(l))),
    exact: new Map(lines.length > 0 ? [[0, money(pick(lines[0] as Line)).dividedBy(1000)]] : []),
  });
  return {
    rows: lines.length,
    customer: bytesOf(
      lines.map((l) => `C${l.customer}`),
      gap,
    ),
    order: bytesOf(
      lines.map((l) => `O${l.order}`),
      gap,
    ),
    day: Int32Array.from(lines, (l) => l.day),
    revenue: cents((l) => l.cents),
    cost: cents((l) => Math.floor(l.cents / 3)),
    returned: { cents: new Float64Array(lines.length), exact: new Map() },
    category: Int32Array.from(lines, (l) => l.category),
  };
}

const categories = ['a', 'b', null];

/** The parts of one load share their ids' gap (one reader reads them all). */
function load(parts: Line[][], gap: number): TransactionPartitions {
  const partitions = new TransactionPartitions();
  for (const lines of parts) partitions.add(partOf(lines, gap));
  return partitions;
}

describe('TransactionPartitions.finishSplit', () => {
  it('writes what finish writes, whichever thread takes which partitions (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(line, { maxLength: 300 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(0, 4),
        async (parts, gap) => {
          const alone = load(parts, gap).finish(categories);
          // The other thread takes every partition it is offered before this one starts...
          const first = await load(parts, gap).finishSplit(categories, async (job: PartitionJob) =>
            writePartitionJob(structuredClone(job)),
          );
          // ...or none: this thread has taken them all when it starts.
          const last = await load(parts, gap).finishSplit(
            categories,
            (job: PartitionJob) =>
              new Promise((resolve) => setTimeout(() => resolve(writePartitionJob(structuredClone(job))), 0)),
          );
          expect(first).toEqual(alone);
          expect(last).toEqual(alone);
        },
      ),
      { numRuns: 40 },
    );
  });
});
