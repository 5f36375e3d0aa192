import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CURATED_TABLES } from '../../core/exports/curated-schema.ts';
import type { ColumnType, TableDefinition } from '../../core/tables.ts';
import { exportIdFromPath } from '../../sql/compose.ts';
import { type SetQuery, type SqlParameter, setQuery as setQueryNamed } from '../../sql/index.ts';
import { curatedPartExport } from '../ingest/lake-keys.ts';
import type { LakeReader } from './lake-reader.ts';

/** The DuckDB type of each column type (as the Glue tables and functions/local/lake-sql.ts). */
const DUCKDB_TYPE: Record<ColumnType, string> = {
  string: 'VARCHAR',
  money: 'DECIMAL(18,2)',
  rate: 'DECIMAL(18,6)',
  double: 'DOUBLE',
  bigint: 'BIGINT',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

/**
 * Trino functions the queries use, as DuckDB macros: sequence(start, stop) (inclusive) as range;
 * and the bucket hash `from_base(substr(lower(to_hex(md5(to_utf8(id)))), 1, 8), 16)`, where
 * DuckDB's md5 of a string already gives the lowercase hex that Trino's to_hex(md5(varbinary))
 * spells, so to_utf8 and to_hex pass it through and from_base reads the hex digits.
 */
const TRINO_MACROS = [
  'CREATE OR REPLACE TEMP MACRO sequence(start, stop) AS range(start, stop + 1)',
  'CREATE OR REPLACE TEMP MACRO to_utf8(text) AS text',
  'CREATE OR REPLACE TEMP MACRO to_hex(text) AS text',
  "CREATE OR REPLACE TEMP MACRO from_base(digits, radix) AS CAST('0x' || digits AS BIGINT)",
];

export type SetParameters = Partial<Record<SqlParameter, string>>;

const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;
const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The embedded engine: DuckDB running the set queries of sql/ over the curated Parquet of the
 * exports that count, copied from the lake to a local folder (/tmp on Lambda). Each curated kind
 * is a view named as its Athena table, over exactly the parts of the given exports, so the queries
 * run as they would on Athena.
 */
export class SetEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly owned: string | null,
  ) {}

  /**
   * Copies the curated parts of `exportIds` (every export when absent) of the kinds (every kind
   * when absent) from the lake, then opens.
   */
  static async fromLake(
    lake: LakeReader,
    exportIds?: ReadonlySet<string>,
    kinds?: readonly string[],
  ): Promise<SetEngine> {
    const folder = await mkdtemp(join(tmpdir(), 'cval-compute-'));
    try {
      const listed = kinds
        ? (await Promise.all(kinds.map((kind) => lake.list(`curated/${kind}/`)))).flat()
        : await lake.list('curated/');
      const keys = listed.filter((key) => {
        const id = curatedPartExport(key);
        return id !== undefined && (!exportIds || exportIds.has(id));
      });
      for (const key of keys) {
        const path = join(folder, key);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, await lake.getBytes(key));
      }
      return await SetEngine.open(folder, { owned: true });
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Opens over a local lake folder (curated/<kind>/export_id=<id>/part-*.parquet). `withheld`:
   * curated tables whose parts were not copied to the folder (the caller gives what it
   * reads of them, see provide); reading one is an error, never an empty table.
   */
  static async open(
    folder: string,
    options: { exportIds?: ReadonlySet<string>; owned?: boolean; withheld?: readonly string[] } = {},
  ): Promise<SetEngine> {
    // Imported when used: only the compute function ships DuckDB's native binding (infra/job-function.ts).
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(Math.max(1, availableParallelism())),
      temp_directory: join(tmpdir(), 'cval-duckdb-spill'),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    const engine = new SetEngine(instance, connection, options.owned ? folder : null);
    try {
      // Trino's integer division, and Trino functions the queries use that DuckDB names otherwise.
      await connection.run('SET integer_division = true');
      for (const macro of TRINO_MACROS) await connection.run(macro);
      for (const table of CURATED_TABLES) {
        await connection.run(
          options.withheld?.includes(table.name)
            ? withheldView(table)
            : await curatedView(connection, folder, table, options.exportIds),
        );
      }
    } catch (error) {
      await engine.close();
      throw error;
    }
    return engine;
  }

  /** Runs `sql` with positional parameters and returns its rows as JSON-safe objects. */
  async rows(sql: string, values: readonly string[] = []): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql, [...values]);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /** The relations made, with the parameters (all of them) they were made with. */
  private readonly made = new Map<string, string>();

  /**
   * Creates the relation of a set query as a temporary table named as the query (the relations it
   * reads first); a relation already made with the same parameters is kept.
   */
  async relation(query: SetQuery, parameters: SetParameters): Promise<void> {
    for (const name of query.reads) await this.relation(setQueryNamed(name), parameters);
    const values = bind(query, parameters);
    const signature = signatureOf(parameters);
    if (this.made.get(query.name) === signature) return;
    await this.connection.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteName(query.name)} AS ${query.sql}`,
      values,
    );
    this.made.set(query.name, signature);
  }

  /**
   * Gives a set query's relation from columns the caller already holds instead of running it
   * (the compute function's first_orders, from the lines it loaded: DuckDB would scan the
   * transactions again for them); the relation then counts as made with these parameters, as
   * `relation` would have made it. Columns in the query's order: text, or dates as epoch days.
   */
  async provide(
    query: SetQuery,
    parameters: SetParameters,
    columns: readonly ProvidedColumn[],
  ): Promise<void> {
    const rows = columns.length === 0 ? 0 : valuesOf(columns[0] as ProvidedColumn).length;
    if (columns.some((c) => valuesOf(c).length !== rows))
      throw new Error(`the columns given for ${query.name} differ in length`);
    const { DuckDBDataChunk, INTEGER, VARCHAR } = await import('@duckdb/node-api');
    const staging = `${query.name}__provided`;
    const definitions = columns.map((c) => `${quoteName(c.name)} ${'text' in c ? 'VARCHAR' : 'INTEGER'}`);
    await this.connection.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteName(staging)} (${definitions.join(', ')})`,
    );
    const types = columns.map((c) => ('text' in c ? VARCHAR : INTEGER));
    const appender = await this.connection.createAppender(staging, 'main', 'temp');
    try {
      // A chunk at a time (DuckDB's vector size): one call per column per 2,048 rows, not per value.
      for (let at = 0; at < rows; at += APPEND_CHUNK) {
        const end = Math.min(rows, at + APPEND_CHUNK);
        const chunk = DuckDBDataChunk.create(types, end - at);
        chunk.setColumns(
          columns.map((c) =>
            'text' in c ? c.text.slice(at, end) : Array.from(c.epochDays.subarray(at, end)),
          ),
        );
        appender.appendDataChunk(chunk);
      }
    } finally {
      appender.closeSync();
    }
    const selected = columns.map((c) =>
      'text' in c
        ? quoteName(c.name)
        : `CAST(DATE '1970-01-01' + ${quoteName(c.name)} AS DATE) AS ${quoteName(c.name)}`,
    );
    await this.connection.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteName(query.name)} AS SELECT ${selected.join(', ')} FROM ${quoteName(staging)}`,
    );
    await this.connection.run(`DROP TABLE ${quoteName(staging)}`);
    this.made.set(query.name, signatureOf(parameters));
  }

  /** The rows of a set query (its relations made first). */
  async query(query: SetQuery, parameters: SetParameters): Promise<Record<string, unknown>[]> {
    return await this.rows(query.sql, await this.readsMade(query, parameters));
  }

  /**
   * The same as columns by name: half the time of rows as objects for the 865,000 customers' service
   * costs at 1M customers (measured: 0.57 against 1.16 s), on the thread that waits for them.
   */
  async queryColumns(query: SetQuery, parameters: SetParameters): Promise<Record<string, unknown[]>> {
    const reader = await this.connection.runAndReadAll(query.sql, await this.readsMade(query, parameters));
    return reader.getColumnsObjectJson() as Record<string, unknown[]>;
  }

  /** Makes the relations a query reads; returns its own parameters' values. */
  private async readsMade(query: SetQuery, parameters: SetParameters): Promise<string[]> {
    for (const name of query.reads) await this.relation(setQueryNamed(name), parameters);
    return bind(query, parameters);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.owned) await rm(this.owned, { recursive: true, force: true });
  }
}

/** A relation given by the caller (see SetEngine.provide): text, or dates as days since 1970-01-01. */
export type ProvidedColumn =
  | { name: string; text: readonly string[] }
  | { name: string; epochDays: Int32Array };

const APPEND_CHUNK = 2048;

const valuesOf = (column: ProvidedColumn): ArrayLike<unknown> =>
  'text' in column ? column.text : column.epochDays;

/** Every parameter, so a relation is made again whenever one it reads may have been. */
const signatureOf = (parameters: SetParameters): string => JSON.stringify(Object.entries(parameters).sort());

function bind(query: SetQuery, parameters: SetParameters): string[] {
  return query.parameters.map((name) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`set query ${query.name} needs the parameter ${name}`);
    return value;
  });
}

/** A view of the table's columns that fails when read: its parts were not copied (see open). */
function withheldView(table: TableDefinition): string {
  const message = quoteText(
    `${table.name} are not in this engine: their parts were not copied, only what reads them given`,
  );
  // Every column is the error as well as the row filter: the optimiser may fold a filter on a
  // column of constants away, or drop unread columns, but not both.
  const failing = (type: string) => `CAST(error(${message}) AS ${type})`;
  const columns = table.columns.map((c) => `${failing(DUCKDB_TYPE[c.type])} AS ${quoteName(c.name)}`);
  return `CREATE OR REPLACE VIEW ${quoteName(table.name)} AS SELECT ${columns.join(', ')}, ${failing('VARCHAR')} AS export_id FROM range(1) WHERE error(${message}) IS NULL`;
}

async function curatedView(
  connection: DuckDBConnection,
  folder: string,
  table: TableDefinition,
  exportIds: ReadonlySet<string> | undefined,
): Promise<string> {
  const { readdir } = await import('node:fs/promises');
  const kindFolder = join(folder, table.prefix);
  const files: string[] = [];
  try {
    for (const entry of (await readdir(kindFolder, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const id = /^export_id=(.+)$/.exec(entry.name)?.[1];
      if (!entry.isDirectory() || id === undefined || (exportIds && !exportIds.has(id))) continue;
      for (const part of (await readdir(join(kindFolder, entry.name))).sort()) {
        // Joined by '/' whatever the platform: the export id is read from `/export_id=<id>/` in
        // DuckDB's filename (exportIdFromPath), which Windows' backslashes would hide.
        if (part.endsWith('.parquet')) files.push(`${kindFolder}/${entry.name}/${part}`);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const empty = (name: string, type: string) => `CAST(NULL AS ${type}) AS ${quoteName(name)}`;
  if (files.length === 0) {
    const columns = [
      ...table.columns.map((c) => empty(c.name, DUCKDB_TYPE[c.type])),
      empty('export_id', 'VARCHAR'),
    ];
    return `CREATE OR REPLACE VIEW ${quoteName(table.name)} AS SELECT ${columns.join(', ')} WHERE false`;
  }
  const source = `read_parquet([${files.map(quoteText).join(', ')}], union_by_name = true, filename = true)`;
  // Parts written before a column was added to the kind lack it: NULL, as Athena reads them.
  const present = new Set(
    (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
      .getRowObjectsJson()
      .map((row) => String(row.column_name)),
  );
  const columns = table.columns.map((c) =>
    present.has(c.name)
      ? `CAST(${quoteName(c.name)} AS ${DUCKDB_TYPE[c.type]}) AS ${quoteName(c.name)}`
      : empty(c.name, DUCKDB_TYPE[c.type]),
  );
  // The export a row came from, as Athena's statements take it from "$path".
  columns.push(`${exportIdFromPath('filename')} AS export_id`);
  return `CREATE OR REPLACE VIEW ${quoteName(table.name)} AS SELECT ${columns.join(', ')} FROM ${source}`;
}
