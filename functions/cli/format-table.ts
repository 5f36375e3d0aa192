import stringWidth from 'string-width';

/**
 * Plain aligned text tables for the terminal; numbers right-aligned. Columns are aligned by display
 * width (CJK characters and most emoji take two terminal columns, combining marks none), and a cell
 * stays on its line: a line break shows as ⏎, a tab as a space, other control characters (an
 * escape sequence that would recolour or clear the terminal, say) as \xNN.
 */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => (row[c] === null || row[c] === undefined ? '' : cellText(String(row[c])))),
  );
  const headers = columns.map(cellText);
  const numeric = columns.map(
    (_, i) =>
      cells.length > 0 &&
      cells.every((r) => r[i] === '' || /^[-+]?[^\d\s]{0,3}[\d.,]+%?$/.test(r[i] as string)),
  );
  const widths = headers.map((c, i) =>
    Math.max(stringWidth(c), ...cells.map((r) => stringWidth(r[i] as string))),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (numeric[i] ? padStart(v, widths[i] as number) : padEnd(v, widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** One line of printable text: line breaks as ⏎, tabs as spaces, other control characters escaped. */
export function cellText(value: string): string {
  return (
    value
      .replace(/\r\n|\r|\n|\u2028|\u2029/g, '⏎')
      .replace(/\t/g, ' ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
}

function padEnd(text: string, size: number): string {
  return text + ' '.repeat(Math.max(0, size - stringWidth(text)));
}

function padStart(text: string, size: number): string {
  return ' '.repeat(Math.max(0, size - stringWidth(text))) + text;
}
