/**
 * Distinct values of a column and, per row, the index of its value. Likelihood terms that
 * depend on one column only (log(alpha + T), ...) are then computed once per distinct value
 * instead of once per row.
 */
export interface IndexedValues {
  values: Float64Array;
  indexOfRow: Uint32Array;
}

export function indexValues(column: Float64Array): IndexedValues {
  const positions = new Map<number, number>();
  const values: number[] = [];
  const indexOfRow = new Uint32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const value = column[i]!;
    let position = positions.get(value);
    if (position === undefined) {
      position = values.length;
      positions.set(value, position);
      values.push(value);
    }
    indexOfRow[i] = position;
  }
  return { values: Float64Array.from(values), indexOfRow };
}
