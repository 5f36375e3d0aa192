import type { SchemaElement } from 'hyparquet';

/**
 * The scale of a DECIMAL column, or undefined when the column is no DECIMAL. Writers may mark a
 * DECIMAL by its converted type, its logical type or both (ours and DuckDB write both; newer
 * writers may write the logical type alone), so both are read: a DECIMAL read without its scale
 * would be off by a power of ten.
 */
export function decimalScaleOf(element: SchemaElement): number | undefined {
  if (element.logical_type?.type === 'DECIMAL') return element.scale ?? element.logical_type.scale;
  if (element.converted_type === 'DECIMAL') return element.scale ?? 0;
  return undefined;
}

/** A DATE column, by its converted or its logical type. */
export function isDateElement(element: SchemaElement): boolean {
  return element.converted_type === 'DATE' || element.logical_type?.type === 'DATE';
}

/**
 * The element as hyparquet should read it to hand back the stored integers: without its
 * conversions (hyparquet turns a DECIMAL into a double, which is not exact past about 1e13, and a
 * DATE into a Date).
 */
export function storedIntegersOf(element: SchemaElement): SchemaElement {
  return { ...element, converted_type: undefined, logical_type: undefined };
}
