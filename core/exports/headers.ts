import { foldFullWidth } from '../values.ts';
import { type ColumnSpec, type ExportKind, KIND_COLUMNS } from './kinds.ts';

/** Extra header names per kind and column, from the deployment's configuration. */
export type HeaderAliasOverrides = Partial<Record<ExportKind, Record<string, string[]>>>;

/** A column that more than one header cell matches equally well: which one to load is not guessed. */
export interface AmbiguousColumn {
  column: string;
  /** The matching header cells as the file has them (each name once), in file order. */
  headers: string[];
  /** Matched through the configured header_aliases, not the built-in names. */
  configured: boolean;
}

export interface HeaderMapping {
  /** For each column of the kind present in the file, its 0-based position. */
  positions: Map<string, number>;
  /** Required columns not mapped (an ambiguous one included: it is not mapped). */
  missingRequired: string[];
  /** Header cells that matched no column: kept out of curated data, listed in the report. */
  ignored: string[];
  /**
   * Columns left unmapped because several header cells match them at the same level: an export
   * with any is rejected (ambiguousHeaderReason), whether the column is required or not.
   */
  ambiguous: AmbiguousColumn[];
}

/**
 * Case, surrounding space, BOM, full-width forms (`（`, `ＩＤ`, `＿`, the ideographic space, folded
 * as cell values are) and the space/underscore/hyphen difference do not matter.
 */
export function normaliseHeader(header: string): string {
  return foldFullWidth(header.replace(/^\uFEFF/, ''))
    .trim()
    .toLowerCase()
    .replace(/[\s\-_]+/g, '_');
}

/**
 * A kind's header aliases in one canonical form (columns and names sorted): recorded with an
 * export rejected for its header, so that a later change of them is seen and the file read again.
 */
export function headerAliasesOf(kind: ExportKind, overrides: HeaderAliasOverrides): string {
  const columns = Object.entries(overrides[kind] ?? {})
    .filter(([, names]) => names.length > 0)
    .map(([column, names]) => [column, [...names].sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(columns);
}

/**
 * Which header cell holds each column of the kind, decided in three levels: the column's exact name,
 * then the names the deployment configured for it (header_aliases), then its built-in aliases. A
 * column matched at one level is not looked for at the next (so `revenue` beside `Sales`, or a
 * configured `Net Revenue` beside `Sales`, is no question). Two different header cells matching one
 * column at the same level (`Sales` and `Net Revenue`, gross and net) make it ambiguous: the mapping
 * does not pick the first, it reports them. The same header twice (after normalising) is one
 * candidate: its first cell is taken and the others ignored.
 */
export function mapHeaders(
  kind: ExportKind,
  header: string[],
  overrides: HeaderAliasOverrides = {},
): HeaderMapping {
  const positions = new Map<string, number>();
  const ambiguous: AmbiguousColumn[] = [];
  const unresolved = new Set<string>();
  const normalised = header.map(normaliseHeader);
  /** Normalised names already given to a column, or in doubt: no other column takes them. */
  const taken = new Set<string>();
  const levels = [
    { configured: false, names: (spec: ColumnSpec) => [spec.name] },
    { configured: true, names: (spec: ColumnSpec) => overrides[kind]?.[spec.name] ?? [] },
    { configured: false, names: (spec: ColumnSpec) => spec.aliases },
  ];
  for (const level of levels) {
    const found: [ColumnSpec, Map<string, number>][] = [];
    for (const spec of KIND_COLUMNS[kind]) {
      if (positions.has(spec.name) || unresolved.has(spec.name)) continue;
      const names = new Set(level.names(spec).map(normaliseHeader));
      names.delete('');
      // The first cell of each distinct matching name, in file order.
      const cells = new Map<string, number>();
      normalised.forEach((name, i) => {
        if (names.has(name) && !taken.has(name) && !cells.has(name)) cells.set(name, i);
      });
      if (cells.size === 0) continue;
      found.push([spec, cells]);
      // Taken at once: a later column of the same level (only configured names can clash so)
      // does not take the same cell.
      for (const name of cells.keys()) taken.add(name);
    }
    for (const [spec, cells] of found) {
      if (cells.size === 1) {
        positions.set(spec.name, cells.values().next().value as number);
        continue;
      }
      unresolved.add(spec.name);
      ambiguous.push({
        column: spec.name,
        headers: [...cells.values()].map((i) => (header[i] as string).trim()),
        configured: level.configured,
      });
    }
  }
  const mapped = new Set(positions.values());
  const missingRequired = KIND_COLUMNS[kind]
    .filter((s) => s.required && !positions.has(s.name))
    .map((s) => s.name);
  const ignored = header.filter((h, i) => !mapped.has(i) && h.trim() !== '');
  return { positions, missingRequired, ignored, ambiguous };
}

/**
 * Whether a column matched twice rejects the file: a required one (the rows cannot load without
 * it) or an amount (gross beside net revenue, where the first would be money in error). Another
 * optional column is left empty, with a note (ambiguousHeaderNotes): an export whose customers
 * carry both 省份 and 地区 loaded before, and its acquisition dates must not drop out over a region.
 */
function rejects(kind: ExportKind, column: string): boolean {
  const spec = KIND_COLUMNS[kind].find((s) => s.name === column);
  return spec !== undefined && (spec.required || spec.type === 'amount');
}

/**
 * The optional columns left empty because several header cells match them (see `rejects`), one
 * note each for the ingest report, naming the candidates and how to choose.
 */
export function ambiguousHeaderNotes(kind: ExportKind, mapping: Pick<HeaderMapping, 'ambiguous'>): string[] {
  return mapping.ambiguous
    .filter(({ column }) => !rejects(kind, column))
    .map(({ column, headers }) => {
      const list = headers.map((h) => JSON.stringify(h)).join(' and ');
      return `columns ${list} both match ${column}: it is left empty; to load one, add its header to header_aliases for ${kind}.${column}`;
    });
}

/**
 * Why a header row cannot be mapped without guessing (mapHeaders' `ambiguous` of a required or
 * amount column), naming each column, its candidate headers and how to choose; null when there is
 * none.
 */
export function ambiguousHeaderReason(
  kind: ExportKind,
  mapping: Pick<HeaderMapping, 'ambiguous'>,
): string | null {
  const ambiguous = mapping.ambiguous.filter(({ column }) => rejects(kind, column));
  if (ambiguous.length === 0) return null;
  const shown = (h: string) => JSON.stringify(h.length > 80 ? `${h.slice(0, 80)}…` : h);
  const clauses = ambiguous.map(({ column, headers, configured }) => {
    const list = `${headers.slice(0, -1).map(shown).join(', ')} and ${shown(headers.at(-1) as string)}`;
    const through = configured ? ` through header_aliases (${kind}.${column})` : '';
    return `columns ${list} ${headers.length > 2 ? 'all' : 'both'} match ${column}${through}`;
  });
  const fixes: string[] = [];
  const builtIn = ambiguous.find((a) => !a.configured);
  if (builtIn) {
    const q = JSON.stringify;
    const example = `{${q(kind)}: {${q(builtIn.column)}: [${q(builtIn.headers.at(-1))}]}}`;
    fixes.push(
      `Say which column to load: add its header to header_aliases for that field, e.g. ${example}, and it wins over the others`,
    );
  }
  if (ambiguous.some((a) => a.configured))
    fixes.push(
      `${builtIn ? 'Where they match through header_aliases, keep' : 'Keep'} only the header of the column to load there`,
    );
  return `ambiguous header: ${clauses.join('; ')}. ${fixes.join('. ')}`;
}
