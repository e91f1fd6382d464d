/**
 * Weights-only model (GGUF, Hugging Face checkpoint) → weights-only `.tnn`
 * (docs/tnn-format.md §10): every ternary tensor as packed trits (§3) with its
 * scales in a separate tensor named in `__metadata__.weight_scales`; float and
 * integer tensors copied in their own dtype; other quantized types kept as raw
 * bytes listed in `opaque_tensors`; no graph layers. Streams in bounded chunks:
 * one statistics pass (decides which float matrices are {−s, 0, +s}, rejects
 * non-trit codes before anything is written), then one writing pass.
 */
import path from 'node:path';
import { DTYPE_SIZES, isDtype, type Dtype } from '../format/index';
import { packedLength } from '../format/index';
import { TNN_FORMAT, TNN_VERSION } from '../format/index';
import { TOOL_VERSION } from '../version';
import { WeightsAbortError, WeightsFormatError } from './errors';
import { openForRead, type ReadableModelFile } from './file-io';
import { computeWeightsStats, type StatsProgress, type TensorStats } from './stats';
import { TnnStreamWriter, TritPacker, type PlannedTensor } from './tnn-stream';
import { streamTrits } from './trit-source';
import type { WeightsListing, WeightTensorInfo } from './types';

export interface ConvertOptions {
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'stats' | 'write'; bytesDone: number; bytesTotal: number }) => void;
  /** Path to read when listing.file is only a label. */
  path?: string;
}

export interface ConvertReport {
  target: string;
  ternaryTensors: number;
  trits: number;
  floatTensors: number;
  opaqueTensors: number;
  bytes: number;
}

type Plan =
  | { kind: 'trits'; src: WeightTensorInfo; stats: TensorStats; out: PlannedTensor; scale: PlannedTensor | null }
  | { kind: 'copy'; src: WeightTensorInfo; out: PlannedTensor };

const MAX_SOURCE_VALUE_CHARS = 64 << 10;

function scaleTensor(t: WeightTensorInfo, s: TensorStats, name: string): PlannedTensor | null {
  if (t.dtype === 'TQ1_0' || t.dtype === 'TQ2_0') {
    const blocks = s.elements / 256;
    return { name, dtype: 'F16', shape: [blocks], byteLength: 2 * blocks };
  }
  // One effective scale per tensor (I2_S tail, weight_scale after its convention, or the float tensor's s).
  return s.scales && s.scales.count === 1 ? { name, dtype: 'F32', shape: [1], byteLength: 4 } : null;
}

function plan(listing: WeightsListing, stats: TensorStats[]): { plans: Plan[]; meta: Record<string, string> } {
  const names = new Set(listing.tensors.map((t) => t.name));
  if (names.has('__metadata__')) throw new WeightsFormatError(listing.file, 'tensor "__metadata__"', 'the name is reserved by safetensors/.tnn');
  const unique = (base: string) => {
    let name = base;
    for (let i = 2; names.has(name); i++) name = `${base}#${i}`;
    names.add(name);
    return name;
  };
  const plans: Plan[] = [];
  const trit: Record<string, { count: number; shape: number[] }> = {};
  const scales: Record<string, { tensor: string; block: number | null; convention: 'multiply'; source: string }> = {};
  const opaque: Record<string, { type: string; shape: number[]; reason: string }> = {};
  const order = listing.tensors.map((t, i) => i).sort((a, b) => listing.tensors[a].offset - listing.tensors[b].offset);
  for (const i of order) {
    const t = listing.tensors[i];
    const s = stats[i];
    if (s.ternary && s.decoded && s.trits) {
      if (s.nonTernary) throw new WeightsFormatError(listing.file, `tensor ${JSON.stringify(t.name)}`, `${s.nonTernary} stored codes are not trits (code 3); a .tnn cannot hold them`, t.offset);
      const scale = scaleTensor(t, s, unique(`${t.name}.scales`));
      plans.push({ kind: 'trits', src: t, stats: s, out: { name: t.name, dtype: 'U8', shape: [packedLength(s.elements)], byteLength: packedLength(s.elements) }, scale });
      trit[t.name] = { count: s.elements, shape: [...t.shape] };
      if (scale) scales[t.name] = { tensor: scale.name, block: scale.shape[0] === 1 && !t.blockSize ? null : 256, convention: 'multiply', source: t.dtype };
    } else if (isDtype(t.dtype) && !(t.dtype === 'U8' && t.packing)) {
      const size = DTYPE_SIZES[t.dtype as Dtype];
      plans.push({ kind: 'copy', src: t, out: { name: t.name, dtype: t.dtype as Dtype, shape: t.byteLength === s.elements * size ? [...t.shape] : [t.byteLength / size], byteLength: t.byteLength } });
    } else {
      plans.push({ kind: 'copy', src: t, out: { name: t.name, dtype: 'U8', shape: [t.byteLength], byteLength: t.byteLength } });
      opaque[t.name] = { type: t.dtype, shape: [...t.shape], reason: t.undecoded ?? s.note ?? 'not a ternary or float type' };
    }
  }
  const source = Object.fromEntries(Object.entries(listing.metadata).filter(([, v]) => (JSON.stringify(v) ?? '').length <= MAX_SOURCE_VALUE_CHARS));
  const meta: Record<string, string> = {
    format: TNN_FORMAT,
    tnn_version: TNN_VERSION,
    graph: JSON.stringify({ name: String(listing.metadata['general.name'] ?? path.basename(listing.file)), inputs: [], outputs: [], layers: [] }),
    provenance: JSON.stringify({ sourceFile: path.basename(listing.file), method: `convert from ${listing.format}`, toolVersion: TOOL_VERSION, date: new Date().toISOString() }),
    trit_tensors: JSON.stringify(trit),
    latent_tensors: '[]',
    weight_scales: JSON.stringify(scales),
    opaque_tensors: JSON.stringify(opaque),
    source: JSON.stringify({ format: listing.format, version: listing.version ?? null, metadata: source }),
  };
  return { plans, meta };
}

