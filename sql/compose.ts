import { type SetQuery, type SqlParameter, setQuery } from './index.ts';

/**
 * The export id of a curated row, from the path of its part (`.../export_id=<id>/part-...`): the
 * curated tables are not partitioned (export ids cannot be projected), so each engine reads it from
 * its own path column, Athena's "$path" or DuckDB's filename.
 */
export function exportIdFromPath(pathColumn: string): string {
  return `regexp_extract(${pathColumn}, '/export_id=([^/]+)/', 1)`;
}

/** Parameters bound as numbers; every other is text (dates, grains), cast by the queries. */
const NUMERIC_PARAMETERS: ReadonlySet<SqlParameter> = new Set(['points', 'buckets']);

/**
 * One statement for a set query and every relation it reads, for an engine that runs one statement
 * at a time (Athena: no temporary tables): each relation a CTE of its own query, parameters bound
 * as literals, the query last, its `columns` as text (Athena's UNLOAD and DuckDB's COPY then write
 * the same Parquet, and exact decimals are read back as written). `tables` come first: CTEs that
 * shadow the catalog's curated tables with the run's part of them.
 */
export function composedQuery(
  name: string,
  parameters: Partial<Record<SqlParameter, string>>,
  columns: readonly string[],
  tables: readonly { name: string; sql: string }[] = [],
): string {
  const relations: SetQuery[] = [];
  const visit = (query: SetQuery) => {
    for (const read of query.reads) visit(setQuery(read));
    if (!relations.some((r) => r.name === query.name)) relations.push(query);
  };
  visit(setQuery(name));
  const ctes = [
    ...tables.map((table) => `${quoteName(table.name)} AS (${table.sql})`),
    ...relations.map((query) => `${quoteName(query.name)} AS (${bound(query, parameters)})`),
  ];
  const selected = columns.map((column) => `CAST(${quoteName(column)} AS VARCHAR) AS ${quoteName(column)}`);
  return `WITH ${ctes.join(',\n')}\nSELECT ${selected.join(', ')} FROM ${quoteName(name)}`;
}

/** The query's text with its `?` placeholders replaced by literals, in order. */
function bound(query: SetQuery, parameters: Partial<Record<SqlParameter, string>>): string {
  let index = 0;
  return query.sql.replace(/\?/g, () => {
    const name = query.parameters[index++] as SqlParameter;
    const value = parameters[name];
    if (value === undefined) throw new Error(`set query ${query.name} needs the parameter ${name}`);
    if (NUMERIC_PARAMETERS.has(name)) {
      if (!/^-?\d+$/.test(value)) throw new RangeError(`${name} must be a whole number, got ${value}`);
      return value;
    }
    return `'${value.replaceAll("'", "''")}'`;
  });
}

const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;
