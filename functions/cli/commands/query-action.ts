import { resolve } from 'node:path';
import { NAMED_QUERIES, type NamedQuery } from '../../../core/named-queries.ts';
import { formatTable } from '../format-table.ts';
import { CommandLineError as UsageError } from '../usage-error.ts';
import type { QueryOptions } from './query.ts';

/** A bare identifier is a query's name: SQL always has more than one word. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function query(text: string | undefined, options: QueryOptions): Promise<void> {
  if (options.list) {
    if (text !== undefined) throw new UsageError(`--list takes no SQL or name, got "${text}"`);
    process.stdout.write(listNamedQueries(options.json === true));
    return;
  }
  if (text === undefined || text.trim() === '') {
    throw new UsageError("give the SQL or a named query's name; 'cval query --list' lists the names");
  }
  const sqlText = NAME.test(text.trim()) ? namedQuery(text.trim()).sql : text;
  // A folder no run wrote (a typo in --out) read as empty tables: "(0 rows)", exit 0. The check
  // loads before DuckDB, and --list loads neither.
  const { checkLakeExists } = await import('../../local/local-input.ts');
  checkLakeExists(options.out);
  // DuckDB and the lake are loaded only to run a query.
  const { LakeSql } = await import('../../local/lake-sql.ts');
  const sql = await LakeSql.open(resolve(options.out, 'lake'));
  try {
    const result = await sql.query(sqlText);
    const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
    process.stdout.write(
      options.json
        ? `${JSON.stringify(result.rows)}\n`
        : `${formatTable(result.columns, result.rows)}\n${count}\n`,
    );
  } catch (error) {
    throw new UsageError(`query failed: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    sql.close();
  }
}

/** The named query called `name`, or a usage error naming the closest one. */
export function namedQuery(name: string): NamedQuery {
  const found = NAMED_QUERIES.find((q) => q.name === name.toLowerCase());
  if (found) return found;
  const closest = NAMED_QUERIES.map((q) => ({ q, d: editDistance(q.name, name.toLowerCase()) })).sort(
    (a, b) => a.d - b.d,
  )[0];
  const hint =
    closest && closest.d <= Math.max(2, name.length / 3) ? ` (did you mean ${closest.q.name}?)` : '';
  throw new UsageError(`no named query "${name}"${hint}; 'cval query --list' lists them`);
}

export function listNamedQueries(json: boolean): string {
  const rows = NAMED_QUERIES.map((q) => ({ name: q.name, question: q.description }));
  if (json) return `${JSON.stringify(rows)}\n`;
  return `${formatTable(['name', 'question'], rows)}\n\nrun one with: cval query <name>\n`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
