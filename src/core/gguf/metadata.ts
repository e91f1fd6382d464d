/**
 * GGUF metadata values (ggml `docs/gguf.md`, llama.cpp `ggml/src/gguf.cpp`
 * `gguf_init_from_file_impl`): 13 value types, arrays of any type including
 * arrays (nesting capped here). Arrays keep their first KEPT_ITEMS items and
 * their length; the rest is skipped without decoding, so a 128k-token
 * vocabulary costs a pass over its bytes, not 128k strings in memory.
 */
import type { Cursor } from './cursor';

export const GGUF_VALUE_TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'] as const;
export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];

export interface GgufArray {
  kind: 'array';
  elementType: GgufValueType;
  length: number;
  /** The first min(length, KEPT_ITEMS) items. */
  items: GgufValue[];
}
export type GgufValue = number | bigint | string | boolean | GgufArray;

export interface GgufKv {
  key: string;
  type: GgufValueType;
  value: GgufValue;
  /** Absolute file offset of the key/value pair. */
  offset: number;
}

/** Caps: generous for real models (a 256k vocabulary, long chat templates), small enough to bound memory. */
export const KEPT_ITEMS = 64;
export const MAX_ARRAY_DEPTH = 3;
export const MAX_STRING_BYTES = 16 << 20;
export const MAX_KEY_BYTES = 1 << 16;
export const MAX_ARRAY_LENGTH = 2 ** 32;

/** Smallest encoding of one value of each type, to bound counts by the bytes left in the file. */
const MIN_SIZE: Record<GgufValueType, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, string: 8, array: 12, u64: 8, i64: 8, f64: 8 };
const FIXED_SIZE: Partial<Record<GgufValueType, number>> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, u64: 8, i64: 8, f64: 8 };

export function readValueType(c: Cursor, field: string): GgufValueType {
  const at = c.pos;
  const id = c.u32(field);
  const type = GGUF_VALUE_TYPES[id];
  if (type === undefined) c.fail(field, `unknown GGUF value type ${id} (known: 0–12)`, at);
  return type;
}

export function readValue(c: Cursor, type: GgufValueType, field: string, depth = 0): GgufValue {
  switch (type) {
    case 'u8': return c.u8(field);
    case 'i8': return c.i8(field);
    case 'u16': return c.u16(field);
    case 'i16': return c.i16(field);
    case 'u32': return c.u32(field);
    case 'i32': return c.i32(field);
    case 'f32': return c.f32(field);
    case 'f64': return c.f64(field);
    case 'u64': return c.u64big(field);
    case 'i64': return c.i64big(field);
    case 'bool': {
      const at = c.pos;
      const b = c.u8(field);
      if (b > 1) c.fail(field, `bool must be 0 or 1, found ${b}`, at);
      return b === 1;
    }
    case 'string': return c.string(field, MAX_STRING_BYTES);
    case 'array': return readArray(c, field, depth);
  }
}

function readArray(c: Cursor, field: string, depth: number): GgufArray {
  const at = c.pos;
  if (depth >= MAX_ARRAY_DEPTH) c.fail(field, `arrays nested deeper than ${MAX_ARRAY_DEPTH} levels are not accepted`, at);
  const elementType = readValueType(c, `${field}.type`);
  const lengthAt = c.pos;
  const length = c.count(`${field}.length`, MAX_ARRAY_LENGTH, 'items (array length)');
  // Never loop (or allocate) for more items than the rest of the file could hold.
  if (length * MIN_SIZE[elementType] > c.remainingInFile)
    c.fail(`${field}.length`, `${length} items of type ${elementType} need at least ${length * MIN_SIZE[elementType]} bytes, but only ${c.remainingInFile} remain in the file`, lengthAt);
  const kept = Math.min(length, KEPT_ITEMS);
  const items: GgufValue[] = [];
  for (let i = 0; i < kept; i++) items.push(readValue(c, elementType, `${field}[${i}]`, depth + 1));
  const rest = length - kept;
  const fixed = FIXED_SIZE[elementType];
  if (rest > 0 && fixed !== undefined && elementType !== 'bool') {
    c.need(rest * fixed, `${field}[${kept}…${length - 1}]`);
    c.pos += rest * fixed;
  } else {
    for (let i = kept; i < length; i++) skipValue(c, elementType, `${field}[${i}]`, depth + 1);
  }
  return { kind: 'array', elementType, length, items };
}

/** Advances over one value with the same checks as readValue, keeping nothing. */
function skipValue(c: Cursor, type: GgufValueType, field: string, depth: number): void {
  if (type === 'string') {
    const at = c.pos;
    const n = c.count(`${field} length`, MAX_STRING_BYTES, 'bytes (string length)');
    if (n > c.remainingInFile) c.fail(`${field} length`, `${n} bytes runs past the end of the file`, at);
    c.need(n, field);
    c.pos += n;
  } else if (type === 'array') {
    readArray(c, field, depth);
  } else {
    readValue(c, type, field, depth);
  }
}

/** JSON-friendly form for listings: safe bigints as numbers, long arrays as a summary with their length. */
export function plainValue(v: GgufValue): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'object') {
    if (v.length <= KEPT_ITEMS) return v.items.map(plainValue);
    return { type: 'array', elementType: v.elementType, length: v.length, head: v.items.slice(0, 8).map(plainValue) };
  }
  return v;
}
