import type { ColumnType, TableDefinition } from '../core/tables.ts';

/** Glue (Hive DDL) type of each column type: the Parquet annotations the writer uses, exactly. */
export const GLUE_TYPE: Record<ColumnType, string> = {
  string: 'string',
  money: 'decimal(18,2)',
  rate: 'decimal(18,6)',
  double: 'double',
  bigint: 'bigint',
  date: 'date',
  timestamp: 'timestamp',
  boolean: 'boolean',
};

export interface GlueColumn {
  name: string;
  type: string;
  comment: string;
}

/** Glue allows 255 characters of comment per column. */
export function glueColumns(table: TableDefinition): GlueColumn[] {
  return table.columns.map((column) => ({
    name: column.name,
    type: GLUE_TYPE[column.type],
    comment: column.description.slice(0, 255),
  }));
}
