/** Plain aligned text tables for the terminal; numbers right-aligned. */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => (row[c] === null || row[c] === undefined ? '' : String(row[c]))),
  );
  const numeric = columns.map(
    (_, i) =>
      cells.length > 0 &&
      cells.every((r) => r[i] === '' || /^[-+]?[^\d\s]{0,3}[\d.,]+%?$/.test(r[i] as string)),
  );
  const widths = columns.map((c, i) => Math.max(width(c), ...cells.map((r) => width(r[i] as string))));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (numeric[i] ? padStart(v, widths[i] as number) : padEnd(v, widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** CJK characters take two terminal columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}

function padEnd(text: string, size: number): string {
  return text + ' '.repeat(Math.max(0, size - width(text)));
}

function padStart(text: string, size: number): string {
  return ' '.repeat(Math.max(0, size - width(text))) + text;
}
