/**
 * What the report needs from a SQL engine: DuckDB over the local lake (LakeSql) or Athena over the
 * deployed one (AthenaSql). Rows come back JSON-safe: exact decimals as strings, counts as numbers.
 */
export interface QueryResult {
  columns: string[];
  types: string[];
  rows: Record<string, unknown>[];
}

export interface SqlRunner {
  query(sql: string): Promise<QueryResult>;
}
