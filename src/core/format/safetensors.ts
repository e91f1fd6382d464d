/**
 * Generic safetensors layout (docs/tnn-format.md §1–§2): u64 LE header length,
 * UTF-8 JSON header, data region tiled exactly by the tensors' data_offsets.
 * Knows nothing about Tritscope metadata; tnn.ts layers that on top.
 */
import { TnnFormatError } from '../errors';
import { jsonLimitViolation, type JsonLimits } from '../json-limits';
import { foreignFormatHint } from './errors-hint';

export const DTYPE_SIZES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;
export type Dtype = keyof typeof DTYPE_SIZES;

/** A corrupted length must never make us allocate or read gigabytes of "header". */
export const MAX_HEADER_BYTES = 100_000_000;
export const HEADER_PREFIX_BYTES = 8;
export const METADATA_KEY = '__metadata__';

/**
 * Bounds checked by a cheap scan before JSON.parse (a 100 MB header of 1.3 M
 * empty tensors would otherwise cost 2 GB and 19 s). A safetensors header nests
 * 3 levels (object → tensor → shape); checkpoints of the largest LLMs list a
 * few thousand tensors per file.
 */
export const HEADER_JSON_LIMITS: JsonLimits = { maxDepth: 8, maxValues: 2_000_000, maxTopLevel: 200_000 };

export interface TensorEntry {
  name: string;
  dtype: Dtype;
  /** The safetensors shape (for packed trits: [ceil(n/5)]). */
  shape: number[];
  /** data_offsets, relative to the data region start. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  headerLength: number;
  /** Absolute offset of the data region (8 + headerLength). */
  dataStart: number;
  dataLength: number;
  /** Sorted by begin offset (the order they tile the data region). */
  entries: TensorEntry[];
  /** null when the header has no __metadata__. */
  metadata: Record<string, string> | null;
}

export function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZES, s);
}

export const tensorField = (name: string) => `header[${JSON.stringify(name)}]`;

/** Reads and bounds-checks N from the first 8 bytes; `prefix` may be the whole file. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < HEADER_PREFIX_BYTES || prefix.length < HEADER_PREFIX_BYTES)
    throw new TnnFormatError(file, 'header length', `file is ${fileSize} bytes, shorter than the 8-byte header length (${foreignFormatHint(prefix)})`, 0);
  const view = new DataView(prefix.buffer, prefix.byteOffset, HEADER_PREFIX_BYTES);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const available = fileSize - HEADER_PREFIX_BYTES;
  if (high !== 0 || low > MAX_HEADER_BYTES)
    throw new TnnFormatError(file, 'header length', `${high !== 0 ? 'over 4 GB' : low} exceeds the ${MAX_HEADER_BYTES}-byte cap (${foreignFormatHint(prefix)})`, 0);
  if (low > available)
    throw new TnnFormatError(file, 'header length', `${low} bytes exceeds the ${available} bytes after the length field (${foreignFormatHint(prefix)})`, 0);
  return low;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and validates the header JSON. `headerBytes` are exactly the N header
 * bytes; `fileSize` bounds the data region. `prefix` is only used for hints.
 */
export function parseHeaderJson(headerBytes: Uint8Array, fileSize: number, file: string, prefix: Uint8Array): SafetensorsHeader {
  const headerLength = headerBytes.length;
  const dataStart = HEADER_PREFIX_BYTES + headerLength;
  const dataLength = fileSize - dataStart;
  let text: string;
  try {
    text = decoder.decode(headerBytes);
  } catch {
    throw new TnnFormatError(file, 'header', `is not valid UTF-8 (${foreignFormatHint(prefix)})`, HEADER_PREFIX_BYTES);
  }
  const over = jsonLimitViolation(text, HEADER_JSON_LIMITS);
  if (over) throw new TnnFormatError(file, 'header', `${over}; refused before parsing (caps: ${HEADER_JSON_LIMITS.maxTopLevel} tensors, depth ${HEADER_JSON_LIMITS.maxDepth})`, HEADER_PREFIX_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TnnFormatError(file, 'header', `is not valid JSON: ${(e as Error).message} (${foreignFormatHint(prefix)})`, HEADER_PREFIX_BYTES);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new TnnFormatError(file, 'header', `expected a JSON object, found ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`, HEADER_PREFIX_BYTES);

  let metadata: Record<string, string> | null = null;
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === METADATA_KEY) metadata = checkMetadata(value, file);
    else entries.push(checkEntry(name, value, dataLength, file, dataStart));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkTiling(entries, dataLength, dataStart, file);
  return { headerLength, dataStart, dataLength, entries, metadata };
}

