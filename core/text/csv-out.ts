/**
 * CSV writing for quarantine files. Hand-written because it is a dozen lines: quoting per RFC 4180,
 * plus the spreadsheet-formula guard (OWASP "CSV injection"): a cell starting with = + - @ or a
 * tab or carriage return is prefixed with a single quote so Excel shows it instead of running it.
 *
 * A file of rejected rows writes every cell of every row here, so each cell is looked at once, a
 * character at a time, without a regular expression or an array per row (test/core/text/csv-out
 * holds these to the plain regular-expression definitions).
 */
const EQUALS = 61;
const PLUS = 43;
const MINUS = 45;
const AT = 64;
const TAB = 9;
const CR = 13;
const LF = 10;
const QUOTE = 34;
const COMMA = 44;

function formulaStart(code: number): boolean {
  return code === EQUALS || code === PLUS || code === MINUS || code === AT || code === TAB || code === CR;
}

export function neutraliseFormula(cell: string): string {
  return cell.length > 0 && formulaStart(cell.charCodeAt(0)) ? `'${cell}` : cell;
}

export function csvCell(cell: string): string {
  const length = cell.length;
  if (length === 0) return cell;
  // The guard's quote is none of the characters that call for quoting, so the cell itself tells.
  const safe = formulaStart(cell.charCodeAt(0)) ? `'${cell}` : cell;
  for (let i = 0; i < length; i++) {
    const code = cell.charCodeAt(i);
    if (code === QUOTE || code === COMMA || code === CR || code === LF)
      return `"${safe.replaceAll('"', '""')}"`;
  }
  return safe;
}

export function csvLine(cells: readonly string[]): string {
  let line = cells.length > 0 ? csvCell(cells[0] as string) : '';
  for (let i = 1; i < cells.length; i++) line += `,${csvCell(cells[i] as string)}`;
  return `${line}\r\n`;
}

/**
 * `csvLine([String(line), column, reason, ...fields])` without building that array: a quarantined
 * row. `fields` may be given already written as cells, joined by commas (`plainRowCsv`).
 */
export function csvQuarantineLine(
  line: number,
  column: string,
  reason: string,
  fields: readonly string[] | string,
): string {
  let text = `${csvCell(String(line))},${csvCell(column)},${csvCell(reason)}`;
  if (typeof fields === 'string') return `${text},${fields}\r\n`;
  for (let i = 0; i < fields.length; i++) text += `,${csvCell(fields[i] as string)}`;
  return `${text}\r\n`;
}

/**
 * A row's text whose fields are plain (no quote anywhere, no line break) as quarantine CSV cells:
 * `text.split(delimiter)` each through `csvCell`, joined by commas. Null when a cell would be
 * quoted or guarded, so the caller writes the cells one by one. For a file of rejected rows this
 * is nearly every row, whose own text then needs no more than a look at each character.
 */
export function plainRowCsv(text: string, delimiter: string): string | null {
  const separator = delimiter.charCodeAt(0);
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === separator) {
      fieldStart = true;
      continue;
    }
    if (fieldStart && formulaStart(code)) return null;
    fieldStart = false;
    if (code === QUOTE || code === COMMA || code === CR || code === LF) return null;
  }
  return separator === COMMA ? text : text.replaceAll(delimiter, ',');
}
