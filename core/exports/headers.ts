import { type ColumnSpec, type ExportKind, KIND_COLUMNS } from './kinds.ts';

/** Extra header names per kind and column, from the deployment's configuration. */
export type HeaderAliasOverrides = Partial<Record<ExportKind, Record<string, string[]>>>;

export interface HeaderMapping {
  /** For each column of the kind present in the file, its 0-based position. */
  positions: Map<string, number>;
  missingRequired: string[];
  /** Header cells that matched no column: kept out of curated data, listed in the report. */
  ignored: string[];
}

/** Case, surrounding space, BOM and the space/underscore/hyphen difference do not matter. */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
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

export function columnNames(spec: ColumnSpec, overrides: string[] = []): string[] {
  return [spec.name, ...spec.aliases, ...overrides].map(normaliseHeader);
}

export function mapHeaders(
  kind: ExportKind,
  header: string[],
  overrides: HeaderAliasOverrides = {},
): HeaderMapping {
  const positions = new Map<string, number>();
  const claimed = new Set<number>();
  const normalised = header.map(normaliseHeader);
  // Exact column names win over aliases so that `date` in a file with both `order_date` and `date`
  // cannot steal the column.
  for (const pass of ['name', 'alias'] as const) {
    for (const spec of KIND_COLUMNS[kind]) {
      if (positions.has(spec.name)) continue;
      const names =
        pass === 'name'
          ? [normaliseHeader(spec.name)]
          : columnNames(spec, overrides[kind]?.[spec.name] ?? []);
      const index = normalised.findIndex((h, i) => !claimed.has(i) && names.includes(h));
      if (index >= 0) {
        positions.set(spec.name, index);
        claimed.add(index);
      }
    }
  }
  const missingRequired = KIND_COLUMNS[kind]
    .filter((s) => s.required && !positions.has(s.name))
    .map((s) => s.name);
  const ignored = header.filter((h, i) => !claimed.has(i) && h.trim() !== '');
  return { positions, missingRequired, ignored };
}
