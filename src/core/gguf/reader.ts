/**
 * GGUF v2/v3 header reader (ggml `docs/gguf.md`; llama.cpp `ggml/src/gguf.cpp`
 * `gguf_init_from_file_impl` for the checks it applies): magic, version,
 * counts, metadata key/values, tensor infos, `general.alignment`, data offsets.
 *
 * Why not @huggingface/gguf (0.4.6, installed): it reads local files and caps
 * counts, but it throws plain `Error`s without the byte offset or field, lets
 * DataView RangeErrors escape on truncated tensor infos, decodes invalid UTF-8
 * silently, and knows no tensor byte sizes, so it cannot check offsets,
 * alignment, overlaps or sizes against the file, nor list I2_S. It serves as an
 * independent oracle in the tests instead.
 */
import { Cursor, NeedMoreBytes } from './cursor';
import { ggmlType, type GgmlType } from './ggml-types';
import { i2sByteLength } from './i2s';
import { MAX_KEY_BYTES, plainValue, readValue, readValueType, type GgufKv } from './metadata';

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** GGML_MAX_DIMS in ggml.h. */
export const GGML_MAX_DIMS = 4;
export const MAX_TENSOR_NAME_BYTES = 256;
/** Caps on the counts in the fixed header (each item also needs bytes the file must have). */
export const MAX_TENSORS = 10_000_000;
export const MAX_KVS = 1_000_000;

export interface GgufTensorInfo {
  name: string;
  /** ggml's ne[], fastest-varying first. */
  ne: number[];
  typeId: number;
  /** undefined for an id this reader does not know. */
  type: GgmlType | undefined;
  elements: number;
  /** Relative to the data section, as stored. */
  relOffset: number;
  /** Absolute file offset. */
  offset: number;
  /** Byte size from the type; for an unknown type, the gap to the next tensor (sizeInferred). */
  byteLength: number;
  sizeInferred: boolean;
  /** Absolute offset of this tensor info record (for error messages). */
  infoOffset: number;
}

export interface GgufHeader {
  file: string;
  fileSize: number;
  version: number;
  kvs: GgufKv[];
  alignment: number;
  /** Absolute offset where tensor data starts (tensor infos end, padded to the alignment). */
  dataStart: number;
  tensors: GgufTensorInfo[];
  /** Bytes of the file the header occupies (before the alignment padding). */
  headerBytes: number;
}

export function isGgufPrefix(prefix: Uint8Array): boolean {
  return prefix.length >= 4 && prefix[0] === 0x47 && prefix[1] === 0x47 && prefix[2] === 0x55 && prefix[3] === 0x46;
}

const pad = (x: number, n: number) => Math.ceil(x / n) * n;

/**
 * Parses the header from `prefix` (the first bytes of a file of `fileSize` bytes).
 * Throws NeedMoreBytes when the prefix is too short, WeightsFormatError on any violation.
 */
export function parseGgufHeader(prefix: Uint8Array, fileSize: number, file: string): GgufHeader {
  const c = new Cursor(prefix, fileSize, file);
  const magic = c.u32('magic');
  if (magic !== GGUF_MAGIC) c.fail('magic', `expected "GGUF", found ${JSON.stringify(String.fromCharCode(...prefix.subarray(0, 4)))} (not a GGUF file)`, 0);
  const version = c.u32('version');
  if ((version & 0xffff) === 0 && version !== 0) c.fail('version', `${version} looks byte-swapped: big-endian GGUF files are not supported`, 4);
  if (version === 1) c.fail('version', 'GGUF v1 (u32 counts) is no longer supported by llama.cpp or this reader; re-convert the model', 4);
  if (version !== 2 && version !== 3) c.fail('version', `unsupported GGUF version ${version} (this reader knows 2 and 3)`, 4);
  const nTensors = c.count('tensor_count', MAX_TENSORS, 'tensors');
  const nKv = c.count('metadata_kv_count', MAX_KVS, 'key/value pairs');
  // Every pair needs ≥ 13 bytes (key length, one key byte, value type, one value byte), every tensor info ≥ 29.
  if (nKv * 13 + nTensors * 29 > c.remainingInFile)
    c.fail('metadata_kv_count', `${nKv} key/value pairs and ${nTensors} tensor infos cannot fit in the ${c.remainingInFile} bytes left in the file`, 16);

  const kvs: GgufKv[] = [];
  const keys = new Set<string>();
  for (let i = 0; i < nKv; i++) {
    const offset = c.pos;
    const key = c.string(`kv[${i}].key`, MAX_KEY_BYTES);
    if (key.length === 0) c.fail(`kv[${i}].key`, 'empty key', offset);
    if (keys.has(key)) c.fail(`kv[${i}].key`, `duplicate key ${JSON.stringify(key)}`, offset);
    keys.add(key);
    const field = `metadata ${JSON.stringify(key)}`;
    const type = readValueType(c, `${field}.type`);
    kvs.push({ key, type, value: readValue(c, type, field), offset });
  }
  const alignment = readAlignment(c, kvs);

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < nTensors; i++) tensors.push(readTensorInfo(c, i, names));
  const headerBytes = c.pos;
  const dataStart = nTensors > 0 ? pad(headerBytes, alignment) : headerBytes;
  if (nTensors > 0 && dataStart > fileSize) c.fail('data section', `starts at ${dataStart} (after alignment padding) but the file has ${fileSize} bytes`, headerBytes);
  placeTensors(c, tensors, dataStart, alignment);
  return { file, fileSize, version, kvs, alignment, dataStart, tensors, headerBytes };
}

