import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { Money, roundMoney } from '../../core/money.ts';
import type { TableDefinition } from '../../core/tables.ts';
import type { Item } from '../adapters/item-store.ts';
import { type RawStrings, readRawColumns } from '../adapters/parquet-columns.ts';

/**
 * A result row as a DynamoDB item: money and rates stay exact, as DynamoDB numbers built from their
 * decimal text (a JS number would round them), rounded like the Parquet column; nulls are left out.
 */
export function resultItem(
  pk: string,
  sk: string,
  row: Record<string, unknown>,
  table: TableDefinition,
): Item {
  const item: Item = { PK: pk, SK: sk };
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === null || value === undefined) continue;
    if (value instanceof Money) {
      item[column.name] = NumberValue.from(roundMoney(value, column.type === 'rate' ? 6 : 2).toFixed());
    } else if (typeof value === 'number') {
      const number = dynamoNumber(value);
      if (number !== null) item[column.name] = number;
    } else {
      item[column.name] = value;
    }
  }
  return item;
}

/**
 * A double as DynamoDB can hold it (magnitudes 1e-130 to 1e126): below, 0 (a P(alive) of a buyer
 * gone for years reaches 1e-133, and DynamoDB refused the whole batch, every night); past 2^53, its
 * shortest digits (the document client refuses such a JS number); past 1e126 or not finite, left
 * out, as a null is. The Parquet column keeps the double as computed.
 */
function dynamoNumber(value: number): number | NumberValue | null {
  const magnitude = Math.abs(value);
  if (!Number.isFinite(value) || magnitude >= 1e126) return null;
  if (magnitude < 1e-130) return 0;
  return magnitude > Number.MAX_SAFE_INTEGER ? NumberValue.from(String(value)) : value;
}

/**
 * The lookup keys a result file's rows name: the values of `columns` joined by '#' (a customer's
 * id; a cohort's dimension and label: the item's key after `CUSTOMER#` / `COHORT#`, nulls written
 * as a template string writes them); null when the file does not hold them as string columns.
 */
export async function itemKeysOf(bytes: Uint8Array, columns: readonly string[]): Promise<string[] | null> {
  const read = await readRawColumns(bytes, [...columns]);
  const found = columns.map((name) => read.columns.get(name));
  if (!found.every((column): column is RawStrings => column?.kind === 'strings')) return null;
  return Array.from({ length: read.rows }, (_, row) =>
    found.map((column) => `${column.values[row]}`).join('#'),
  );
}
