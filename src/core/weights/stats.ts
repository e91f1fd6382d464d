/**
 * Streaming statistics over a weights listing: per tensor the trits −1/0/+1,
 * sparsity, entropy, the stored scales (min/mean/max, histogram) and bits per
 * weight. The file is read once, in order, in chunks of `chunkBytes` (two
 * buffers: the next chunk is read while the current one is counted), so memory
 * is two chunks plus fixed count tables, whatever the file size.
 */
import { entropyBits } from '../quant/stats';
import { WeightsAbortError, WeightsFormatError } from './errors';
import { openForRead, type ReadableModelFile } from './file-io';
import { summarizeWeighted, type TritCounts, type ValueSummary } from './histograms';
import { decodeScalars, kernelFor, kernelUnit, type Kernel, type KernelResult } from './kernels';
import type { WeightScaleInfo, WeightsListing, WeightTensorInfo } from './types';

export interface TensorStats {
  name: string;
  dtype: string;
  shape: number[];
  elements: number;
  byteLength: number;
  bitsPerWeight: number;
  /** Decided from the data: a ternary type, packed trits, or a float matrix holding only {−s, 0, +s}. */
  ternary: boolean;
  trits: TritCounts | null;
  /** Stored codes that are not −1/0/+1 (e.g. TQ2_0 code 3, which llama.cpp decodes as +2·d). */
  nonTernary: number;
  sparsity: number | null;
  entropyBits: number | null;
  /** Effective magnitude of a ±1 trit, per stored scale (per 256-weight block for TQ1_0/TQ2_0). */
  scales: ValueSummary | null;
  scale?: WeightScaleInfo;
  /** Element statistics of float tensors. */
  values: ValueSummary | null;
  /** false when the values were not read (quantized non-ternary types, undecoded types). */
  decoded: boolean;
  note?: string;
}

export interface WeightsStats {
  file: string;
  tensors: TensorStats[];
  /** Bytes of tensor data read. */
  bytesRead: number;
}

export interface StatsProgress {
  bytesDone: number;
  bytesTotal: number;
  tensor: string;
}

export interface StatsOptions {
  signal?: AbortSignal;
  onProgress?: (p: StatsProgress) => void;
  /** Read size (default 16 MiB). */
  chunkBytes?: number;
  /** Path to read when it differs from listing.file (e.g. a label vs the real path). */
  path?: string;
  /**
   * Each decoded tensor's statistics as soon as its last chunk is counted (file order), for views that fill in
   * while the pass runs. A `.tnn` block-scale summary streamed after its tensor appears only in the final result.
   */
  onTensor?: (index: number, stats: TensorStats) => void;
  /** Read only these tensors (a part of a pass split across workers, see stats-parts.ts); the others are left undecoded. */
  include?: (index: number) => boolean;
}

export const DEFAULT_CHUNK_BYTES = 16 << 20;
const MAX_SCALE_TENSOR_BYTES = 4096;

interface Segment {
  index: number;
  at: number;
  length: number;
}

function segments(tensors: WeightTensorInfo[], units: (number | null)[], chunk: number): Segment[] {
  const order = tensors.map((_, i) => i).filter((i) => units[i]).sort((a, b) => tensors[a].offset - tensors[b].offset);
  const out: Segment[] = [];
  for (const index of order) {
    const unit = units[index]!;
    const step = Math.max(unit, Math.floor(chunk / unit) * unit);
    for (let at = 0; at < tensors[index].byteLength; at += step) out.push({ index, at, length: Math.min(step, tensors[index].byteLength - at) });
  }
  return out;
}

/** Effective scales of tensors whose scale lives in a separate tensor (Hugging Face `weight_scale`). */
async function separateScales(listing: WeightsListing, f: ReadableModelFile): Promise<Map<string, ValueSummary>> {
  const byName = new Map(listing.tensors.map((t) => [t.name, t]));
  const out = new Map<string, ValueSummary>();
  for (const t of listing.tensors) {
    if (t.scale?.kind !== 'tensor' || !t.scale.tensor) continue;
    const s = byName.get(t.scale.tensor);
    if (!s || s.byteLength > MAX_SCALE_TENSOR_BYTES) continue;
    const bytes = new Uint8Array(s.byteLength);
    await f.readInto(bytes, s.offset);
    const values = decodeScalars(bytes, s.dtype).map((v) => (t.scale!.convention === 'divide' ? 1 / v : v));
    out.set(t.name, summarizeWeighted(values.map((v) => [v, 1] as [number, number])));
  }
  return out;
}

