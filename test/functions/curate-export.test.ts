import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curatedColumns } from '../../core/exports/curated-schema.ts';
import { ExportLoad } from '../../core/exports/export-load.ts';
import { fromUnscaled, Money } from '../../core/money.ts';
import { decodeParquet } from '../../functions/adapters/parquet.ts';
import { Utf8Watch } from '../../functions/ingest/curate-bytes.ts';
import { curateExport, type QuarantineSink } from '../../functions/ingest/curate-export.ts';
import { openExport } from '../../functions/ingest/read-export.ts';
import { financeCell } from '../support/finance-cells.ts';

async function curate(bytes: Uint8Array, rowsPerPart = 7, chunkSize = 11) {
  const parts: Uint8Array[] = [];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const result = await curateExport(
    Readable.from(chunks),
    'transactions',
    parseConfig({ rows_per_part: rowsPerPart }),
    async (index, part) => {
      parts[index] = part;
    },
  );
  if (!result.ok) return { result, rows: [] };
  const rows = [];
  for (const part of parts) rows.push(...(await decodeParquet(part, curatedColumns('transactions'))));
  return { result, rows };
}

const cell = financeCell;
// A value may begin with U+FEFF (only the file's own first bytes are a byte order mark): kept on
// every path, also where a row is decoded on its own (TextDecoder's default would drop it there).
const row = fc.tuple(
  fc.constantFrom('O1', 'O2', 'O3', '订单4', '', '\uFEFFO5'),
  fc.constantFrom('C1', 'C2', ' C3', '', '\uFEFFC4'),
  cell,
  cell,
  cell,
  fc.constantFrom('P1', 'P2', ''),
);

function csv(rows: string[][]): string {
  const quote = (value: string) => (/[,"\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return `order_id,customer_id,order_date,revenue,cost,product_id\n${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\n`;
}

/** The text path as a reference: openExport's rows through ExportLoad.accept, one at a time. */
async function reference(bytes: Uint8Array) {
  const reader = await openExport(Readable.from([bytes]));
  let load: ExportLoad | undefined;
  const quarantined: string[][] = [];
  for await (const row of reader.rows) {
    if (!load) {
      const started = ExportLoad.start('transactions', row.fields);
      if (!started.ok) throw new Error(started.reason);
      load = started.load;
      continue;
    }
    const q = load.accept(row.fields, row.line);
    if (q) quarantined.push([String(q.line), q.column, q.reason, ...q.fields]);
  }
  if (!load) throw new Error('no header');
  const done = load;
  const rows = Array.from({ length: done.batch.length }, (_, i) => done.batch.row(i));
  return { totals: done.totals.toJSON(), quarantined, rows };
}

/** A curated row as text, whether it came from Parquet (Money, numbers) or from a batch (cents as bigint). */
function normalised(row: Record<string, unknown>): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(row).map(([name, value]) => [
      name,
      value === null || value === undefined
        ? null
        : typeof value === 'bigint'
          ? fromUnscaled(value).toFixed(2)
          : value instanceof Money
            ? value.toFixed(2)
            : String(value),
    ]),
  );
}

