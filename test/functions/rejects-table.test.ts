import { Readable } from 'node:stream';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine, csvQuarantineLine } from '../../core/text/csv-out.ts';
import type { Item } from '../../functions/adapters/item-store.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { rejectsTableRows } from '../../functions/compute/export-tables.ts';

/**
 * A lake whose whole-object reads throw, as getText does past Node's string limit (a quarantine
 * file of GBs), while its streams work. Bodies come in chunks of `chunkBytes`, so BOMs, multi-byte
 * characters, quoted line breaks and CRLFs fall across chunk boundaries.
 */
function streamingOnlyLake(files: Record<string, Buffer>, chunkBytes: number) {
  const opened: string[] = [];
  const lake = {
    bucket: 'lake',
    getText: async (key: string): Promise<string | null> => {
      throw new RangeError(`Invalid string length (reading ${key} whole)`);
    },
    getBytes: async (key: string): Promise<Uint8Array> => {
      throw new RangeError(`Array buffer allocation failed (reading ${key} whole)`);
    },
    openStream: async (key: string) => {
      opened.push(key);
      const bytes = files[key];
      if (!bytes) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
      return { body: Readable.from(chunks), size: bytes.length };
    },
  };
  const streaming: Pick<ObjectStore, 'openStream'> = lake;
  return { lake: streaming, opened };
}

function item(id: string, status: string, quarantineKey: string | null): Item {
  return {
    PK: 'EXPORTS',
    SK: `EXPORT#${id}`,
    export_id: id,
    kind: 'transactions',
    status,
    quarantine_key: quarantineKey,
  } as Item;
}

/** What rejectsTableRows made of a file read whole (its behaviour before it streamed). */
function rowsReadWhole(text: string, exportId: string) {
  const records = parse(text, { bom: true, from_line: 2, relax_column_count: true }) as string[][];
  return records.map(([line, column, reason]) => ({
    export_id: exportId,
    kind: 'transactions',
    line: Number(line),
    column,
    reason,
  }));
}

const big = (seed: string, length: number) => seed.repeat(Math.ceil(length / seed.length)).slice(0, length);

/** A quarantine file as ingest writes it: a BOM, the header, rows carrying their original fields. */
const HEADER = ['customer_id', 'date', 'amount', 'note'];
const quarantineA =
  `\uFEFF${csvLine(['line', 'column', 'reason', ...HEADER])}` +
  csvQuarantineLine(2, 'amount', 'not a number: "12,5"', [
    'c1',
    '2024-01-02',
    '12,5',
    big('a,"b"\r\nc ', 200_000),
  ]) +
  csvQuarantineLine(3, 'date', 'not a date', ['c2', '=2024/13/01', '1.00', big('€ 日本 😀, ', 150_000)]) +
  csvQuarantineLine(17, 'customer_id', 'duplicate of line 4', 'c3,2024-01-03,2.00,plain') +
  // A short row: relax_column_count keeps it, its missing cells undefined.
  '18,amount\r\n' +
  csvQuarantineLine(1_000_001, '', 'line break\ninside the reason', [big('x', 300_000)]);
const quarantineB = `\uFEFF${csvLine(['line', 'column', 'reason', ...HEADER])}${csvQuarantineLine(5, 'note', 'too long', [big('ü', 70_000)])}`;
// A file whose header names a column with a line break: still only its first record is skipped.
const quarantineC = `\uFEFF${csvLine(['line', 'column', 'reason', 'two\nlines'])}${csvQuarantineLine(9, 'two\nlines', 'empty', [''])}`;

