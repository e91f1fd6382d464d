/**
 * Streaming per-tensor statistics kernels, one per stored type. A kernel sees
 * the tensor's bytes in order, in pieces that are whole multiples of `unit`
 * bytes, and keeps only fixed-size count tables, so memory does not grow with
 * the tensor. Decoding rules: gguf/tq.ts (llama.cpp), gguf/i2s.ts (bitnet.cpp),
 * checkpoint/bitnet-packed.ts (transformers).
 */
import { I2S_TAIL_BYTES } from '../gguf/i2s';
import { addByteCounts, addHalfCounts } from './counting';
import { bf16ToNumber, f16ToNumber } from './half';
import { halfPairs, halfTernaryCheck, summarizeWeighted, tritsFromByteHistogram, twoBitDigits, type TritCounts, type ValueSummary } from './histograms';
import { tqKernel } from './tq-kernel';
import type { WeightTensorInfo } from './types';

/** What a kernel found; stats.ts adds the listing-level fields. */
export interface KernelResult {
  ternary: boolean;
  trits: TritCounts | null;
  /** Codes outside {−1, 0, +1} (TQ2_0 / I2_S / packed code 3); always 0 for TQ1_0. */
  nonTernary: number;
  /** Per-block (TQ*) or per-tensor scales as stored, before any convention is applied. */
  scales: ValueSummary | null;
  /** Value summary of a float tensor (its elements). */
  values: ValueSummary | null;
  /** The magnitude s of an unpacked {−s, 0, +s} float tensor. */
  s?: number;
}

export interface Kernel {
  /** Pieces passed to consume() are multiples of this many bytes. */
  unit: number;
  consume(bytes: Uint8Array, at: number): void;
  finish(): KernelResult;
}

/** bitnet.cpp I2_S: n/4 code bytes, then a 32-byte tail whose first 4 bytes are the f32 scale. */
function i2sKernel(elements: number): Kernel {
  const codeBytes = Math.floor(elements / 4);
  const hist = new Float64Array(256);
  const tail = new Uint8Array(I2S_TAIL_BYTES);
  return {
    unit: 1,
    consume(bytes, at) {
      const codesHere = Math.max(0, Math.min(bytes.length, codeBytes - at));
      addByteCounts(bytes.subarray(0, codesHere), hist);
      for (let i = codesHere; i < bytes.length; i++) tail[at + i - codeBytes] = bytes[i];
    },
    finish() {
      const c = { neg: 0, zero: 0, pos: 0, other: 0 };
      tritsFromByteHistogram(hist, twoBitDigits, c);
      const scale = new DataView(tail.buffer).getFloat32(0, true);
      return { ternary: true, trits: { neg: c.neg, zero: c.zero, pos: c.pos }, nonTernary: c.other, scales: summarizeWeighted([[scale, 1]]), values: null };
    },
  };
}

/** transformers' packed BitNet weights: four 2-bit codes per byte (checkpoint/bitnet-packed.ts); the scale is a separate tensor. */
function packedKernel(): Kernel {
  const hist = new Float64Array(256);
  return {
    unit: 1,
    consume(bytes) {
      addByteCounts(bytes, hist);
    },
    finish() {
      const c = { neg: 0, zero: 0, pos: 0, other: 0 };
      tritsFromByteHistogram(hist, twoBitDigits, c);
      return { ternary: true, trits: { neg: c.neg, zero: c.zero, pos: c.pos }, nonTernary: c.other, scales: null, values: null };
    },
  };
}

/** `.tnn` packed trits (docs/tnn-format.md §3): five base-3 digits per byte, least significant first; padding digits are 1. */
function tnn5Kernel(count: number): Kernel {
  const hist = new Float64Array(256);
  let last = -1;
  const bytes = Math.ceil(count / 5);
  return {
    unit: 1,
    consume(chunk, at) {
      addByteCounts(chunk, hist);
      if (at + chunk.length === bytes && chunk.length) last = chunk[chunk.length - 1];
    },
    finish() {
      const c = { neg: 0, zero: 0, pos: 0, other: 0 };
      tritsFromByteHistogram(hist, (b) => (b >= 243 ? [2, 2, 2, 2, 2] : [0, 1, 2, 3, 4].map((i) => (Math.floor(b / 3 ** i) % 3) - 1)), c);
      // The padding digits of the last byte were counted as zeros (or not, if the file is bad).
      const used = count % 5;
      if (used && last >= 0 && last < 243)
        for (let i = used; i < 5; i++) {
          const t = (Math.floor(last / 3 ** i) % 3) - 1;
          if (t === 0) c.zero--;
          else if (t === -1) c.neg--;
          else c.pos--;
          if (t !== 0) c.other++;
        }
      return { ternary: true, trits: { neg: c.neg, zero: c.zero, pos: c.pos }, nonTernary: c.other, scales: null, values: null };
    },
  };
}

