/**
 * What a touchpoint is matched on, between its cost pools and its interactions: the text as
 * curated (ingest trims every text), with the Latin capitals A-Z made small, and nothing else.
 * The SQL spells it `translate(touchpoint, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`
 * (sql/service-cost-pools.ts). Wider rules do not give one answer on both engines: JavaScript's
 * toLowerCase makes a word-final Σ ς and İ i + U+0307 where SQL's lower() makes σ and i, DuckDB's
 * and Trino's Unicode tables are of different versions, and Trino's trim strips U+001C-U+001F,
 * which JavaScript's does not. Other letters therefore match as written; a pool left unmatched
 * is reported as unallocated, never lost.
 */
export function touchpointKey(touchpoint: string): string {
  return touchpoint.replace(/[A-Z]+/g, (capitals) => capitals.toLowerCase());
}
