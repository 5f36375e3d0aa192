/** A position in a Parquet page, as hyparquet's readers take it. */
export interface PageReader {
  view: DataView;
  offset: number;
}

/** Up to this width a value and the bits left of the byte before fit a 32-bit window. */
const MAX_WINDOW_WIDTH = 24;

/**
 * Parquet's RLE/bit-packed hybrid (definition levels and dictionary indexes), read as the format
 * defines it (test/functions/rle-hybrid.test.ts holds it to a bit-by-bit reading of the spec for
 * every width 0-32, and to hyparquet's public reader on real files). Hand-written because
 * hyparquet does not export its hybrid reader, and it unpacks bit-packed runs a bit at a time through a DataView, which was a tenth
 * of decoding the compute job's transactions (three dictionary columns of twenty million rows);
 * here values are cut from a window of bits filled a byte at a time (hyparquet's also misreads widths
 * of 25 bits and more).
 */
export function readHybrid(reader: PageReader, width: number, output: Int32Array, length?: number): void {
  if (width > 32) throw new Error(`parquet RLE/bit-packed width ${width} is over 32 bits`);
  const wide = width > MAX_WINDOW_WIDTH;
  const { view } = reader;
  let size = length;
  if (size === undefined) {
    size = view.getUint32(reader.offset, true);
    reader.offset += 4;
  }
  const start = reader.offset;
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const mask = width === 0 ? 0 : 0xffffffff >>> (32 - width);
  const valueBytes = (width + 7) >> 3;
  let at = start;
  let seen = 0;
  const wanted = output.length;
  while (seen < wanted) {
    // The run header: a ULEB128 varint.
    let header = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[at++] as number;
      header |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    if ((header & 1) === 0) {
      const count = header >>> 1;
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value |= (bytes[at++] as number) << (i << 3);
      const end = Math.min(seen + count, wanted);
      output.fill(value, seen, end);
      seen += count;
      continue;
    }
    // Bit-packed: (header >> 1) groups of eight values, `width` bytes each, least significant bit first.
    const groups = header >>> 1;
    const values = Math.min(groups * 8, wanted - seen);
    if (wide) readWide(bytes, at, width, values, output, seen);
    else {
      // Each value from the 32-bit little-endian word at its first byte; the last few values,
      // whose word would reach past the page, one byte at a time.
      const safe = Math.min(values, Math.floor(((bytes.length - 4 - at) * 8) / width) + 1);
      let k = 0;
      for (let bit = 0; k < safe; k++, bit += width)
        output[seen + k] = (view.getUint32(at + (bit >>> 3), true) >>> (bit & 7)) & mask;
      for (let bit = k * width; k < values; k++, bit += width) {
        const b = at + (bit >>> 3);
        let word = 0;
        for (let i = 0; i < 4 && b + i < bytes.length; i++) word |= (bytes[b + i] as number) << (8 * i);
        output[seen + k] = (word >>> (bit & 7)) & mask;
      }
    }
    seen += values;
    at += groups * width;
  }
  // Like hyparquet: the declared length wins (DuckDB writes an empty block at the end).
  reader.offset = start + size;
}

/** Bit-packed values wider than a window holds (never seen in practice): each from its own five bytes. */
function readWide(
  bytes: Uint8Array,
  at: number,
  width: number,
  values: number,
  output: Int32Array,
  seen: number,
): void {
  for (let k = 0; k < values; k++) {
    const bit = k * width;
    const b = at + Math.floor(bit / 8);
    let five = 0;
    for (let i = 4; i >= 0; i--) five = five * 256 + ((bytes[b + i] as number | undefined) ?? 0);
    output[seen + k] = Math.floor(five / 2 ** (bit % 8)) % 2 ** width;
  }
}

/**
 * Whether the length-prefixed definition levels at the reader (a v1 data page's, maximum level 1)
 * are one run of 1s over all `count` values (no null); if so the reader moves past them. Spares a
 * levels array per page for the columns that are optional but full, most of them.
 */
export function skipAllDefined(reader: PageReader, count: number): boolean {
  const { view } = reader;
  if (reader.offset + 4 > view.byteLength) return false;
  const size = view.getUint32(reader.offset, true);
  const end = reader.offset + 4 + size;
  if (end > view.byteLength) return false;
  let at = reader.offset + 4;
  let header = 0;
  let shift = 0;
  let byte = 0x80;
  while (byte & 0x80) {
    if (at >= end || shift > 28) return false;
    byte = view.getUint8(at++);
    header += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  if (header % 2 === 1 || Math.floor(header / 2) < count || at >= end || view.getUint8(at) !== 1)
    return false;
  reader.offset = end;
  return true;
}
