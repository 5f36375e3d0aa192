import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../functions/ingest/handler.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

let env: LocalEnv;

beforeAll(async () => {
  env = await startLocalEnv();
});
afterAll(async () => {
  await env?.close();
});

const TRANSACTIONS = [
  'order_id,customer_id,order_date,revenue,cost',
  'O1,C1,2025-01-05,"1,200.50",700',
  'O2,C2,2025/2/1,¥300.00,100.25',
  'O3,C1,2025-13-01,50,10',
  'O4,C3,20250310,(20.00),0',
].join('\r\n');

describe('ingest handler against the local S3 and DynamoDB servers', () => {
  it('curates valid rows to Parquet with DECIMAL and DATE types, quarantines the bad one, and balances', async () => {
    const event = await env.upload('transactions/jan.csv', TRANSACTIONS);
    const result = await ingest(event as never);
    const outcome = result.outcomes[0];
    expect(outcome?.action).toBe('ingested');
    if (outcome?.action !== 'ingested') return;
    expect(outcome.status).toBe('loaded');
    const totals = outcome.report.control_totals;
    expect(totals).toMatchObject({ rows_in: 4, rows_curated: 3, rows_quarantined: 1, balanced: true });
    expect(totals?.amounts.revenue).toEqual({
      in: '1530.50',
      curated: '1480.50',
      quarantined: '50.00',
      unreadable_cells: 0,
    });

    const { lake, items } = env.ports();
    const item = await items.get('EXPORTS', `EXPORT#${outcome.exportId}`);
    expect(item).toMatchObject({
      status: 'loaded',
      rows_in: 4,
      rows_curated: 3,
      rows_quarantined: 1,
      kind: 'transactions',
    });

    const quarantine = await lake.getText(`quarantine/transactions/${outcome.exportId}.csv`);
    expect(quarantine).toContain('4,order_date,"""2025-13-01"" is not a date",O3,C1,2025-13-01,50,10');

    const parts = outcome.report.curated_keys;
    expect(parts).toEqual([`curated/transactions/export_id=${outcome.exportId}/part-00000.parquet`]);
    const local = join(env.dir, 'part.parquet');
    await writeFile(local, await lake.getBytes(parts[0] as string));
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    const schema = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${local}')`);
    const types = Object.fromEntries(schema.getRowObjects().map((r) => [r.column_name, r.column_type]));
    expect(types).toMatchObject({
      order_date: 'DATE',
      revenue: 'DECIMAL(18,2)',
      cost: 'DECIMAL(18,2)',
      source_line: 'BIGINT',
    });
    const sums = await connection.runAndReadAll(
      `SELECT sum(revenue)::VARCHAR AS revenue, min(order_date)::VARCHAR AS first FROM read_parquet('${local}')`,
    );
    expect(sums.getRowObjects()[0]).toEqual({ revenue: '1480.50', first: '2025-01-05' });
    connection.closeSync();
  });

  it('treats the same notification delivered twice as one export', async () => {
    const event = await env.upload('transactions/twice.csv', TRANSACTIONS.replaceAll('O', 'P'));
    const first = await ingest(event as never);
    const second = await ingest(event as never);
    expect(first.outcomes[0]?.action).toBe('ingested');
    expect(second.outcomes[0]).toMatchObject({ action: 'duplicate', status: 'loaded' });
  });

  it('rejects a file without a required column, naming the file and the column, and curates nothing', async () => {
    const event = await env.upload('transactions/no-date.csv', 'order_id,customer_id,revenue\nO1,C1,10\n');
    const result = await ingest(event as never);
    const outcome = result.outcomes[0];
    if (outcome?.action !== 'ingested') throw new Error('expected an ingest');
    expect(outcome.status).toBe('rejected');
    expect(outcome.report.status_reason).toMatch(/missing required column order_date/);
    expect(outcome.report.s3_key).toBe('transactions/no-date.csv');
    expect(await env.ports().lake.list(`curated/transactions/export_id=${outcome.exportId}/`)).toEqual([]);
  });

  it('reads a GBK file with Chinese headers', async () => {
    const gbk = iconv.encode('订单号,客户编号,订单日期,金额\nO1,张三,2025年3月1日,"￥1,000.00"\n', 'gbk');
    const result = await ingest((await env.upload('transactions/中文.csv', gbk)) as never);
    const outcome = result.outcomes[0];
    if (outcome?.action !== 'ingested') throw new Error('expected an ingest');
    expect(outcome.report.encoding).toBe('gb18030');
    expect(outcome.report.control_totals?.amounts.revenue?.curated).toBe('1000.00');
  });

  it.each([
    [
      'UTF-16LE, tab-separated, gzip',
      (t: string) => gzipSync(iconv.encode(t.replaceAll(',', '\t'), 'utf16le', { addBOM: true })),
      'utf16le',
    ],
    [
      'UTF-8 with BOM, semicolons, CRLF',
      (t: string) => Buffer.from(`\uFEFF${t.replaceAll(',', ';').replaceAll('\n', '\r\n')}`),
      'utf8',
    ],
    [
      // In a column of notes ingest does not keep: no column it keeps holds a line break.
      'GB18030 with a quoted newline',
      (t: string) =>
        iconv.encode(
          t
            .replace('退货金额\n', '退货金额,备注\n')
            .replace('(10.00)\n', '(10.00),"第一行\n第二行"\n')
            .replace('12.00-,0\n', '12.00-,0,\n'),
          'gb18030',
        ),
      'gb18030',
    ],
  ])('loads %s through the handler', async (name, encode, encoding) => {
    const text =
      '订单号,客户编号,日期,销售额,退货金额\nA1,张三,45717,"1234.50",(10.00)\nA2,李四,2025/3/2,12.00-,0\n'.replace(
        '"1234.50"',
        '1234.50',
      );
    const key = `transactions/${name.replace(/\W+/g, '-')}.csv.gz`;
    const result = await ingest((await env.upload(key, encode(text))) as never);
    const outcome = result.outcomes[0];
    if (outcome?.action !== 'ingested') throw new Error('expected an ingest');
    expect(outcome.report.encoding).toBe(encoding);
    expect(outcome.report.control_totals).toMatchObject({
      rows_in: 2,
      rows_curated: 2,
      amounts: { revenue: { curated: '1222.50' }, returned_amount: { curated: '-10.00' } },
    });
  });

  it('a new version of a key replaces its earlier data; deleting the key withdraws it', async () => {
    const first = await ingest(
      (await env.upload('customers/all.csv', 'customer_id,acquired_on\nC1,2025-01-01\n')) as never,
    );
    const second = await ingest(
      (await env.upload(
        'customers/all.csv',
        'customer_id,acquired_on\nC1,2025-01-01\nC2,2025-02-01\n',
      )) as never,
    );
    const [a, b] = [first.outcomes[0], second.outcomes[0]];
    if (a?.action !== 'ingested' || b?.action !== 'ingested') throw new Error('expected ingests');
    const { lake, items } = env.ports();
    expect(await lake.list(`curated/customers/export_id=${a.exportId}/`)).toEqual([]);
    expect(await lake.list(`curated/customers/export_id=${b.exportId}/`)).toHaveLength(1);
    expect((await items.get('EXPORTS', `EXPORT#${a.exportId}`))?.status).toBe('replaced');

    const removed = await ingest((await env.remove('customers/all.csv')) as never);
    expect(removed.outcomes[0]).toMatchObject({ action: 'withdrawn', exportId: b.exportId });
    expect(await lake.list('curated/customers/')).toEqual([]);
    expect((await items.get('EXPORTS', `EXPORT#${b.exportId}`))?.status).toBe('withdrawn');
    await mkdir(env.dir, { recursive: true });
  });
});
