import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSql } from '../../functions/local/lake-sql.ts';
import { runLocal, targetsLocal } from '../../functions/local/run-local.ts';
import { makeLocalTable } from '../support/local-env.ts';
import { type Synthesized, synthStack } from './synth.ts';

/**
 * The deployed catalogue against what the real functions write: a local run of every job over the
 * samples, then every Glue table of the synthesised template is compared with the schema DuckDB
 * reads from those Parquet files, and every named query of the template runs on that lake.
 */
const SAMPLES = join(import.meta.dirname, '..', '..', 'samples', 'exports');

interface GlueTable {
  name: string;
  location: string;
  columns: Array<{ Name: string; Type: string }>;
}

/** How DuckDB names the types a Glue (Hive) column type is read as. */
function duckdbType(glueType: string): string {
  const upper = glueType.toUpperCase();
  return upper === 'STRING' ? 'VARCHAR' : upper.replace(/\s+/g, '');
}

let root: string;
let out: string;
let synth: Synthesized;
let sql: LakeSql;
let tables: GlueTable[];

/**
 * The samples plus one small export of each kind they do not carry (roster, holidays,
 * subscriptions) and a scenario beside the plan, so every table of the catalogue gets files.
 */
async function everyKind(dir: string): Promise<string> {
  await cp(SAMPLES, dir, { recursive: true });
  const put = async (path: string, text: string) => {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  };
  await put(
    'reps/roster.csv',
    'rep_id,team,started_on,ended_on,ramp_months,capacity\nr01,north,2024-01-01,,,1\nr02,north,2024-01-01,,,1\nr03,north,2025-06-01,,3,1\nr04,south,2024-01-01,,,1\nr05,south,2024-01-01,,,1\n',
  );
  await put('holidays/company-days.csv', 'date,kind,name\n2026-10-01,holiday,National Day\n');
  await put(
    'subscriptions/plans.csv',
    [
      'subscription_id,customer_id,started_on,ended_on,plan,billing_period,recurring_revenue,recurring_cost',
      ...Array.from({ length: 30 }, (_, i) => {
        const start = `2025-${String((i % 12) + 1).padStart(2, '0')}-01`;
        const ended = i % 3 === 0 ? '' : `2026-${String((i % 9) + 1).padStart(2, '0')}-28`;
        return `S${i},C${String((i % 20) + 1).padStart(4, '0')},${start},${ended},basic,month,29.00,9.50`;
      }),
    ].join('\n'),
  );
  await put(
    'targets/stretch.csv',
    'fiscal_year,metric,amount,scope,scenario\n2026,revenue,4400000.00,company,stretch\n',
  );
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cval-drift-'));
  out = join(root, 'run');
  const exportsDir = await everyKind(join(root, 'exports'));
  await makeLocalTable(join(out, 'state'));
  await runLocal({ exportsDir, outDir: out, asOf: '2026-11-20' });
  await targetsLocal({ outDir: out, week: '2026-W47' });
  synth = synthStack();
  sql = await LakeSql.open(join(out, 'lake'));
  tables = Object.values(synth.template.findResources('AWS::Glue::Table')).map((resource) => {
    const input = resource.Properties.TableInput;
    const location = input.StorageDescriptor.Location as { 'Fn::Join': [string, unknown[]] };
    return {
      name: input.Name,
      location: String(location['Fn::Join'][1].at(-1)),
      columns: input.StorageDescriptor.Columns,
    };
  });
}, 240_000);

afterAll(async () => {
  sql?.close();
  synth?.cleanup();
  await rm(root, { recursive: true, force: true });
});

async function parquetFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => e.endsWith('.parquet')).map((e) => join(dir, e));
}

describe('Glue tables match the Parquet the functions write', () => {
  it('has a Glue table for every table with data in the local lake', () => {
    expect(tables.length).toBeGreaterThanOrEqual(20);
  });

  it('every Glue column has the type DuckDB reads from the files, in the same order', async () => {
    for (const table of tables) {
      const prefix = table.location.replace(/^\//, '').replace(/\/$/, '');
      const files = await parquetFiles(join(out, 'lake', prefix));
      expect(files.length, `${table.name}: no Parquet written under ${prefix}`).toBeGreaterThan(0);
      const described = await sql.query(
        `DESCRIBE SELECT * FROM read_parquet('${files[0]}', hive_partitioning = false)`,
      );
      const actual = described.rows.map((r) => [r.column_name, r.column_type]);
      const expected = table.columns.map((c) => [c.Name, duckdbType(c.Type)]);
      expect(actual, table.name).toEqual(expected);
    }
  });
});

describe('named queries of the template run on the local lake', () => {
  it('each returns rows with the columns it names', async () => {
    const queries = Object.values(synth.template.findResources('AWS::Athena::NamedQuery')).map((r) => ({
      name: r.Properties.Name as string,
      sql: r.Properties.QueryString as string,
    }));
    expect(queries.length).toBeGreaterThanOrEqual(6);
    for (const query of queries) {
      const result = await sql.query(query.sql);
      expect(result.columns.length, query.name).toBeGreaterThan(0);
      expect(result.rows.length, `${query.name} returned no rows`).toBeGreaterThan(0);
    }
  });
});
