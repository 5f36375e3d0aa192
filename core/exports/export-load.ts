import { ControlTotals } from './control-totals.ts';
import { DuplicateKeys } from './duplicate-keys.ts';
import { type HeaderAliasOverrides, type HeaderMapping, mapHeaders } from './headers.ts';
import { amountColumns, type ExportKind } from './kinds.ts';
import { type CuratedRow, type RowProblem, validateRow } from './validate-row.ts';

export interface QuarantinedRow {
  line: number;
  column: string;
  reason: string;
  fields: readonly string[];
}

export type RowOutcome = { curated: CuratedRow } | { quarantined: QuarantinedRow };

export type HeaderOutcome = { ok: true; load: ExportLoad } | { ok: false; reason: string };

/**
 * The row-by-row state of loading one export: header mapping, validation, duplicate detection and
 * control totals. Pure: the caller streams rows in and writes the outcomes wherever it likes.
 */
export class ExportLoad {
  readonly totals: ControlTotals;
  private readonly seenOrders = new DuplicateKeys();

  private constructor(
    readonly kind: ExportKind,
    readonly header: readonly string[],
    readonly mapping: HeaderMapping,
  ) {
    const amountPositions = new Map<string, number>();
    for (const name of amountColumns(kind)) {
      const position = mapping.positions.get(name);
      if (position !== undefined) amountPositions.set(name, position);
    }
    this.totals = new ControlTotals(amountPositions);
  }

  static start(
    kind: ExportKind,
    header: readonly string[],
    overrides: HeaderAliasOverrides = {},
  ): HeaderOutcome {
    if (header.every((h) => h.trim() === '')) return { ok: false, reason: 'the file has no header row' };
    const mapping = mapHeaders(kind, [...header], overrides);
    if (mapping.missingRequired.length > 0) {
      const found = header.filter((h) => h.trim() !== '').join(', ');
      return {
        ok: false,
        reason: `missing required column${mapping.missingRequired.length > 1 ? 's' : ''} ${mapping.missingRequired.join(', ')} (header has: ${found.slice(0, 300)})`,
      };
    }
    return { ok: true, load: new ExportLoad(kind, header, mapping) };
  }

  /** `line` is the 1-based line of the file on which the row starts. */
  accept(fields: readonly string[], line: number): RowOutcome {
    const problem = this.shapeProblem(fields) ?? this.valueProblem(fields, line);
    if ('reason' in problem) {
      this.totals.addQuarantined(fields);
      return { quarantined: { line, column: problem.column, reason: problem.reason, fields } };
    }
    this.totals.addCurated(problem.row);
    return { curated: problem.row };
  }

  private shapeProblem(fields: readonly string[]): RowProblem | null {
    if (fields.length > this.header.length && fields.slice(this.header.length).some((f) => f.trim() !== '')) {
      return {
        column: '*',
        reason: `has ${fields.length} fields but the header has ${this.header.length} (a delimiter inside an unquoted value?)`,
      };
    }
    return null;
  }

  private valueProblem(fields: readonly string[], line: number): RowProblem | { row: CuratedRow } {
    const result = validateRow(this.kind, this.mapping, fields);
    if (!result.ok) return result.problem;
    if (this.kind === 'transactions') {
      // An order may have several lines (one per product); the same order and product twice is a duplicate.
      const key = `${result.row.order_id}\u0000${result.row.product_id ?? ''}`;
      const first = this.seenOrders.firstLine(key, line);
      if (first !== undefined) {
        return {
          column: 'order_id',
          reason: `duplicate order_id "${result.row.order_id}"${result.row.product_id ? ` for product ${result.row.product_id}` : ''} (first on line ${first})`,
        };
      }
    }
    return { row: result.row };
  }
}
