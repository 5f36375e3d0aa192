import type { ColumnDefinition, ColumnType, TableDefinition } from '../tables.ts';
import { EXPORT_KINDS, type ExportKind, KIND_COLUMNS, type ValueType } from './kinds.ts';

const STORED_AS: Record<ValueType, ColumnType> = {
  string: 'string',
  amount: 'money',
  date: 'date',
  month: 'string',
  period: 'string',
  integer: 'bigint',
  score: 'rate',
  fiscal_year: 'bigint',
  share: 'rate',
  metric: 'string',
  scope: 'string',
};

/** Curated Parquet columns of a kind: the design's columns, plus the source line for tracing. */
export function curatedColumns(kind: ExportKind): ColumnDefinition[] {
  return [
    ...KIND_COLUMNS[kind].map((spec) => ({
      name: spec.name,
      type: STORED_AS[spec.type],
      description: `${spec.name}${spec.required ? ' (required)' : ''}`,
    })),
    { name: 'source_line', type: 'bigint', description: '1-based line of the export file the row came from' },
  ];
}

/**
 * Curated exports are tables named after their kind (the curated `targets` export is
 * `target_exports`, because `targets` is the broken-down result table). Each export is a folder
 * `export_id=<id>/`; the tables are not partitioned, since export ids cannot be projected, and
 * Athena reads the folders under the table location recursively.
 */
export const CURATED_TABLES: TableDefinition[] = EXPORT_KINDS.map((kind) => ({
  name: kind === 'targets' ? 'target_exports' : kind,
  description: `Curated ${kind} exports`,
  prefix: `curated/${kind}`,
  partitionKey: null,
  columns: curatedColumns(kind),
}));
