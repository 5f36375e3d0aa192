import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { NAMED_QUERIES } from '../../core/named-queries.ts';
import { RESULT_TABLES } from '../../core/tables.ts';
import { main } from '../../functions/cli/main.ts';
import { DUCKDB_TYPE, LakeSql } from '../../functions/local/lake-sql.ts';

async function cval(...args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main(['node', 'cval', ...args]);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

const COHORT_METRICS = RESULT_TABLES.find((t) => t.name === 'cohort_metrics')!;

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cval-query-'));
  // Two runs of cohort_metrics: the named query reads the latest only.
  const sql = await LakeSql.open(join(out, 'lake'));
  for (const [asOf, rows] of [
    ['2026-10-31', `('acquisition_month', '2025-01', 3, 999.00)`],
    ['2026-11-20', `('acquisition_month', '2025-01', 3, 10.00), ('acquisition_month', '2025-02', 2, 250.50)`],
  ] as const) {
    const folder = join(out, 'lake', 'results', 'cohort_metrics', `as_of=${asOf}`);
    await mkdir(folder, { recursive: true });
    const given = `SELECT * FROM (VALUES ${rows}) t(cohort_dimension, cohort, customers, profit_per_customer)`;
    const columns = COHORT_METRICS.columns.map((c) =>
      ['cohort_dimension', 'cohort', 'customers', 'profit_per_customer'].includes(c.name)
        ? `CAST(${c.name} AS ${DUCKDB_TYPE[c.type]}) AS ${c.name}`
        : `CAST(NULL AS ${DUCKDB_TYPE[c.type]}) AS ${c.name}`,
    );
    await sql.query(
      `COPY (SELECT ${columns.join(', ')} FROM (${given})) TO '${join(folder, 'part-0.parquet')}' (FORMAT parquet)`,
    );
  }
  sql.close();
}, 60_000);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('cval query <name>', () => {
  it('runs a named query by its name over the latest run', async () => {
    const { code, stdout, stderr } = await cval('query', 'most_profitable_cohorts', '--out', out, '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows.map((r) => [r.cohort, r.profit_per_customer])).toEqual([
      ['2025-02', '250.50'],
      ['2025-01', '10.00'],
    ]);
  }, 30_000);

  it('prints the named query as a table too', async () => {
    const { code, stdout } = await cval('query', 'least_profitable_cohorts', '--out', out);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^cohort_dimension\s+cohort\s+customers/);
    expect(stdout).toMatch(/\(2 rows\)\n$/);
  }, 30_000);

  it('an unknown name is one line with the closest name and where the list is (exit 2)', async () => {
    expect(await cval('query', 'most_profitable_cohort', '--out', out)).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'cval: no named query "most_profitable_cohort" (did you mean most_profitable_cohorts?); \'cval query --list\' lists them\n',
    });
    expect((await cval('query', 'nothing_like_it', '--out', out)).stderr).toBe(
      'cval: no named query "nothing_like_it"; \'cval query --list\' lists them\n',
    );
  });

  it('no SQL and no name is bad input (exit 2)', async () => {
    const { code, stderr } = await cval('query', '--out', out);
    expect(code).toBe(2);
    expect(stderr).toBe("cval: give the SQL or a named query's name; 'cval query --list' lists the names\n");
  });

  it('SQL still runs as SQL', async () => {
    const { code, stdout } = await cval(
      'query',
      'select count(*) AS n from cohort_metrics',
      '--out',
      out,
      '--json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([{ n: 3 }]);
  }, 30_000);

  it('divides integers as Athena does, as integers', async () => {
    const { code, stdout } = await cval(
      'query',
      'select customers / 2 AS half, -7 / 2 AS negative from cohort_metrics where customers = 3',
      '--out',
      out,
      '--json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { half: 1, negative: -3 },
      { half: 1, negative: -3 },
    ]);
  }, 30_000);
});

describe('cval query --list', () => {
  it('lists every named query with the question it answers', async () => {
    const { code, stdout, stderr } = await cval('query', '--list');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^name\s+question$/);
    for (const q of NAMED_QUERIES) {
      expect(lines.some((l) => l.startsWith(q.name) && l.endsWith(q.description))).toBe(true);
    }
    expect(stdout).toContain('cval query <name>');
  });

  it('--json gives names and questions as data', async () => {
    const { stdout } = await cval('query', '--list', '--json');
    expect(JSON.parse(stdout)).toEqual(NAMED_QUERIES.map((q) => ({ name: q.name, question: q.description })));
  });
});
