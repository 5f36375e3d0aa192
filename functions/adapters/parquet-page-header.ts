import type { PageReader } from './rle-hybrid.ts';

/**
 * One Parquet page header (the format's `PageHeader` struct, Thrift compact protocol), read from
 * a DataView at the reader's offset, which it moves past the header. Hand-written because the
 * hand-built transaction reader (parquet-columns.ts) walks a column chunk's pages itself and
 * hyparquet does not export its page-header reader (only its modules do, which are its internals,
 * issue #20); the struct is small and fixed by the Parquet format (parquet.thrift), and the
 * compact protocol by Thrift's spec (thrift/doc/specs/thrift-compact-protocol.md).
 *
 * Only the fields the reader uses are kept; every other field, whatever its type, is skipped
 * (statistics, CRC, index page headers, fields of later format versions), as is a known field
 * id written with an unexpected type, as Thrift's own readers do. Bytes that end before the
 * header does, or that cannot be a header (a bad type, a varint too long, a required field
 * missing, a negative size), throw an Error saying so; nothing is read past the view.
 */
export interface PageHeader {
  type: PageType;
  /** The page's size uncompressed, levels included (v2), header not. */
  uncompressed_page_size: number;
  /** The page's size as stored, after the header. */
  compressed_page_size: number;
  data_page_header?: DataPageHeader;
  dictionary_page_header?: DictionaryPageHeader;
  data_page_header_v2?: DataPageHeaderV2;
}

/** Parquet's PageType by its value; a value the format does not (yet) define by its number. */
export type PageType =
  | 'DATA_PAGE'
  | 'INDEX_PAGE'
  | 'DICTIONARY_PAGE'
  | 'DATA_PAGE_V2'
  | `PAGE_TYPE_${number}`;

/** Parquet's Encoding by its name (as hyparquet's metadata names it); one not defined by its number. */
export type Encoding = (typeof ENCODINGS)[number] | `ENCODING_${number}`;

export interface DataPageHeader {
  /** Values in the page, nulls included. */
  num_values: number;
  encoding: Encoding;
  definition_level_encoding: Encoding;
  repetition_level_encoding: Encoding;
}

export interface DictionaryPageHeader {
  num_values: number;
  encoding: Encoding;
}

export interface DataPageHeaderV2 {
  /** Values in the page, nulls included. */
  num_values: number;
  num_nulls: number;
  num_rows: number;
  encoding: Encoding;
  /** The levels' bytes, at the start of the page and never compressed. */
  definition_levels_byte_length: number;
  repetition_levels_byte_length: number;
  /** Whether the values (after the levels) are compressed; the format's default is true. */
  is_compressed: boolean;
}

/** The format's page types and encodings by number (parquet.thrift's enums). */
export const PAGE_TYPES = ['DATA_PAGE', 'INDEX_PAGE', 'DICTIONARY_PAGE', 'DATA_PAGE_V2'] as const;

export const ENCODINGS = [
  'PLAIN',
  'GROUP_VAR_INT',
  'PLAIN_DICTIONARY',
  'RLE',
  'BIT_PACKED',
  'DELTA_BINARY_PACKED',
  'DELTA_LENGTH_BYTE_ARRAY',
  'DELTA_BYTE_ARRAY',
  'RLE_DICTIONARY',
  'BYTE_STREAM_SPLIT',
] as const;

// The compact protocol's types, as the low nibble of a field header or a list's element type.
const STOP = 0;
/** A boolean field's value is its type: TRUE or FALSE, no byte follows. */
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;
const UUID = 13;

/** Structs and containers nested deeper than this are refused (a header nests two deep). */
const MAX_DEPTH = 64;