describe('the rejects table', () => {
  it('streams each quarantine file (never read whole) and keeps its rows exactly as before', async () => {
    const files = {
      'quarantine/transactions/b.csv': Buffer.from(quarantineB),
      'quarantine/transactions/a.csv': Buffer.from(quarantineA),
      'quarantine/transactions/c.csv': Buffer.from(quarantineC),
      'quarantine/transactions/old.csv': Buffer.from(quarantineB),
    };
    const items = [
      item('b', 'blocked', 'quarantine/transactions/b.csv'),
      item('old', 'superseded', 'quarantine/transactions/old.csv'),
      item('a', 'loaded', 'quarantine/transactions/a.csv'),
      item('n', 'loaded', null),
      item('gone', 'loaded', 'quarantine/transactions/gone.csv'),
      item('c', 'loaded', 'quarantine/transactions/c.csv'),
    ];
    const expected = [
      ...rowsReadWhole(quarantineA, 'a'),
      ...rowsReadWhole(quarantineB, 'b'),
      ...rowsReadWhole(quarantineC, 'c'),
    ];
    expect(expected.slice(0, 5)).toStrictEqual([
      { export_id: 'a', kind: 'transactions', line: 2, column: 'amount', reason: 'not a number: "12,5"' },
      { export_id: 'a', kind: 'transactions', line: 3, column: 'date', reason: 'not a date' },
      {
        export_id: 'a',
        kind: 'transactions',
        line: 17,
        column: 'customer_id',
        reason: 'duplicate of line 4',
      },
      { export_id: 'a', kind: 'transactions', line: 18, column: 'amount', reason: undefined },
      {
        export_id: 'a',
        kind: 'transactions',
        line: 1_000_001,
        column: '',
        reason: 'line break\ninside the reason',
      },
    ]);
    expect(expected.slice(5)).toStrictEqual([
      { export_id: 'b', kind: 'transactions', line: 5, column: 'note', reason: 'too long' },
      { export_id: 'c', kind: 'transactions', line: 9, column: 'two\nlines', reason: 'empty' },
    ]);
    for (const chunkBytes of [1, 7, 64 * 1024]) {
      const { lake, opened } = streamingOnlyLake(files, chunkBytes);
      const rows = await rejectsTableRows(lake, items);
      expect(rows).toStrictEqual(expected);
      expect(opened).toEqual([
        'quarantine/transactions/a.csv',
        'quarantine/transactions/b.csv',
        'quarantine/transactions/c.csv',
        'quarantine/transactions/gone.csv',
      ]);
    }
  });

  it('keeps only the line, column and reason of each record, not the original row', async () => {
    const { lake } = streamingOnlyLake({ 'q/a.csv': Buffer.from(quarantineA) }, 16 * 1024);
    const rows = await rejectsTableRows(lake, [item('a', 'loaded', 'q/a.csv')]);
    for (const row of rows)
      expect(Object.keys(row)).toEqual(['export_id', 'kind', 'line', 'column', 'reason']);
  });

  it('gives no rows for an empty or header-only file', async () => {
    const { lake } = streamingOnlyLake(
      {
        'q/empty.csv': Buffer.alloc(0),
        'q/header.csv': Buffer.from(`\uFEFF${csvLine(['line', 'column', 'reason'])}`),
      },
      3,
    );
    const rows = await rejectsTableRows(lake, [
      item('e', 'loaded', 'q/empty.csv'),
      item('h', 'blocked', 'q/header.csv'),
    ]);
    expect(rows).toEqual([]);
  });

  it('fails the run when a quarantine file cannot be read or parsed', async () => {
    const failing = {
      openStream: async () => {
        const body = new Readable({
          read() {
            this.push(Buffer.from(`\uFEFF${csvLine(['line', 'column', 'reason'])}2,a,b\r\n`));
            this.destroy(new Error('connection reset'));
          },
        });
        return { body, size: null };
      },
    } satisfies Pick<ObjectStore, 'openStream'>;
    await expect(rejectsTableRows(failing, [item('a', 'loaded', 'q/a.csv')])).rejects.toThrow(
      'connection reset',
    );

    const { lake } = streamingOnlyLake({ 'q/bad.csv': Buffer.from('line,column,reason\r\n2,"a,b\r\n') }, 4);
    await expect(rejectsTableRows(lake, [item('a', 'loaded', 'q/bad.csv')])).rejects.toThrow(/quote/i);
  });
});
