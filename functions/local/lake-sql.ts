import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CURATED_TABLES } from '../../core/exports/curated-schema.ts';
import { type ColumnType, RESULT_TABLES, type TableDefinition } from '../../core/tables.ts';
import type { QueryResult, SqlRunner } from '../shared/sql-runner.ts';

/**
 * Athena's part in local mode: DuckDB over the mirrored lake, with one view per Athena table name
 * (same columns, same partition column), so the named queries run unchanged.
 */
export const DUCKDB_TYPE: Record<ColumnType, string> = {
  string: 'VARCHAR',
  money: 'DECIMAL(18,2)',
  rate: 'DECIMAL(18,6)',
  double: 'DOUBLE',
  bigint: 'BIGINT',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

export const ALL_TABLES: TableDefinition[] = [...RESULT_TABLES, ...CURATED_TABLES];

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

async function viewSql(
  connection: DuckDBConnection,
  lakeDir: string,
  table: TableDefinition,
): Promise<string> {
  const folder = join(lakeDir, table.prefix);
  const partition = table.partitionKey
    ? [`CAST(${quote(table.partitionKey)} AS VARCHAR) AS ${quote(table.partitionKey)}`]
    : [];
  if (existsSync(folder)) {
    const glob = join(folder, '**', '*.parquet').replaceAll("'", "''");
    const source = `read_parquet('${glob}', hive_partitioning = ${table.partitionKey ? 'true' : 'false'}, hive_types_autocast = false, union_by_name = true)`;
    // A column added to the table after these parts were written is in none of them: NULL, as
    // Athena reads it (a view naming a column no part has would not open).
    const present = new Set(
      (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
        .getRowObjectsJson()
        .map((row) => String(row.column_name)),
    );
    const columns = table.columns.map((c) =>
      present.has(c.name) ? quote(c.name) : `CAST(NULL AS ${DUCKDB_TYPE[c.type]}) AS ${quote(c.name)}`,
    );
    return `CREATE OR REPLACE VIEW ${quote(table.name)} AS SELECT ${[...columns, ...partition].join(', ')}
      FROM ${source}`;
  }
  // No data yet: an empty view with the right types, so queries still run.
  const typed = table.columns.map((c) => `CAST(NULL AS ${DUCKDB_TYPE[c.type]}) AS ${quote(c.name)}`);
  const key = table.partitionKey ? [`CAST(NULL AS VARCHAR) AS ${quote(table.partitionKey)}`] : [];
  return `CREATE OR REPLACE VIEW ${quote(table.name)} AS SELECT ${[...typed, ...key].join(', ')} WHERE false`;
}

export class LakeSql implements SqlRunner {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(lakeDir: string): Promise<LakeSql> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // Athena divides integers as integers; so does DuckDB with this, for the same answers.
    await connection.run('SET integer_division = true');
    for (const table of ALL_TABLES) await connection.run(await viewSql(connection, lakeDir, table));
    return new LakeSql(connection);
  }

  /** Rows as JSON-safe objects: exact decimals as strings, safe integers as numbers. */
  async query(sql: string): Promise<QueryResult> {
    const result = await this.connection.runAndReadAll(sql);
    const types = result.columnTypes().map(String);
    const columns = result.columnNames();
    const rows = result.getRowObjectsJson().map((row) => {
      const out: Record<string, unknown> = {};
      columns.forEach((name, i) => {
        const value = row[name];
        const type = types[i] ?? '';
        out[name] =
          typeof value === 'string' &&
          /^(BIGINT|INTEGER|HUGEINT|UBIGINT)$/.test(type) &&
          Number.isSafeInteger(Number(value))
            ? Number(value)
            : value;
      });
      return out;
    });
    return { columns, types, rows };
  }

  close(): void {
    this.connection.closeSync();
  }
}
