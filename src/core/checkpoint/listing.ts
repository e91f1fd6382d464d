/**
 * Hugging Face safetensors checkpoint → WeightsListing, from the header plus a
 * bounded probe of each float matrix. The header is read and validated by the
 * shared safetensors reader (src/core/format/safetensors.ts: length cap, JSON,
 * dtypes, exact tiling of the data region); this module only interprets it:
 *
 *  - BitNet packed weights: a U8 `X.weight` with a `X.weight_scale` beside it
 *    (checkpoint/bitnet-packed.ts) is ternary, logical shape [4R, …];
 *  - unpacked F16/BF16/F32 matrices whose first PROBE_BYTES hold only
 *    {−s, 0, +s} are ternary candidates; the statistics pass decides on all values.
 */
import { parseHeaderJson, readHeaderLength, HEADER_PREFIX_BYTES, DTYPE_SIZES, type Dtype, type TensorEntry } from '../format/index';
import { TnnFormatError } from '../errors';
import { WeightsFormatError } from '../weights/errors';
import { openForRead, type ReadableModelFile } from '../weights/file-io';
import type { WeightsListing, WeightTensorInfo } from '../weights/types';
import { VALUES_PER_ITEM } from './bitnet-packed';
import { readSiblingConfig } from './config';
import { probeTernary } from './probe';

export const SAFETENSORS_FORMAT = 'safetensors';
export const PROBE_BYTES = 4096;
const SCALE_SUFFIX = '_scale';

function entryInfo(e: TensorEntry, dataStart: number): WeightTensorInfo {
  const elements = e.shape.reduce((a, b) => a * b, 1);
  const byteLength = e.end - e.begin;
  return { name: e.name, dtype: e.dtype, shape: [...e.shape], offset: dataStart + e.begin, byteLength, ternary: false, elements, bitsPerWeight: elements ? (8 * byteLength) / elements : 0 };
}

function markPacked(t: WeightTensorInfo, scaleName: string | undefined, convention: 'multiply' | 'divide'): void {
  const [rows = 0, ...rest] = t.shape;
  t.storedShape = [...t.shape];
  t.shape = [VALUES_PER_ITEM * rows, ...rest];
  t.elements = VALUES_PER_ITEM * (t.elements ?? 0);
  t.bitsPerWeight = t.elements ? (8 * t.byteLength) / t.elements : 0;
  t.ternary = true;
  t.ternarySource = 'packed';
  t.packing = 'bitnet4';
  if (scaleName) t.scale = { kind: 'tensor', tensor: scaleName, convention };
}

const FLOAT_DTYPES = new Set<Dtype>(['F16', 'BF16', 'F32', 'F64']);

async function probe(f: ReadableModelFile, t: WeightTensorInfo): Promise<void> {
  if (!FLOAT_DTYPES.has(t.dtype as Dtype) || t.shape.length < 2 || t.byteLength === 0) return;
  const size = DTYPE_SIZES[t.dtype as Dtype];
  const bytes = new Uint8Array(Math.min(t.byteLength, Math.floor(PROBE_BYTES / size) * size));
  await f.readInto(bytes, t.offset);
  if (probeTernary(bytes, t.dtype)) {
    t.ternary = true;
    t.ternarySource = 'probe';
    t.scale = { kind: 'value', convention: 'multiply' };
  }
}

/**
 * The shared safetensors reader names the JSON field but, for errors inside the JSON, no byte;
 * those fields live in the header that starts at byte 8, which is the offset reported.
 */
function withOffset<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof TnnFormatError && e.offset === undefined) throw new WeightsFormatError(e.file, e.field, e.detail, HEADER_PREFIX_BYTES);
    throw e;
  }
}

/** Lists a safetensors checkpoint; reads the header, config.json beside it, and ≤ 4 KiB of each float matrix. */
export async function readSafetensorsListing(file: string): Promise<WeightsListing> {
  const f = await openForRead(file);
  try {
    const prefix = await f.readPrefix(HEADER_PREFIX_BYTES);
    const n = readHeaderLength(prefix, f.size, file);
    const headerBytes = new Uint8Array(n);
    await f.readInto(headerBytes, HEADER_PREFIX_BYTES);
    const sh = withOffset(() => parseHeaderJson(headerBytes, f.size, file, prefix));
    const tensors = sh.entries.map((e) => entryInfo(e, sh.dataStart));
    const byName = new Map(tensors.map((t) => [t.name, t]));
    const config = await readSiblingConfig(file);
    const notes: string[] = config?.note ? [config.note] : [];
    const convention = config?.linearClass === 'autobitlinear' ? 'multiply' : 'divide';
    let packed = 0;
    for (const t of tensors) {
      if (t.dtype !== 'U8' || t.shape.length < 2 || !t.name.endsWith('.weight')) continue;
      const scale = byName.get(t.name + SCALE_SUFFIX);
      if (scale || config?.linearClass) {
        markPacked(t, scale?.name, convention);
        packed++;
        if (!scale) notes.push(`${t.name}: packed BitNet weight without ${t.name + SCALE_SUFFIX} in this file (another shard?); trits are exact, the scale is unknown`);
      }
    }
    if (packed)
      notes.push(
        `${packed} packed BitNet matrices (transformers pack_weights: 4 trits per byte, row quarters in bit pairs 0–1 … 6–7); value = trit ${convention === 'divide' ? '/' : '×'} weight_scale (${config?.linearClass ?? 'bitlinear, transformers\' default'} linear class)`,
      );
    for (const t of tensors) await probe(f, t);
    const metadata: Record<string, unknown> = { ...(sh.metadata ?? {}) };
    for (const [k, v] of Object.entries(config?.values ?? {})) metadata[`config.${k}`] = v;
    return {
      format: SAFETENSORS_FORMAT,
      file,
      fileBytes: f.size,
      metadata,
      tensors: tensors.sort((a, b) => a.offset - b.offset),
      headerBytes: HEADER_PREFIX_BYTES + n,
      ...(notes.length ? { notes } : {}),
    };
  } finally {
    await f.close();
  }
}
