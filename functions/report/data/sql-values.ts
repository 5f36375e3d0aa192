/** Small helpers shared by the report's queries: safe literals and typed reads of result rows. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A date literal for SQL; only `YYYY-MM-DD` gets through, so nothing else reaches the query text. */
export function dateLiteral(date: string): string {
  if (!ISO_DATE.test(date)) throw new Error(`as_of must be YYYY-MM-DD, got "${date}"`);
  return `'${date}'`;
}

export function isIsoDate(date: string): boolean {
  return ISO_DATE.test(date);
}

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
