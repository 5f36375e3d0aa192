import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { publishReport } from '../../functions/compute/publish-report.ts';
import { LakeSql } from '../../functions/local/lake-sql.ts';
import { runLocal, targetsLocal } from '../../functions/local/run-local.ts';
import type { QueryResult, SqlRunner } from '../../functions/shared/sql-runner.ts';

/**
 * The deployed compute function builds the report with Athena (Trino), the CLI with DuckDB: the
 * report's SQL must be the dialect both speak.
 */
let out: string;
let lake: LakeSql;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cval-report-sql-'));
  await runLocal({
    exportsDir: join(import.meta.dirname, '..', '..', 'samples', 'exports'),
    outDir: out,
    asOf: '2026-11-20',
  });
  await targetsLocal({ outDir: out, week: '2026-W47' });
  lake = await LakeSql.open(join(out, 'lake'));
}, 180_000);
afterAll(async () => {
  lake?.close();
  await rm(out, { recursive: true, force: true });
});

class RecordingSql implements SqlRunner {
  readonly statements: string[] = [];
  constructor(private readonly inner: SqlRunner) {}
  query(sql: string): Promise<QueryResult> {
    this.statements.push(sql);
    return this.inner.query(sql);
  }
}

describe('the report through the compute function', () => {
  it('writes reports/run/as_of=<date>/index.html to the lake, using only SQL that Athena also runs', async () => {
    const sql = new RecordingSql(lake);
    const written: Array<{ key: string; body: string; type: string }> = [];
    const store = {
      put: async (key: string, body: string, type: string) => void written.push({ key, body, type }),
    };
    const key = await publishReport(
      store as unknown as ObjectStore,
      sql,
      '2026-11-20',
      parseConfig({ locale: 'zh-CN' }),
    );
    expect(key).toBe('reports/run/as_of=2026-11-20/index.html');
    expect(written).toHaveLength(1);
    expect(written[0]?.type).toBe('text/html; charset=utf-8');
    expect(written[0]?.body).toMatch(/^<!doctype html>/i);
    expect(written[0]?.body).toContain('lang="zh-CN"');
    expect(sql.statements.length).toBeGreaterThan(10);
    for (const statement of sql.statements) {
      // DuckDB-only: `::` casts, named WINDOW clauses, ILIKE, QUALIFY, EXCLUDE, list literals.
      expect(statement).not.toMatch(/::|\bWINDOW\b|\bILIKE\b|\bQUALIFY\b|\bEXCLUDE\b|\[/i);
    }
  });
});
