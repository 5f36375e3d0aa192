/**
 * UTF-8 text from bytes, a leading U+FEFF kept as a character of the value. TextDecoder's default
 * drops it, while the Parquet readers keep it (Buffer's decoding): an id that begins with one
 * would then read one way in ingest or the compute job's loader and another in the curated files,
 * and the kinds would no longer join on it. Every decoding of values goes through this one (a
 * decoder without `stream` keeps no state between calls, so one serves all).
 */
export const UTF8_VALUES = new TextDecoder('utf-8', { ignoreBOM: true });
