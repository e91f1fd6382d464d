/**
 * `.tnn` bytes ⇄ TnnModel (docs/tnn-format.md). The reader validates every
 * byte it trusts; the writer re-validates its own header with the same rules
 * so a bad model fails at write time, not when someone opens the file.
 */
import type { Graph, PackedTrits, StoredTensor, TnnModel } from '../graph/types';
import { isPacked } from '../graph/types';
import { sizeOf, type Tensor } from '../tensor';
import { TnnFormatError } from '../errors';
import { computeChecksum, decodeToFloat32, float32Bytes } from './decode';
import { computeHeaderChecksum, HEADER_CHECKSUM_KEY } from './header-checksum';
import { findPackingViolation, packedLength } from './pack';
import { DTYPE_SIZES, parseSafetensorsHeader, serializeSafetensors, type TensorPayload } from './safetensors';
import { checkTnnHeader, TNN_FORMAT, TNN_VERSION, type TnnHeader, type TnnTensorInfo } from './tnn-header';

/** Node Buffers' slice() aliases memory and their prototype differs; views as a plain Uint8Array avoid both. */
function plainBytes(b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Header and metadata of an in-memory file, validated, without decoding tensors or hashing data. */
export function peekTnnBytes(input: Uint8Array, fileName: string): TnnHeader {
  const bytes = plainBytes(input);
  const sh = parseSafetensorsHeader(bytes, fileName);
  return checkTnnHeader(sh, fileName, bytes.length, bytes);
}

export interface ParseOptions {
  /**
   * Float tensors are not copied out at parse time: opening a model whose latent float weights are
   * ~95 % of the file (ResNet-50: 100 of 107 MB) then costs the checksum and the trits. An F32 payload
   * at a 4-byte aligned offset (every file serializeTnn writes) becomes a Float32Array view of the
   * file's bytes, no copy at all; any other float payload is decoded (a fresh copy, as decodeTensor
   * makes) when its `data` is first read. Everything is still validated here (the checksum covers every
   * byte; a float payload's size is checked with the header and cannot fail to decode later). The model
   * keeps the file's buffer alive, and the caller must not reuse that buffer.
   */
  lazyFloats?: boolean;
}

/** Parses and fully validates a `.tnn` file; throws TnnFormatError for any violation. */
export function parseTnn(input: Uint8Array, fileName: string, opts: ParseOptions = {}): TnnModel {
  const bytes = plainBytes(input);
  const header = peekTnnBytes(bytes, fileName);
  const data = bytes.subarray(header.dataStart);
  const actual = computeChecksum(data);
  if (actual !== header.checksum)
    throw new TnnFormatError(fileName, '__metadata__.checksum', `data region hash ${actual} does not match the stored ${header.checksum} (file corrupted or modified)`, header.dataStart);
  const tensors = new Map<string, StoredTensor>();
  for (const t of header.tensors) {
    const payload = data.subarray(t.begin, t.end);
    tensors.set(t.name, opts.lazyFloats && t.trits === undefined ? floatInPlace(t, payload) : decodeTensor(t, payload, fileName));
  }
  return {
    graph: header.graph,
    tensors,
    provenance: header.provenance,
    ...(header.layerStats ? { layerStats: header.layerStats } : {}),
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** lazyFloats: a view of an aligned F32 payload (the file stores little-endian floats), else lazyFloatTensor. */
function floatInPlace(t: TnnTensorInfo, payload: Uint8Array): Tensor {
  if (t.dtype === 'F32' && LITTLE_ENDIAN && payload.byteOffset % 4 === 0)
    return { shape: [...t.shape], data: new Float32Array(payload.buffer, payload.byteOffset, payload.length / 4) };
  return lazyFloatTensor(t, payload);
}

/**
 * A float tensor whose `data` is decoded (a fresh copy, as decodeTensor makes) on first read. The accessor then
 * replaces itself with a plain property, so loops that read `t.data[i]` cost what they cost on any tensor.
 */
function lazyFloatTensor(t: TnnTensorInfo, payload: Uint8Array): Tensor {
  const tensor = { shape: [...t.shape] } as Tensor;
  const settle = (data: Float32Array): Float32Array => {
    Object.defineProperty(tensor, 'data', { value: data, writable: true, enumerable: true, configurable: true });
    return data; // the payload (and with the last lazy tensor, the file's buffer) is no longer referenced
  };
  Object.defineProperty(tensor, 'data', {
    enumerable: true,
    configurable: true,
    get: () => settle(decodeToFloat32(payload, t.dtype, payload.length / DTYPE_SIZES[t.dtype])),
    set: (v: Float32Array) => settle(v),
  });
  return tensor;
}

/**
 * Decodes one tensor's payload (exactly its data_offsets span) into a fresh
 * copy, so a model never pins the file buffer. Packed tensors are checked
 * byte by byte (§3); the error offset is the absolute file offset.
 */
export function decodeTensor(t: TnnTensorInfo, payload: Uint8Array, fileName: string): StoredTensor {
  if (t.trits !== undefined) {
    const violation = findPackingViolation(payload, t.trits);
    if (violation) throw new TnnFormatError(fileName, `tensor ${JSON.stringify(t.name)}`, violation.detail, t.offset + violation.byteIndex);
    const packed: PackedTrits = { kind: 'trits', shape: [...t.shape], count: t.trits, bytes: new Uint8Array(payload) };
    return packed;
  }
  return { shape: [...t.shape], data: decodeToFloat32(payload, t.dtype, payload.length / DTYPE_SIZES[t.dtype]) };
}

function payloadOf(name: string, t: StoredTensor, file: string): TensorPayload {
  const field = `tensor ${JSON.stringify(name)}`;
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new TnnFormatError(file, `${field}.shape`, `expected non-negative integers, found ${JSON.stringify(t.shape)}`);
  if (isPacked(t)) {
    if (!Number.isSafeInteger(t.count) || t.count !== sizeOf(t.shape))
      throw new TnnFormatError(file, `${field}.count`, `count ${t.count} != product of shape [${t.shape.join(',')}]`);
    if (!(t.bytes instanceof Uint8Array) || t.bytes.length !== packedLength(t.count))
      throw new TnnFormatError(file, `${field}.bytes`, `expected ${packedLength(t.count)} packed bytes for ${t.count} trits, found ${t.bytes?.length}`);
    const violation = findPackingViolation(t.bytes, t.count);
    if (violation) throw new TnnFormatError(file, `${field}.bytes[${violation.byteIndex}]`, violation.detail);
    return { name, dtype: 'U8', shape: [t.bytes.length], data: t.bytes };
  }
  const dense = t as Tensor;
  if (!(dense.data instanceof Float32Array) || dense.data.length !== sizeOf(dense.shape))
    throw new TnnFormatError(file, `${field}.data`, `expected a Float32Array of ${sizeOf(dense.shape)} values (shape [${dense.shape.join(',')}]), found length ${dense.data?.length}`);
  return { name, dtype: 'F32', shape: [...dense.shape], data: float32Bytes(dense.data) };
}

function latentNames(graph: Graph): string[] {
  const names = new Set<string>();
  for (const layer of graph.layers ?? []) if (layer.weightQuant?.latent !== undefined) names.add(layer.weightQuant.latent);
  return [...names].sort();
}

/**
 * Serializes a model: F32 tensors then packed U8, each group in ascending name order (deterministic output),
 * packed trits as U8, floats as F32, checksum over the data region.
 * `fileName` only labels errors.
 */
export function serializeTnn(model: TnnModel, fileName = '(model being written)'): Uint8Array {
  if (model.tensors.has('__metadata__')) throw new TnnFormatError(fileName, 'tensor "__metadata__"', 'the name __metadata__ is reserved by safetensors');
  const names = [...model.tensors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // F32 before U8 (then by name): with the 8-aligned header every float payload stays 4-byte aligned for mmap readers.
  const payloads = names.map((n) => payloadOf(n, model.tensors.get(n)!, fileName));
  payloads.sort((a, b) => DTYPE_SIZES[b.dtype] - DTYPE_SIZES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tritTensors = Object.fromEntries(
    names.flatMap((n) => {
      const t = model.tensors.get(n)!;
      return isPacked(t) ? [[n, { count: t.count, shape: [...t.shape] }]] : [];
    }),
  );
  const metadata: Record<string, string> = {
    format: TNN_FORMAT,
    tnn_version: TNN_VERSION,
    graph: stringify(model.graph, 'graph', fileName),
    provenance: stringify(model.provenance, 'provenance', fileName),
    ...(model.layerStats ? { layer_stats: stringify(model.layerStats, 'layerStats', fileName) } : {}),
    trit_tensors: JSON.stringify(tritTensors),
    latent_tensors: JSON.stringify(latentNames(model.graph)),
    // Hash the payloads in the order they will be laid out (no concatenated copy).
    checksum: computeChecksum(payloads.map((p) => p.data)),
  };
  // The tensor table as serializeSafetensors lays it out (payload order, back to back).
  let offset = 0;
  const table = payloads.map((p) => ({ name: p.name, dtype: p.dtype, shape: p.shape, begin: offset, end: (offset += p.data.length) }));
  metadata[HEADER_CHECKSUM_KEY] = computeHeaderChecksum(metadata, table);
  const bytes = serializeSafetensors(payloads, metadata);
  // Same validation as the reader (graph structure, references, finiteness); throws on a bad model.
  peekTnnBytes(bytes, fileName);
  return bytes;
}

function stringify(value: unknown, field: string, file: string): string {
  try {
    const s = JSON.stringify(value);
    if (typeof s !== 'string') throw new Error(`JSON.stringify returned ${typeof s}`);
    return s;
  } catch (e) {
    throw new TnnFormatError(file, field, `cannot be encoded as JSON: ${(e as Error).message}`);
  }
}