export function readPageHeader(reader: PageReader): PageHeader {
  const start = reader.offset;
  let type: number | undefined;
  let uncompressed: number | undefined;
  let compressed: number | undefined;
  let data: DataPageHeader | undefined;
  let dictionary: DictionaryPageHeader | undefined;
  let v2: DataPageHeaderV2 | undefined;
  readStruct(reader, 0, (id, kind) => {
    if (id === 1 && kind === I32) type = readI32(reader);
    else if (id === 2 && kind === I32) uncompressed = readI32(reader);
    else if (id === 3 && kind === I32) compressed = readI32(reader);
    else if (id === 5 && kind === STRUCT) data = readDataPageHeader(reader);
    else if (id === 7 && kind === STRUCT) dictionary = readDictionaryPageHeader(reader);
    else if (id === 8 && kind === STRUCT) v2 = readDataPageHeaderV2(reader);
    else return false;
    return true;
  });
  const header: PageHeader = {
    type: pageType(required(type, 'type', start)),
    uncompressed_page_size: size(uncompressed, 'uncompressed_page_size', start),
    compressed_page_size: size(compressed, 'compressed_page_size', start),
  };
  if (data) header.data_page_header = data;
  if (dictionary) header.dictionary_page_header = dictionary;
  if (v2) header.data_page_header_v2 = v2;
  return header;
}

function readDataPageHeader(reader: PageReader): DataPageHeader {
  const start = reader.offset;
  let values: number | undefined;
  let encoding: number | undefined;
  let definitions: number | undefined;
  let repetitions: number | undefined;
  readStruct(reader, 1, (id, kind) => {
    if (kind !== I32) return false;
    if (id === 1) values = readI32(reader);
    else if (id === 2) encoding = readI32(reader);
    else if (id === 3) definitions = readI32(reader);
    else if (id === 4) repetitions = readI32(reader);
    else return false;
    return true;
  });
  return {
    num_values: size(values, 'data_page_header.num_values', start),
    encoding: encodingName(required(encoding, 'data_page_header.encoding', start)),
    definition_level_encoding: encodingName(
      required(definitions, 'data_page_header.definition_level_encoding', start),
    ),
    repetition_level_encoding: encodingName(
      required(repetitions, 'data_page_header.repetition_level_encoding', start),
    ),
  };
}

function readDictionaryPageHeader(reader: PageReader): DictionaryPageHeader {
  const start = reader.offset;
  let values: number | undefined;
  let encoding: number | undefined;
  readStruct(reader, 1, (id, kind) => {
    if (kind !== I32) return false;
    if (id === 1) values = readI32(reader);
    else if (id === 2) encoding = readI32(reader);
    else return false;
    return true;
  });
  return {
    num_values: size(values, 'dictionary_page_header.num_values', start),
    encoding: encodingName(required(encoding, 'dictionary_page_header.encoding', start)),
  };
}

function readDataPageHeaderV2(reader: PageReader): DataPageHeaderV2 {
  const start = reader.offset;
  const fields: (number | undefined)[] = [];
  let compressed = true;
  readStruct(reader, 1, (id, kind) => {
    if (id >= 1 && id <= 6 && kind === I32) fields[id] = readI32(reader);
    else if (id === 7 && (kind === TRUE || kind === FALSE)) compressed = kind === TRUE;
    else return false;
    return true;
  });
  const name = 'data_page_header_v2.';
  return {
    num_values: size(fields[1], `${name}num_values`, start),
    num_nulls: size(fields[2], `${name}num_nulls`, start),
    num_rows: size(fields[3], `${name}num_rows`, start),
    encoding: encodingName(required(fields[4], `${name}encoding`, start)),
    definition_levels_byte_length: size(fields[5], `${name}definition_levels_byte_length`, start),
    repetition_levels_byte_length: size(fields[6], `${name}repetition_levels_byte_length`, start),
    is_compressed: compressed,
  };
}

function pageType(value: number): PageType {
  return PAGE_TYPES[value] ?? `PAGE_TYPE_${value}`;
}

function encodingName(value: number): Encoding {
  return ENCODINGS[value] ?? `ENCODING_${value}`;
}

function required(value: number | undefined, field: string, at: number): number {
  if (value === undefined) throw new Error(`parquet page header at byte ${at}: no ${field}`);
  return value;
}

function size(value: number | undefined, field: string, at: number): number {
  const n = required(value, field, at);
  if (n < 0) throw new Error(`parquet page header at byte ${at}: ${field} is negative (${n})`);
  return n;
}

/**
 * Reads a struct's fields up to its STOP: `field` is given each field's id and type, reads the
 * value and returns true if it wants it, or returns false (reading nothing) and it is skipped.
 */
