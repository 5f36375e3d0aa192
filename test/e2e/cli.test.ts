import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CVAL = join(import.meta.dirname, '..', '..', 'bin', 'cval.mjs');
const SAMPLES = join(import.meta.dirname, '..', '..', 'samples', 'exports');

async function cval(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CVAL, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let out: string;
let firstRun: Record<string, unknown>;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cval-e2e-'));
  const result = await cval(['run', SAMPLES, '--as-of', '2026-11-20', '--out', out, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  firstRun = JSON.parse(result.stdout);
}, 180_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('cval on the sample exports, end to end through the real handlers', () => {
  it('loads every sample export, quarantines the one bad row, and reports customers and revenue', () => {
    expect(firstRun).toMatchObject({
      as_of: '2026-11-20',
      exports: { loaded: 11 },
      rows_quarantined: 1,
      customers: 240,
    });
    expect(Number(firstRun.revenue)).toBeGreaterThan(0);
  });

  it('answers SQL over the local lake with the Athena table names', async () => {
    const result = await cval([
      'query',
      'select count(*) as n from customer_metrics',
      '--out',
      out,
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ n: 240 }]);
    const rejects = await cval([
      'query',
      'select line, "column", reason from rejects',
      '--out',
      out,
      '--json',
    ]);
    expect(JSON.parse(rejects.stdout)).toEqual([
      { line: 12, column: 'order_date', reason: '"2025-13-01" is not a date' },
    ]);
  });

  it('revenue in the results equals the curated transactions to the cent', async () => {
    const result = await cval([
      'query',
      `select (select sum(revenue) from customer_metrics)::VARCHAR as results,
              (select sum(revenue) from transactions where order_date <= DATE '2026-11-20')::VARCHAR as curated`,
      '--out',
      out,
      '--json',
    ]);
    const [row] = JSON.parse(result.stdout);
    expect(row.results).toBe(row.curated);
  });

  it('writes the DynamoDB items, with a CUSTOMER# item per customer', async () => {
    const lines = (await readFile(join(out, 'dynamodb.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((i) => i.PK.startsWith('CUSTOMER#') && i.SK === 'LATEST')).toHaveLength(240);
    expect(lines.filter((i) => i.PK === 'EXPORTS' && i.SK.startsWith('EXPORT#'))).toHaveLength(11);
    expect(lines.filter((i) => i.PK === 'SOURCES')).toHaveLength(11);
    expect(lines.find((i) => i.PK === 'RUNS' && i.SK === 'AS_OF#2026-11-20')).toMatchObject({ as_of: '2026-11-20' });
    expect(lines.find((i) => i.PK === 'RUNS' && i.SK === 'LATEST')).toMatchObject({ as_of: '2026-11-20' });
    // History lives in Athena: nothing dated per customer.
    expect(lines.filter((i) => i.PK.startsWith('CUSTOMER#') && i.SK !== 'LATEST')).toEqual([]);
  });

  it('a rerun over the same exports changes nothing', async () => {
    const before = await readFile(join(out, 'dynamodb.jsonl'), 'utf8');
    const again = await cval(['run', SAMPLES, '--as-of', '2026-11-20', '--out', out, '--json']);
    const summary = JSON.parse(again.stdout);
    expect(summary.ingest).toEqual([]);
    expect(summary.run.run_id).toBe((firstRun.run as { run_id: string }).run_id);
    const after = await readFile(join(out, 'dynamodb.jsonl'), 'utf8');
    const withoutPublishTime = (text: string) => text.replace(/"(published_at|expires_at)":("[^"]+"|\d+)/g, '');
    expect(withoutPublishTime(after)).toBe(withoutPublishTime(before));
  });

  it('re-plans the week: targets table, one item per scope, metric and day, and the same result twice', async () => {
    const first = await cval(['targets', '--week', '2026-W48', '--out', out, '--json']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ as_of: '2026-11-23', week: '2026-W48', errors: [] });
    const items = (await readFile(join(out, 'dynamodb.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const today = items.find((i) => i.PK === 'TARGET#rep:r01#revenue#FY2026' && i.SK === 'day#2026-11-24');
    expect(today).toMatchObject({ level: 'day', start_date: '2026-11-24', closed: false });
    expect(Number(today.target)).toBeGreaterThan(0);

    const sums = await cval([
      'query',
      `select (select sum(target) from targets where as_of = '2026-11-23' and level = 'week' and scope = 'company' and metric = 'revenue')::VARCHAR as weeks,
              (select target from targets where as_of = '2026-11-23' and level = 'year' and scope = 'company' and metric = 'revenue')::VARCHAR as year`,
      '--out',
      out,
      '--json',
    ]);
    const [row] = JSON.parse(sums.stdout);
    expect(row.weeks).toBe(row.year);

    const again = await cval(['targets', '--week', '2026-W48', '--out', out, '--json']);
    expect(JSON.parse(again.stdout)).toEqual(summary);
    const bad = await cval(['targets', '--week', '2026-48', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^cval: --week must be YYYY-Www/);
  });

  it('fails with one clear line and exit code 2 on bad input', async () => {
    const missing = await cval(['run', join(out, 'no-such-folder'), '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^cval: exports folder not found/);
    const badSql = await cval(['query', 'select nope from customer_metrics', '--out', out]);
    expect(badSql.code).toBe(2);
    expect(badSql.stderr).toMatch(/^cval: query failed/);
  });
});
