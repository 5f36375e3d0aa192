/**
 * CSV writing for quarantine files. Hand-written because it is a dozen lines: quoting per RFC 4180,
 * plus the spreadsheet-formula guard (OWASP "CSV injection"): a cell starting with = + - @ or a
 * tab or carriage return is prefixed with a single quote so Excel shows it instead of running it.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function csvCell(cell: string): string {
  const safe = neutraliseFormula(cell);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
