/**
 * Orders strings by Unicode code point, as SQL engines order text (UTF-8 byte order in DuckDB and
 * Trino). JavaScript's `<` compares UTF-16 code units, which differs once a string holds a
 * character past U+FFFF: its surrogates (U+D800-U+DFFF) sort below U+E000-U+FFFF there, above them
 * by code point. Where a rule must break ties as the set queries do, it compares with this.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates moved above U+E000-U+FFFF; every other unit keeps its place.
    return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
