import { Money } from '../../core/money.ts';

/**
 * JSON for what a bucket hands the combine step: plain JSON would turn typed arrays into objects
 * of numbers, drop NaN and -0 (CLV margins are NaN without revenue) and round-trip Decimals only as
 * text of their own choosing. Typed arrays travel as their bytes (base64), Decimals as their exact
 * text, Maps as entries, so the combine step reads back the very values the bucket made. Written by
 * hand: a general serialiser (v8.serialize) would tie the files to Node's version, and these files
 * may be read by a function deployed after the one that wrote them.
 */
export function encodePass(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, plain: unknown) {
    const original = key === '' ? plain : this[key];
    // valueOf, not toString: the text of -0 is '0'.
    if (original instanceof Money) return { $decimal: original.valueOf() };
    if (original instanceof Float64Array) return { $f64: bytesOf(original) };
    if (original instanceof Int32Array) return { $i32: bytesOf(original) };
    if (original instanceof Map) return { $map: [...original] };
    if (typeof original === 'number' && !Number.isFinite(original)) return { $number: String(original) };
    return plain;
  });
}

export function decodePass<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const tagged = value as Record<string, unknown>;
    if (typeof tagged.$decimal === 'string') return new Money(tagged.$decimal);
    if (typeof tagged.$f64 === 'string') return new Float64Array(bufferOf(tagged.$f64));
    if (typeof tagged.$i32 === 'string') return new Int32Array(bufferOf(tagged.$i32));
    if (Array.isArray(tagged.$map)) return new Map(tagged.$map as [unknown, unknown][]);
    if (typeof tagged.$number === 'string') return Number(tagged.$number);
    return value;
  }) as T;
}

function bytesOf(array: Float64Array | Int32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

/** The bytes in a buffer of their own, aligned for any typed array. */
function bufferOf(base64: string): ArrayBuffer {
  const bytes = Buffer.from(base64, 'base64');
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}