async function copyRaw(f: ReadableModelFile, t: WeightTensorInfo, w: TnnStreamWriter, buf: Uint8Array, tick: (n: number) => void): Promise<void> {
  for (let at = 0; at < t.byteLength; at += buf.length) {
    const n = Math.min(buf.length, t.byteLength - at);
    await f.readInto(buf.subarray(0, n), t.offset + at);
    await w.write(buf.subarray(0, n));
    tick(n);
  }
}

export async function convertToWeightsTnn(listing: WeightsListing, target: string, options: ConvertOptions = {}): Promise<ConvertReport> {
  const { signal, onProgress } = options;
  const source = options.path ?? listing.file;
  if (path.resolve(source) === path.resolve(target)) throw new WeightsFormatError(listing.file, 'output', 'is the source model itself; the source is never modified');
  const stats = await computeWeightsStats(listing, { signal, path: source, onProgress: (p: StatsProgress) => onProgress?.({ phase: 'stats', bytesDone: p.bytesDone, bytesTotal: p.bytesTotal }) });
  const { plans, meta } = plan(listing, stats.tensors);
  const tensors = plans.flatMap((p) => (p.kind === 'trits' && p.scale ? [p.out, p.scale] : [p.out]));
  const f = await openForRead(source);
  let w: TnnStreamWriter | null = null;
  try {
    if (f.size !== listing.fileBytes) throw new WeightsFormatError(listing.file, 'file', `size changed from ${listing.fileBytes} to ${f.size} bytes since its header was read`);
    w = await TnnStreamWriter.create(target, tensors, meta);
    const writer = w;
    const bytesTotal = plans.reduce((s, p) => s + p.src.byteLength, 0);
    let bytesDone = 0;
    const tick = (n: number) => {
      bytesDone += n;
      onProgress?.({ phase: 'write', bytesDone, bytesTotal });
    };
    const buf = new Uint8Array(8 << 20);
    let trits = 0;
    for (const p of plans) {
      if (signal?.aborted) throw new WeightsAbortError(listing.file);
      if (p.kind === 'copy') {
        await copyRaw(f, p.src, writer, buf, tick);
        continue;
      }
      const packer = new TritPacker((bytes) => writer.write(bytes));
      const stored = await streamTrits(f, p.src, async (run) => {
        if (signal?.aborted) throw new WeightsAbortError(listing.file);
        await packer.push(run);
      });
      await packer.end();
      if (packer.count !== p.stats.elements) throw new WeightsFormatError(listing.file, `tensor ${JSON.stringify(p.src.name)}`, `decoded ${packer.count} trits, expected ${p.stats.elements}`);
      trits += packer.count;
      tick(p.src.byteLength);
      if (!p.scale) continue;
      if (stored.blockBits) await writer.write(new Uint8Array(stored.blockBits.buffer, stored.blockBits.byteOffset, stored.blockBits.byteLength));
      else {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setFloat32(0, p.stats.scales!.mean, true);
        await writer.write(b);
      }
    }
    await writer.commit(target, signal);
    w = null;
    return {
      target,
      ternaryTensors: plans.filter((p) => p.kind === 'trits').length,
      trits,
      floatTensors: plans.filter((p) => p.kind === 'copy' && !JSON.parse(meta.opaque_tensors)[p.src.name]).length,
      opaqueTensors: Object.keys(JSON.parse(meta.opaque_tensors)).length,
      bytes: tensors.reduce((s, t) => s + t.byteLength, 0),
    };
  } finally {
    await w?.abandon();
    await f.close();
  }
}
