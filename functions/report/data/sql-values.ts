import { isIsoDate } from '../../../core/calendar.ts';

/** Small helpers shared by the report's queries: safe literals and typed reads of result rows. */

/** A date literal for SQL; only a real `YYYY-MM-DD` gets through, so nothing else reaches the query text. */
export function dateLiteral(date: string): string {
  if (!isIsoDate(date)) throw new Error(`as_of must be YYYY-MM-DD, got "${date}"`);
  return `'${date}'`;
}

export { isIsoDate };

/** An exact decimal (DuckDB writes DECIMAL as a string) or null. */
export function decimalText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

export function toNullableNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

export function toText(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}