/** Header + data validation over a complete in-memory file. */
export function parseSafetensorsHeader(bytes: Uint8Array, file: string): SafetensorsHeader {
  const n = readHeaderLength(bytes, bytes.length, file);
  return parseHeaderJson(bytes.subarray(HEADER_PREFIX_BYTES, HEADER_PREFIX_BYTES + n), bytes.length, file, bytes);
}

function checkMetadata(value: unknown, file: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TnnFormatError(file, METADATA_KEY, 'expected an object of string values');
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    if (typeof v !== 'string') throw new TnnFormatError(file, `${METADATA_KEY}.${k}`, `expected a string (safetensors metadata is string → string), found ${v === null ? 'null' : typeof v}`);
  return Object.fromEntries(Object.entries(value as Record<string, string>));
}

const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkEntry(name: string, value: unknown, dataLength: number, file: string, dataStart: number): TensorEntry {
  const field = tensorField(name);
  if (name.length === 0) throw new TnnFormatError(file, field, 'tensor names must be non-empty');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TnnFormatError(file, field, 'expected an object {dtype, shape, data_offsets}');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v))
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') throw new TnnFormatError(file, `${field}.${key}`, 'unknown key (expected only dtype, shape, data_offsets)');
  if (!isDtype(v.dtype))
    throw new TnnFormatError(file, `${field}.dtype`, `unknown dtype ${JSON.stringify(v.dtype)}, expected one of ${Object.keys(DTYPE_SIZES).join(', ')}`);
  const dtype = v.dtype;
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every(isNonNegInt))
    throw new TnnFormatError(file, `${field}.shape`, `expected an array of non-negative integers, found ${truncJson(shape)}`);
  const offsets = v.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt))
    throw new TnnFormatError(file, `${field}.data_offsets`, `expected [begin, end] non-negative integers, found ${truncJson(offsets)}`);
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new TnnFormatError(file, `${field}.data_offsets`, `begin ${begin} > end ${end}`);
  if (end > dataLength)
    throw new TnnFormatError(file, `${field}.data_offsets`, `end ${end} is beyond the ${dataLength}-byte data region`, dataStart + begin);
  // Bounded product: stop as soon as it exceeds the byte span (never overflows, never allocates).
  const span = end - begin;
  const size = DTYPE_SIZES[dtype];
  let bytesNeeded = (shape as number[]).includes(0) ? 0 : size;
  for (const d of bytesNeeded === 0 ? [] : (shape as number[])) {
    bytesNeeded *= d;
    if (bytesNeeded > span) break;
  }
  if (bytesNeeded !== span)
    throw new TnnFormatError(file, `${field}.data_offsets`, `span ${span} bytes != product(shape [${(shape as number[]).join(',')}]) × ${size} (${dtype})${bytesNeeded > span ? ' (or more)' : ''} = ${bytesNeeded} bytes`, dataStart + begin);
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

function checkTiling(sorted: TensorEntry[], dataLength: number, dataStart: number, file: string): void {
  let cursor = 0;
  let previous = '';
  for (const e of sorted) {
    if (e.begin < cursor)
      throw new TnnFormatError(file, `${tensorField(e.name)}.data_offsets`, `[${e.begin}, ${e.end}] overlaps tensor ${JSON.stringify(previous)} which ends at ${cursor}`, dataStart + e.begin);
    if (e.begin > cursor)
      throw new TnnFormatError(file, `${tensorField(e.name)}.data_offsets`, `gap: begins at ${e.begin} but the previous tensor ends at ${cursor} (tensors must tile the data region)`, dataStart + cursor);
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== dataLength)
    throw new TnnFormatError(file, 'data region', `tensors cover ${cursor} of ${dataLength} bytes; ${dataLength - cursor} trailing bytes are not described by the header`, dataStart + cursor);
}

function truncJson(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = Array.isArray(v) ? 'a deeply nested array' : typeof v; // e.g. nesting beyond the stack
  }
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

export interface TensorPayload {
  name: string;
  dtype: Dtype;
  shape: number[];
  data: Uint8Array;
}

/** Serializes tensors in the given order; pads the header with spaces so the data region is 8-byte aligned. */
export function serializeSafetensors(tensors: TensorPayload[], metadata: Record<string, string>): Uint8Array {
  // Object.fromEntries defines own properties, so a tensor named "__proto__" stays a key.
  let offset = 0;
  const header = Object.fromEntries([
    [METADATA_KEY, metadata],
    ...tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, data_offsets: [offset, (offset += t.data.length)] }]),
  ]);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(HEADER_PREFIX_BYTES + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  view.setUint32(4, 0, true);
  out.set(json, HEADER_PREFIX_BYTES);
  out.fill(0x20, HEADER_PREFIX_BYTES + json.length, HEADER_PREFIX_BYTES + headerLength);
  let at = HEADER_PREFIX_BYTES + headerLength;
  for (const t of tensors) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}