/** F16 / BF16: a histogram of bit patterns gives exact value statistics and the {−s, 0, +s} test. */
function halfKernel(kind: 'f16' | 'bf16', matrix: boolean): Kernel {
  const hist = new Float64Array(65536);
  return {
    unit: 2,
    consume(bytes) {
      addHalfCounts(bytes, hist);
    },
    finish() {
      const values = summarizeWeighted(halfPairs(hist, kind));
      const t = halfTernaryCheck(hist, kind);
      const ternary = matrix && t.ternary && t.trits.neg > 0 && t.trits.pos > 0;
      return ternary
        ? { ternary, trits: t.trits, nonTernary: 0, scales: summarizeWeighted([[t.s, 1]]), values, s: t.s }
        : { ternary: false, trits: null, nonTernary: 0, scales: null, values };
    },
  };
}

/** F32 / F64: running moments; the ternary test tracks the first nonzero magnitude (exact comparison). */
function wideKernel(size: 4 | 8, matrix: boolean): Kernel {
  let count = 0, nonFinite = 0, sum = 0, min = Infinity, max = -Infinity;
  let magnitude = NaN;
  let ternary = matrix;
  const trits = { neg: 0, zero: 0, pos: 0 };
  // A coarse histogram needs the range first; values are summarized by min/mean/max and 0-width bins are avoided.
  return {
    unit: size,
    consume(bytes) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // Typed-array reads when aligned on a little-endian host (the usual case), DataView otherwise.
      const fast = littleEndianHost && bytes.byteOffset % size === 0 ? (size === 4 ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8)) : null;
      for (let i = 0, k = 0; i < bytes.length; i += size, k++) {
        const v = fast ? fast[k] : size === 4 ? view.getFloat32(i, true) : view.getFloat64(i, true);
        if (!Number.isFinite(v)) {
          nonFinite++;
          ternary = false;
          continue;
        }
        count++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
        if (v === 0) trits.zero++;
        else {
          if (v < 0) trits.neg++;
          else trits.pos++;
          const m = Math.abs(v);
          if (Number.isNaN(magnitude)) magnitude = m;
          else if (m !== magnitude) ternary = false;
        }
      }
    },
    finish() {
      const values: ValueSummary = count
        ? { count, nonFinite, min, mean: sum / count, max, histogram: { min, max, counts: [] } }
        : { count: 0, nonFinite, min: NaN, mean: NaN, max: NaN, histogram: { min: NaN, max: NaN, counts: [] } };
      const isT = ternary && trits.neg > 0 && trits.pos > 0;
      return isT
        ? { ternary: true, trits, nonTernary: 0, scales: summarizeWeighted([[magnitude, 1]]), values, s: magnitude }
        : { ternary: false, trits: null, nonTernary: 0, scales: null, values };
    },
  };
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes per kernel unit (pieces are multiples of it), or null when the tensor's values are not decoded; matches kernelFor. */
export function kernelUnit(t: WeightTensorInfo): number | null {
  if (t.undecoded) return null;
  switch (t.dtype) {
    case 'TQ1_0': return 54;
    case 'TQ2_0': return 66;
    case 'I2_S': return 1;
    case 'F16': case 'BF16': return 2;
    case 'F32': return 4;
    case 'F64': return 8;
    case 'U8': return t.packing ? 1 : null;
    default: return null;
  }
}

/** The kernel for a listed tensor, or null when its values are not decoded (listed only). */
export function kernelFor(t: WeightTensorInfo): Kernel | null {
  if (t.undecoded) return null;
  const matrix = t.shape.length >= 2;
  switch (t.dtype) {
    case 'TQ1_0':
    case 'TQ2_0': return tqKernel(t.dtype);
    case 'I2_S': return i2sKernel(t.elements ?? 0);
    case 'F16': return halfKernel('f16', matrix);
    case 'BF16': return halfKernel('bf16', matrix);
    case 'F32': return wideKernel(4, matrix);
    case 'F64': return wideKernel(8, matrix);
    case 'U8': return t.packing === 'bitnet4' ? packedKernel() : t.packing === 'tnn5' ? tnn5Kernel(t.elements ?? 0) : null;
    default: return null;
  }
}

/** Decodes a small scale tensor (Hugging Face `weight_scale`) read whole. */
export function decodeScalars(bytes: Uint8Array, dtype: string): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  const size = dtype === 'F32' ? 4 : dtype === 'F64' ? 8 : 2;
  for (let i = 0; i + size <= bytes.length; i += size) {
    if (dtype === 'F32') out.push(view.getFloat32(i, true));
    else if (dtype === 'F64') out.push(view.getFloat64(i, true));
    else if (dtype === 'BF16') out.push(bf16ToNumber(view.getUint16(i, true)));
    else out.push(f16ToNumber(view.getUint16(i, true)));
  }
  return out;
}