function readAlignment(c: Cursor, kvs: GgufKv[]): number {
  const kv = kvs.find((k) => k.key === 'general.alignment');
  if (!kv) return GGUF_DEFAULT_ALIGNMENT;
  // gguf.cpp reads it with gguf_get_val_u32 and requires a non-zero power of two.
  if (kv.type !== 'u32') c.fail('metadata "general.alignment"', `must be a u32, found ${kv.type}`, kv.offset);
  const a = kv.value as number;
  if (a === 0 || (a & (a - 1)) !== 0) c.fail('metadata "general.alignment"', `must be a non-zero power of two, found ${a}`, kv.offset);
  return a;
}

function readTensorInfo(c: Cursor, i: number, names: Set<string>): GgufTensorInfo {
  const infoOffset = c.pos;
  const name = c.string(`tensor_info[${i}].name`, MAX_TENSOR_NAME_BYTES);
  const field = `tensor ${JSON.stringify(name)}`;
  if (name.length === 0) c.fail(`tensor_info[${i}].name`, 'empty tensor name', infoOffset);
  if (names.has(name)) c.fail(`${field}.name`, 'duplicate tensor name', infoOffset);
  names.add(name);
  const dimsAt = c.pos;
  const nDims = c.u32(`${field}.n_dims`);
  if (nDims > GGML_MAX_DIMS) c.fail(`${field}.n_dims`, `${nDims} dimensions, at most ${GGML_MAX_DIMS} (GGML_MAX_DIMS)`, dimsAt);
  const ne: number[] = [];
  let elements = 1;
  for (let d = 0; d < nDims; d++) {
    const at = c.pos;
    const n = c.count(`${field}.ne[${d}]`, Number.MAX_SAFE_INTEGER, 'elements (dimension)');
    ne.push(n);
    elements *= n;
    // A tensor can never hold more weights than the file has bits (the densest type here is > 1 bit/weight).
    if (elements > c.fileSize * 8) c.fail(`${field}.ne`, `[${ne.join(', ')}…] holds more weights than a ${c.fileSize}-byte file can store`, at);
  }
  const typeId = c.u32(`${field}.type`);
  const type = ggmlType(typeId);
  if (type && ne.length > 0 && ne[0] % type.blockSize !== 0)
    c.fail(`${field}.ne[0]`, `${ne[0]} is not a multiple of the ${type.name} block size ${type.blockSize}`, dimsAt + 4);
  const relOffset = c.count(`${field}.offset`, Number.MAX_SAFE_INTEGER, 'bytes (data offset)');
  const byteLength = byteLengthOf(type, elements);
  return { name, ne, typeId, type, elements, relOffset, offset: 0, byteLength, sizeInferred: byteLength < 0, infoOffset };
}

/** -1 when the size cannot be computed from the type (unknown id, TL1). */
function byteLengthOf(type: GgmlType | undefined, elements: number): number {
  if (!type) return -1;
  if (type.name === 'I2_S') return i2sByteLength(elements);
  if (type.typeSize === 0) return -1;
  return (elements / type.blockSize) * type.typeSize;
}

/** Offsets: aligned, inside the file, no two tensors overlapping; unknown sizes run to the next tensor. */
function placeTensors(c: Cursor, tensors: GgufTensorInfo[], dataStart: number, alignment: number): void {
  for (const t of tensors) {
    const field = `tensor ${JSON.stringify(t.name)}.offset`;
    if (t.relOffset % alignment !== 0) c.fail(field, `${t.relOffset} is not a multiple of general.alignment ${alignment}`, t.infoOffset);
    t.offset = dataStart + t.relOffset;
    if (t.offset > c.fileSize) c.fail(field, `data at ${t.offset} starts beyond the end of the ${c.fileSize}-byte file`, t.infoOffset);
  }
  const sorted = [...tensors].sort((a, b) => a.offset - b.offset);
  sorted.forEach((t, i) => {
    const next = i + 1 < sorted.length ? sorted[i + 1].offset : c.fileSize;
    if (t.sizeInferred) t.byteLength = next - t.offset;
    const end = t.offset + t.byteLength;
    const field = `tensor ${JSON.stringify(t.name)}.offset`;
    if (end > c.fileSize) c.fail(field, `data [${t.offset}, ${end}) (${t.byteLength} bytes of ${t.type?.name}) runs past the end of the ${c.fileSize}-byte file`, t.offset);
    if (end > next) c.fail(field, `data [${t.offset}, ${end}) overlaps tensor ${JSON.stringify(sorted[i + 1].name)} which starts at ${next}`, t.offset);
  });
}

/** First read; doubled until the header fits (bounded by the file size and this cap). */
export const INITIAL_PREFIX_BYTES = 1 << 20;
export const MAX_HEADER_BYTES = 512 << 20;

/** Reads just the header of a GGUF file: a bounded, growing prefix, never the tensor data. */
export async function readGgufHeader(read: (length: number) => Promise<Uint8Array>, fileSize: number, file: string): Promise<GgufHeader> {
  let length = Math.min(fileSize, INITIAL_PREFIX_BYTES);
  for (;;) {
    const prefix = await read(length);
    try {
      return parseGgufHeader(prefix, fileSize, file);
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      if (length >= MAX_HEADER_BYTES) {
        const c = new Cursor(prefix, fileSize, file);
        c.fail('header', `is larger than the ${MAX_HEADER_BYTES}-byte cap on GGUF headers`, length);
      }
      length = Math.min(fileSize, MAX_HEADER_BYTES, Math.max(2 * length, e.bytes));
    }
  }
}

/** Metadata as a plain JSON-friendly record (long arrays summarized with their length). */
export function plainMetadata(kvs: GgufKv[]): Record<string, unknown> {
  return Object.fromEntries(kvs.map((kv) => [kv.key, plainValue(kv.value)]));
}