describe('curating an export', () => {
  it('curates, quarantines and totals exactly as the row-by-row text reader does (property)', async () => {
    await fc.assert(
      // Chunk sizes and part sizes vary: duplicates are checked per chunk read and before each part.
      fc.asyncProperty(
        fc.array(row, { maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 400 }),
        async (rows, rowsPerPart, chunkSize) => {
          const bytes = Buffer.from(csv(rows), 'utf8');
          const curated = await curate(bytes, rowsPerPart, chunkSize);
          const expected = await reference(bytes);
          if (!curated.result.ok) throw new Error('expected the export to load');
          expect(curated.result.totals).toEqual(expected.totals);
          const quarantine = curated.result.quarantineCsv
            ? (
                parse(curated.result.quarantineCsv.replace(/^\uFEFF/, ''), {
                  relax_column_count: true,
                }) as string[][]
              ).slice(1)
            : [];
          expect(quarantine.map((line) => line.map((cell) => cell.replace(/^'/, '')))).toEqual(
            expected.quarantined.map((line) => line.map((cell) => cell.replace(/^'/, ''))),
          );
          expect(curated.rows.map(normalised)).toEqual(expected.rows.map(normalised));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads the same text the same way in every encoding (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), async (rows) => {
        const text = csv(rows);
        const fromBytes = await curate(Buffer.from(text, 'utf8'));
        const fromText = await curate(iconv.encode(text, 'utf16le', { addBOM: true }));
        expect(fromBytes.result.ok && fromBytes.result.reading.encoding).toBe('utf8');
        expect(fromText.result.ok && fromText.result.reading.encoding).toBe('utf16le');
        if (!fromBytes.result.ok || !fromText.result.ok) throw new Error('expected both to load');
        expect(fromBytes.result.totals).toEqual(fromText.result.totals);
        expect(fromBytes.result.quarantineCsv).toEqual(fromText.result.quarantineCsv);
        expect(fromBytes.rows).toEqual(fromText.rows);
        const { totals } = fromBytes.result;
        expect(totals.rows_in).toBe(rows.length);
        expect(totals.rows_curated + totals.rows_quarantined).toBe(rows.length);
        expect(fromBytes.rows).toHaveLength(totals.rows_curated);
        expect(totals.balanced).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('fuzz: whatever the bytes, curating answers with rows or one reason', () => {
  const valid = Buffer.from(
    'order_id,customer_id,order_date,revenue\nO1,C1,2025-01-01,"1,0"\nO2,C2,2025-01-02,3\n',
    'utf8',
  );

  it('never throws or hangs on random, truncated or binary input (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.integer({ min: 0, max: valid.length }).map((n) => valid.subarray(0, n)),
          fc
            .string({ maxLength: 300, unit: fc.constantFrom('a', ',', '"', '\n', '\r', '客', '\u0000') })
            .map((s) => Buffer.concat([valid, Buffer.from(s, 'utf8')])),
        ),
        async (bytes) => {
          const { result } = await curate(new Uint8Array(bytes), 100);
          if (!result.ok) expect(result.reason).toMatch(/\S/);
          else expect(result.totals.balanced).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a row too long to be data with its line, in bounded time and memory, however it arrives', async () => {
    const huge = Buffer.concat([valid, Buffer.from(`O3,C3,2025-01-03,"${'9'.repeat(5 * 1024 * 1024)}`)]);
    for (const chunkSize of [64 * 1024, 101]) {
      const { result } = await curate(new Uint8Array(huge), 100, chunkSize);
      expect(result).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^line 4: a row is longer than/),
      });
    }
  });
});

/** A quarantine sink that keeps what it is given, and when. */
function recordingSink() {
  const chunks: Uint8Array[] = [];
  const events: string[] = [];
  const sink: QuarantineSink = {
    write: async (chunk) => {
      chunks.push(chunk);
      events.push('write');
    },
    end: async () => {
      events.push('end');
    },
    abort: async () => {
      events.push('abort');
    },
  };
  const text = () => Buffer.concat(chunks).toString('utf8');
  const lines = () =>
    (parse(text().replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]).slice(1);
  return { sink, chunks, events, text, lines };
}

async function curateWith(
  bytes: Uint8Array,
  options: { kind?: 'transactions' | 'satisfaction'; rowsPerPart?: number; chunkSize?: number } = {},
) {
  const { kind = 'transactions', rowsPerPart = 1000, chunkSize = 64 * 1024 } = options;
  const parts: Uint8Array[] = [];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const quarantine = recordingSink();
  const result = await curateExport(
    Readable.from(chunks),
    kind,
    parseConfig({ rows_per_part: rowsPerPart }),
    async (index, part) => {
      parts[index] = part;
    },
    { quarantine: () => quarantine.sink },
  );
  const rows = [];
  for (const part of parts) rows.push(...(await decodeParquet(part, curatedColumns(kind))));
  return { result, rows, quarantine };
}

const HEADER = 'order_id,customer_id,order_date,revenue,product_category\n';

describe('encodings, row by row and never silently (#19 item 3)', () => {
  it('a UTF-8 file with one GBK row keeps its Chinese and quarantines that row as invalid UTF-8', async () => {
    // Before: the whole file was decoded as GB18030, 软件 was curated as 杞欢 and nothing was said.
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}O1,C1,2025-01-01,10.00,软件\n`, 'utf8'),
      iconv.encode('O2,C2,2025-01-02,20.00,软件\n', 'gbk'),
      Buffer.from('O3,C3,2025-01-03,30.00,服务\n', 'utf8'),
    ]);
    const { result, rows, quarantine } = await curateWith(bytes);
    if (!result.ok) throw new Error(result.reason);
    expect(result.reading).toMatchObject({ encoding: 'utf8', encoding_confidence: expect.any(String) });
    expect(rows.map((r) => r.product_category)).toEqual(['软件', '服务']);
    expect(quarantine.lines()).toEqual([
      [
        '3',
        'product_category',
        'invalid UTF-8: bytes C8 ED BC FE are not UTF-8 text (the file is read as UTF-8)',
        'O2',
        'C2',
        '2025-01-02',
        '20.00',
        expect.any(String),
      ],
    ]);
    expect(result.totals).toMatchObject({ rows_in: 3, rows_curated: 2, rows_quarantined: 1, balanced: true });
    expect(result.totals.amounts.revenue).toMatchObject({
      in: '60.00',
      curated: '40.00',
      quarantined: '20.00',
    });
  });

  it('a bad byte far past the sniffed head is quarantined, not curated as a replacement character', async () => {
    // Before: the head decided UTF-8 and the bad byte was curated as U+FFFD, status loaded, no word.
    const good = Array.from({ length: 40_000 }, (_, i) => `O${i},C${i},2025-01-01,1.00,软件\n`).join('');
    const bytes = Buffer.concat([
      Buffer.from(HEADER + good, 'utf8'),
      Buffer.from('OX,CX,2025-01-01,2.00,软', 'utf8'),
      Buffer.from([0xe4, 0xbb]), // a three-byte character cut short
      Buffer.from('\nOY,CY,2025-01-01,3.00,件\n', 'utf8'),
    ]);
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    for (const chunkSize of [64 * 1024, 4099]) {
      const { result, rows, quarantine } = await curateWith(bytes, { chunkSize });
      if (!result.ok) throw new Error(result.reason);
      expect(result.reading.encoding).toBe('utf8');
      expect(rows.some((r) => String(r.product_category).includes('\uFFFD'))).toBe(false);
      expect(rows.at(-1)?.product_category).toBe('件');
      expect(quarantine.lines().map((line) => line.slice(0, 3))).toEqual([
        [String(40_002), 'product_category', expect.stringMatching(/^invalid UTF-8: bytes E4 BB/)],
      ]);
      expect(result.totals).toMatchObject({ rows_in: 40_002, rows_quarantined: 1, balanced: true });
    }
  });

  it('bytes GB18030 cannot read in a GBK file quarantine their row; the rest loads', async () => {
    const bytes = Buffer.concat([
      iconv.encode(`${HEADER}O1,C1,2025-01-01,10.00,软件\nO2,C2,2025-01-02,20.00,`, 'gbk'),
      Buffer.from([0xff]),
      iconv.encode('硬件\nO3,C3,2025-01-03,30.00,服务\n', 'gbk'),
    ]);
    const { result, rows, quarantine } = await curateWith(bytes, { chunkSize: 7 });
    if (!result.ok) throw new Error(result.reason);
    expect(result.reading.encoding).toBe('gb18030');
    expect(rows.map((r) => r.product_category)).toEqual(['软件', '服务']);
    expect(quarantine.lines().map((line) => line.slice(0, 3))).toEqual([
      ['3', 'product_category', expect.stringMatching(/^invalid GB18030/)],
    ]);
  });

  it('the chunk check agrees with isUtf8 on the whole stream, however it is cut (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 8 }).map((s) => Buffer.from(s, 'utf8')),
            fc.uint8Array({ maxLength: 3 }).map((b) => Buffer.from(b)),
          ),
          { maxLength: 12 },
        ),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        (pieces, cuts) => {
          const bytes = Buffer.concat(pieces);
          const watch = new Utf8Watch();
          let valid = true;
          let at = 0;
          for (let k = 0; at < bytes.length; k++) {
            const size = cuts[k % cuts.length] as number;
            valid = watch.valid(bytes.subarray(at, at + size), false) && valid;
            at += size;
          }
          valid = watch.valid(new Uint8Array(0), true) && valid;
          expect(valid).toBe(isUtf8(bytes));
        },
      ),
      { numRuns: 1000, seed: 19 },
    );
  });
});

describe('quarantine streamed out, not held (#19 item 4)', () => {
  it('an all-duplicates export goes to the sink in bounded chunks while the file is still being read', async () => {
    // Before: every quarantined row was held and joined into one string at the end (1 GB at 500k rows).
    const rows = 20_000;
    const line = 'SO1,C1,2025-03-01,120.50,软件\n';
    const bytes = Buffer.from(HEADER + line.repeat(rows), 'utf8');
    const chunkSize = 16 * 1024;
    let chunksRead = 0;
    let readWhenFirstWritten = -1;
    async function* source() {
      for (let i = 0; i < bytes.length; i += chunkSize) {
        chunksRead += 1;
        yield bytes.subarray(i, i + chunkSize);
      }
    }
    const quarantine = recordingSink();
    const write = quarantine.sink.write;
    quarantine.sink.write = async (chunk) => {
      if (readWhenFirstWritten === -1) readWhenFirstWritten = chunksRead;
      await write(chunk);
    };
    const result = await curateExport(
      source(),
      'transactions',
      parseConfig({ rows_per_part: 500 }),
      async () => {},
      {
        quarantine: () => quarantine.sink,
      },
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.quarantineCsv).toBeNull();
    expect(result.quarantineWritten).toBe(true);
    expect(result.totals).toMatchObject({ rows_in: rows, rows_curated: 1, rows_quarantined: rows - 1 });
    // Written while reading: the first chunk went out before half the file was read.
    expect(readWhenFirstWritten).toBeGreaterThan(0);
    expect(readWhenFirstWritten).toBeLessThan(Math.ceil(bytes.length / chunkSize) / 2);
    expect(quarantine.chunks.length).toBeGreaterThan(10);
    expect(Math.max(...quarantine.chunks.map((c) => c.length))).toBeLessThan(512 * 1024);
    expect(quarantine.events.at(-1)).toBe('end');
    const lines = quarantine.lines();
    expect(lines).toHaveLength(rows - 1);
    expect(lines.map((l) => Number(l[0]))).toEqual(Array.from({ length: rows - 1 }, (_, i) => i + 3));
    expect(lines[0]?.[2]).toBe('duplicate order_id "SO1" (first on line 2)');
  });

  it('without a sink the file comes back whole, as before; a rejected export aborts what the sink had', async () => {
    const bytes = Buffer.from(`${HEADER}O1,C1,2025-13-01,1.00,x\nO2,C2,2025-01-01,"2.00,x\n`, 'utf8');
    const { result, quarantine } = await curateWith(bytes, { chunkSize: 5 });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/never closed/) });
    expect(quarantine.events).toEqual(['abort']);
    const whole = await curate(Buffer.from(`${HEADER}O1,C1,2025-13-01,1.00,x\n`, 'utf8'));
    expect(whole.result.ok && whole.result.quarantineCsv).toMatch(/^\uFEFFline,column,reason,/);
    expect(whole.result.ok && whole.result.quarantineWritten).toBe(false);
  });
});

describe('amounts and rates past their Parquet decimals (#19 item 5)', () => {
  it('curates the largest DECIMAL(18,2), quarantines anything larger with a reason, and totals exactly', async () => {
    const huge = `1${'0'.repeat(59)}.01`;
    const bytes = Buffer.from(
      HEADER +
        'O1,C1,2025-01-01,9999999999999999.99,x\n' +
        'O2,C1,2025-01-01,-9999999999999999.99,x\n' +
        'O3,C1,2025-01-01,9999999999999999.99,x\n' +
        'O4,C1,2025-01-01,10000000000000000.00,x\n' +
        `O5,C1,2025-01-01,${huge},x\n`,
      'utf8',
    );
    const { result, rows, quarantine } = await curateWith(bytes);
    if (!result.ok) throw new Error(result.reason);
    expect(rows.map((r) => (r.revenue as Money).toFixed(2))).toEqual([
      '9999999999999999.99',
      '-9999999999999999.99',
      '9999999999999999.99',
    ]);
    expect(quarantine.lines().map((line) => line.slice(0, 3))).toEqual([
      [
        '5',
        'revenue',
        '"10000000000000000.00" is too large for DECIMAL(18,2) (at most 16 digits before the point)',
      ],
      ['6', 'revenue', `"${huge}" is too large for DECIMAL(18,2) (at most 16 digits before the point)`],
    ]);
    // Sums beyond DECIMAL(18,2), and a cell of 60 digits, are still exact to the cent (worked in
    // cents with BigInt: Money would round the reference itself past 40 digits).
    const cents = (value: bigint) => `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
    const hugeCents = 10n ** 61n + 1n;
    expect(result.totals.amounts.revenue).toEqual({
      in: cents(hugeCents + 999999999999999999n + 1000000000000000000n),
      curated: '9999999999999999.99',
      quarantined: cents(hugeCents + 1000000000000000000n),
      unreadable_cells: 0,
    });
    expect(result.totals.balanced).toBe(true);
  });

  it('quarantines a score with a seventh decimal rather than rounding it into DECIMAL(18,6)', async () => {
    const bytes = Buffer.from(
      'customer_id,surveyed_on,score\nC1,2025-01-01,99.123456\nC2,2025-01-01,99.1234567\nC3,2025-01-01,88.5000000\n',
      'utf8',
    );
    const { result, rows, quarantine } = await curateWith(bytes, { kind: 'satisfaction' });
    if (!result.ok) throw new Error(result.reason);
    expect(rows.map((r) => String(r.score))).toEqual(['99.123456', '88.5']);
    expect(quarantine.lines().map((line) => line.slice(0, 3))).toEqual([
      ['3', 'score', '"99.1234567" has more than 6 decimal places'],
    ]);
  });
});

describe('a reading stopped for lack of time (the deadline option)', () => {
  it('stops after the chunk the time ran out on, lets the parts in flight land first, and aborts the quarantine file', async () => {
    const rows = 40_000;
    const text = `${HEADER}${Array.from({ length: rows }, (_, i) => `SO${i - (i % 5 === 4 ? 1 : 0)},C1,2025-03-01,1.00,软件\n`).join('')}`;
    const bytes = Buffer.from(text, 'utf8');
    const chunkSize = 32 * 1024;
    let chunksRead = 0;
    async function* source() {
      for (let i = 0; i < bytes.length; i += chunkSize) {
        chunksRead += 1;
        yield bytes.subarray(i, i + chunkSize);
      }
    }
    const quarantine = recordingSink();
    const parts: number[] = [];
    let writing = 0;
    let returned = false;
    let lateWrites = 0;
    const result = await curateExport(
      source(),
      'transactions',
      parseConfig({ rows_per_part: 2000 }),
      async (index) => {
        writing += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (returned) lateWrites += 1;
        parts.push(index);
        writing -= 1;
      },
      {
        sizeHint: bytes.length,
        quarantine: () => quarantine.sink,
        // 12 minutes left at the start, a minute less after every chunk; a minute kept back.
        deadline: { remainingMs: () => (12 - chunksRead) * 60_000, marginMs: 60_000 },
      },
    );
    returned = true;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(chunksRead).toBe(12);
    expect(result.reason).toMatch(
      /^stopped after 0\.4 MB of 1\.\d MB, [\d,]+ rows: ingest could not finish within the function's time limit \(12\.0 minutes left when it started reading\); split the export into smaller files of the same kind$/,
    );
    expect(parts.length).toBeGreaterThan(0);
    expect(writing).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lateWrites).toBe(0);
    expect(quarantine.events.at(-1)).toBe('abort');
  });

  it('ends a part at a size as well as at rows_per_part: wide text rows do not pile up in memory', async () => {
    // 1,000-character cells in every text column: 100,000 such rows made a part of gigabytes (the
    // function ran out of memory on valid files far below max_export_bytes).
    const wide = 'x'.repeat(990);
    const lines = ['order_id,customer_id,order_date,revenue,product_category,channel'];
    for (let i = 0; i < 300; i++) lines.push(`O${i}-${wide},C${i}-${wide},2025-01-01,1.00,${wide},${wide}`);
    const parts: Uint8Array[] = [];
    const result = await curateExport(
      Readable.from([new TextEncoder().encode(lines.join('\n'))]),
      'transactions',
      parseConfig({ rows_per_part: 100_000 }),
      async (index, part) => {
        parts[index] = part;
      },
      { partTextBytes: 100_000 },
    );
    if (!result.ok) throw new Error(result.reason);
    // About 4 KB of text a row: a part every 64 rows (where the size is looked at), not one of 300.
    expect(parts.length).toBe(5);
    let rows = 0;
    for (const part of parts) rows += (await decodeParquet(part, curatedColumns('transactions'))).length;
    expect(rows).toBe(300);
    expect(result.totals).toMatchObject({ rows_in: 300, rows_curated: 300, balanced: true });
  });
});