function readStruct(reader: PageReader, depth: number, field: (id: number, type: number) => boolean): void {
  let id = 0;
  for (;;) {
    const head = readByte(reader);
    const type = head & 0x0f;
    if (type === STOP) return;
    // The id as a delta from the previous field's (1 to 15), or 0 and the id as a zigzag i16.
    const delta = head >> 4;
    id = delta === 0 ? readI16(reader) : id + delta;
    if (!field(id, type)) skip(reader, type, depth + 1);
  }
}

/** Moves the reader past a value of compact type `type`. */
function skip(reader: PageReader, type: number, depth: number): void {
  if (depth > MAX_DEPTH) throw fail(reader, `nested more than ${MAX_DEPTH} deep`);
  switch (type) {
    case TRUE:
    case FALSE:
      return; // a field's boolean is in its header (a list's is a byte: see skipElement)
    case BYTE:
      advance(reader, 1);
      return;
    case I16:
      skipVarint(reader, 3);
      return;
    case I32:
      skipVarint(reader, 5);
      return;
    case I64:
      skipVarint(reader, 10);
      return;
    case DOUBLE:
      advance(reader, 8);
      return;
    case BINARY:
      advance(reader, readLength(reader));
      return;
    case UUID:
      advance(reader, 16);
      return;
    case LIST:
    case SET: {
      // Size (0-14) in the high nibble, or 15 and the size as a varint; element type in the low.
      const head = readByte(reader);
      const count = head >> 4 === 15 ? readLength(reader) : head >> 4;
      for (let i = 0; i < count; i++) skipElement(reader, head & 0x0f, depth);
      return;
    }
    case MAP: {
      // Size as a varint; if not empty, key type in the high nibble and value type in the low.
      const count = readLength(reader);
      if (count === 0) return;
      const types = readByte(reader);
      for (let i = 0; i < count; i++) {
        skipElement(reader, types >> 4, depth);
        skipElement(reader, types & 0x0f, depth);
      }
      return;
    }
    case STRUCT:
      readStruct(reader, depth, () => false);
      return;
    default:
      throw fail(reader, `unknown compact type ${type}`, reader.offset - 1);
  }
}

/** A container's element: as a field's value, except that a boolean is a byte of its own. */
function skipElement(reader: PageReader, type: number, depth: number): void {
  if (type === TRUE || type === FALSE) advance(reader, 1);
  else if (type === STOP) throw fail(reader, 'a container of element type 0');
  else skip(reader, type, depth + 1);
}

function readByte(reader: PageReader): number {
  if (reader.offset >= reader.view.byteLength) throw truncated(reader);
  return reader.view.getUint8(reader.offset++);
}

function advance(reader: PageReader, bytes: number): void {
  if (reader.offset + bytes > reader.view.byteLength) throw truncated(reader);
  reader.offset += bytes;
}

/** An unsigned LEB128 varint of at most `maxBytes` bytes, exact below 2^53. */
function readVarint(reader: PageReader, maxBytes: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < maxBytes; i++) {
    const byte = readByte(reader);
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value;
    scale *= 128;
  }
  throw fail(reader, `a varint longer than ${maxBytes} bytes`);
}

function skipVarint(reader: PageReader, maxBytes: number): void {
  for (let i = 0; i < maxBytes; i++) if ((readByte(reader) & 0x80) === 0) return;
  throw fail(reader, `a varint longer than ${maxBytes} bytes`);
}

function zigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

function readI16(reader: PageReader): number {
  const value = readVarint(reader, 3);
  if (value > 0xffff) throw fail(reader, `an i16 out of range (${value})`);
  return zigzag(value);
}

function readI32(reader: PageReader): number {
  const value = readVarint(reader, 5);
  if (value > 0xffffffff) throw fail(reader, `an i32 out of range (${value})`);
  return zigzag(value);
}

/** A binary's or container's size: a varint no larger than an i32. */
function readLength(reader: PageReader): number {
  const value = readVarint(reader, 5);
  if (value > 0x7fffffff) throw fail(reader, `a size out of range (${value})`);
  return value;
}

function truncated(reader: PageReader): Error {
  return new Error(
    `parquet page header truncated: needs more than the ${reader.view.byteLength} bytes of its view (at byte ${reader.offset})`,
  );
}

function fail(reader: PageReader, what: string, at = reader.offset): Error {
  return new Error(`parquet page header is not valid Thrift: ${what} at byte ${at}`);
}