function finishTensor(t: WeightTensorInfo, r: KernelResult | null, separate: ValueSummary | undefined): TensorStats {
  const elements = t.elements ?? t.shape.reduce((a, b) => a * b, 1);
  const base = { name: t.name, dtype: t.dtype, shape: [...t.shape], elements, byteLength: t.byteLength, bitsPerWeight: elements ? (8 * t.byteLength) / elements : 0 };
  if (!r) {
    return { ...base, ternary: t.ternary, trits: null, nonTernary: 0, sparsity: null, entropyBits: null, scales: null, values: null, decoded: false, ...(t.undecoded ? { note: t.undecoded } : {}), ...(t.scale ? { scale: t.scale } : {}) };
  }
  const n = r.trits ? r.trits.neg + r.trits.zero + r.trits.pos : 0;
  const scale: WeightScaleInfo | undefined = t.scale ?? (r.ternary && r.s !== undefined ? { kind: 'value', convention: 'multiply' } : undefined);
  return {
    ...base,
    ternary: r.ternary,
    trits: r.trits,
    nonTernary: r.nonTernary,
    sparsity: r.trits && n ? r.trits.zero / n : null,
    entropyBits: r.trits && n ? entropyBits([r.trits.neg, r.trits.zero, r.trits.pos]) : null,
    scales: separate ?? r.scales,
    ...(scale ? { scale } : {}),
    values: r.values,
    decoded: true,
    ...(r.nonTernary ? { note: `${r.nonTernary} stored codes are not −1/0/+1 (code 3)` } : {}),
  };
}

/** Scale tensors too large to read up front (a `.tnn` block-scale tensor) lend their streamed value summary. */
function scalesFromResults(listing: WeightsListing, results: (KernelResult | null)[], separate: Map<string, ValueSummary>): void {
  const index = new Map(listing.tensors.map((t, i) => [t.name, i]));
  for (const t of listing.tensors) {
    if (t.scale?.kind !== 'tensor' || !t.scale.tensor || separate.has(t.name) || t.scale.convention !== 'multiply') continue;
    const i = index.get(t.scale.tensor);
    const values = i === undefined ? null : results[i]?.values;
    if (values) separate.set(t.name, values);
  }
}

export async function computeWeightsStats(listing: WeightsListing, options: StatsOptions = {}): Promise<WeightsStats> {
  const { signal, onProgress } = options;
  const chunk = Math.max(1 << 16, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const f = await openForRead(options.path ?? listing.file);
  let pending: Promise<void> | null = null;
  try {
    if (f.size !== listing.fileBytes)
      throw new WeightsFormatError(listing.file, 'file', `size changed from ${listing.fileBytes} to ${f.size} bytes since its header was read`);
    // Kernels are created when their tensor's first chunk arrives and finished after its last one,
    // so only one tensor's count tables exist at a time, whatever the number of tensors.
    const units = listing.tensors.map((t, i) => (options.include && !options.include(i) ? null : kernelUnit(t)));
    const plan = segments(listing.tensors, units, chunk);
    const results: (KernelResult | null)[] = listing.tensors.map(() => null);
    let currentIndex = -1;
    let kernel: Kernel | null = null;
    const finishCurrent = () => {
      if (kernel) {
        results[currentIndex] = kernel.finish();
        options.onTensor?.(currentIndex, finishTensor(listing.tensors[currentIndex], results[currentIndex], separate.get(listing.tensors[currentIndex].name)));
      }
      kernel = null;
    };
    const bytesTotal = plan.reduce((s, p) => s + p.length, 0);
    const separate = await separateScales(listing, f);
    const buffers = [new Uint8Array(chunk + 8), new Uint8Array(chunk + 8)];
    const read = (i: number) => f.readInto(buffers[i % 2].subarray(0, plan[i].length), listing.tensors[plan[i].index].offset + plan[i].at);
    let bytesDone = 0;
    pending = plan.length ? read(0) : null;
    for (let i = 0; i < plan.length; i++) {
      await pending;
      pending = null;
      if (signal?.aborted) throw new WeightsAbortError(listing.file);
      // Start the next read before counting this chunk: I/O and counting overlap.
      if (i + 1 < plan.length) pending = read(i + 1);
      const p = plan[i];
      if (currentIndex !== p.index || !kernel) {
        finishCurrent();
        currentIndex = p.index;
        kernel = kernelFor(listing.tensors[p.index])!;
      }
      kernel.consume(buffers[i % 2].subarray(0, p.length), p.at);
      bytesDone += p.length;
      onProgress?.({ bytesDone, bytesTotal, tensor: listing.tensors[p.index].name });
    }
    finishCurrent();
    // Decoded tensors of zero bytes have no chunk: finish an empty kernel for them.
    listing.tensors.forEach((t, i) => {
      if (units[i] && !results[i]) results[i] = kernelFor(t)!.finish();
    });
    scalesFromResults(listing, results, separate);
    const tensors = listing.tensors.map((t, i) => finishTensor(t, results[i], separate.get(t.name)));
    return { file: listing.file, tensors, bytesRead: bytesDone };
  } finally {
    // Never close the handle under a read still in flight (an abort or a kernel error mid-way).
    await (pending as Promise<void> | null)?.catch(() => undefined);
    await f.close();
  }
}
