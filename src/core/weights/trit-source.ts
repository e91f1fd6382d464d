/**
 * The trits of one ternary tensor in logical (row-major) order, produced in
 * bounded runs for the converter, with the scales the tensor stores. Decoding
 * per type: gguf/tq.ts (llama.cpp), gguf/i2s.ts (bitnet.cpp),
 * checkpoint/bitnet-packed.ts (transformers), float {−s, 0, +s} by sign.
 * A stored code that is not a trit (TQ2_0 / I2_S / packed code 3) is an error
 * naming the tensor and the byte: a .tnn cannot hold it.
 */
import { decodeI2SBlocks, i2sScale, I2S_TAIL_BYTES } from '../gguf/i2s';
import { decodeTq1_0, decodeTq2_0Codes, QK_K, TQ1_0_BYTES, TQ2_0_BYTES } from '../gguf/tq';
import { WeightsFormatError } from './errors';
import type { ReadableModelFile } from './file-io';
import type { WeightTensorInfo } from './types';

export type TritSink = (trits: Int8Array) => Promise<void>;

/** What the tensor stores besides its trits. */
export interface StoredScales {
  /** f16 bits of each 256-weight block's d (TQ1_0 / TQ2_0). */
  blockBits?: Uint16Array;
  /** One scale for the tensor as stored (I2_S tail). */
  tensor?: number;
}

function codesToTrits(codes: Uint8Array, t: WeightTensorInfo, byteAt: (k: number) => number, file: string): Int8Array {
  const out = new Int8Array(codes.length);
  for (let k = 0; k < codes.length; k++) {
    if (codes[k] > 2) throw new WeightsFormatError(file, `tensor ${JSON.stringify(t.name)}`, `stored code 3 (value +2, not a trit) cannot be written as a trit`, byteAt(k));
    out[k] = codes[k] - 1;
  }
  return out;
}

async function blocks(f: ReadableModelFile, t: WeightTensorInfo, blockBytes: number, chunkBytes: number, each: (bytes: Uint8Array, nb: number, at: number) => Promise<void>): Promise<void> {
  const per = Math.max(1, Math.floor(chunkBytes / blockBytes));
  const buf = new Uint8Array(per * blockBytes);
  for (let at = 0; at < t.byteLength; at += per * blockBytes) {
    const n = Math.min(per * blockBytes, t.byteLength - at);
    await f.readInto(buf.subarray(0, n), t.offset + at);
    await each(buf.subarray(0, n), n / blockBytes, at);
  }
}

/** Streams the trits of `t` to `sink` and returns its stored scales. */
export async function streamTrits(f: ReadableModelFile, t: WeightTensorInfo, sink: TritSink, chunkBytes = 8 << 20): Promise<StoredScales> {
  const file = f.file;
  switch (t.dtype) {
    case 'TQ1_0':
    case 'TQ2_0': {
      const blockBytes = t.dtype === 'TQ1_0' ? TQ1_0_BYTES : TQ2_0_BYTES;
      const blockBits = new Uint16Array(t.byteLength / blockBytes);
      await blocks(f, t, blockBytes, chunkBytes, async (bytes, nb, at) => {
        const first = at / blockBytes;
        if (t.dtype === 'TQ1_0') {
          const d = decodeTq1_0(bytes, nb);
          blockBits.set(d.scaleBits, first);
          await sink(d.trits);
        } else {
          const d = decodeTq2_0Codes(bytes, nb);
          blockBits.set(d.scaleBits, first);
          // Code k of block b lives in byte b·66 + (k mod 256 < 128 ? 0 : 32) + k mod 32.
          const byteOf = (k: number) => t.offset + at + Math.floor(k / QK_K) * TQ2_0_BYTES + ((k % QK_K) < 128 ? 0 : 32) + (k % 32);
          await sink(codesToTrits(d.codes, t, byteOf, file));
        }
      });
      return { blockBits };
    }
    case 'I2_S': {
      const n = t.elements ?? 0;
      const codeBytes = n / 4;
      const tail = new Uint8Array(I2S_TAIL_BYTES);
      await f.readInto(tail, t.offset + codeBytes);
      await blocks(f, { ...t, byteLength: codeBytes }, 32, chunkBytes, async (bytes, _nb, at) => {
        const byteOf = (k: number) => t.offset + at + Math.floor(k / 128) * 32 + (k % 32);
        await sink(codesToTrits(decodeI2SBlocks(bytes), t, byteOf, file));
      });
      return { tensor: i2sScale(tail) };
    }
    case 'U8':
      return t.packing === 'bitnet4' ? streamBitnetPacked(f, t, sink, chunkBytes) : noTrits(t, file);
    case 'F16':
    case 'BF16':
    case 'F32':
    case 'F64':
      await streamFloatSigns(f, t, sink, chunkBytes);
      return {};
    default:
      return noTrits(t, file);
  }
}

function noTrits(t: WeightTensorInfo, file: string): never {
  throw new WeightsFormatError(file, `tensor ${JSON.stringify(t.name)}`, `${t.dtype} holds no trits this reader can decode`);
}

/** transformers' packing: unpacked row quarter i is bit pair i of every packed byte, so four passes emit rows in order. */
async function streamBitnetPacked(f: ReadableModelFile, t: WeightTensorInfo, sink: TritSink, chunkBytes: number): Promise<StoredScales> {
  const buf = new Uint8Array(Math.min(t.byteLength, Math.max(1, chunkBytes)));
  for (let i = 0; i < 4; i++) {
    for (let at = 0; at < t.byteLength; at += buf.length) {
      const n = Math.min(buf.length, t.byteLength - at);
      const bytes = buf.subarray(0, n);
      await f.readInto(bytes, t.offset + at);
      const codes = Uint8Array.from(bytes, (b) => (b >> (2 * i)) & 3);
      await sink(codesToTrits(codes, t, (k) => t.offset + at + k, f.file));
    }
  }
  return {};
}

/** A float {−s, 0, +s} tensor: trit = sign (stats.ts has already checked every value). */
async function streamFloatSigns(f: ReadableModelFile, t: WeightTensorInfo, sink: TritSink, chunkBytes: number): Promise<void> {
  const size = t.dtype === 'F64' ? 8 : t.dtype === 'F32' ? 4 : 2;
  const buf = new Uint8Array(Math.max(size, Math.floor(chunkBytes / size) * size));
  for (let at = 0; at < t.byteLength; at += buf.length) {
    const n = Math.min(buf.length, t.byteLength - at);
    await f.readInto(buf.subarray(0, n), t.offset + at);
    const view = new DataView(buf.buffer, 0, n);
    const out = new Int8Array(n / size);
    for (let k = 0; k < out.length; k++) {
      const v = size === 2 ? (view.getUint16(k * 2, true) & 0x7fff ? (view.getUint16(k * 2, true) & 0x8000 ? -1 : 1) : 0) : Math.sign(size === 4 ? view.getFloat32(k * 4, true) : view.getFloat64(k * 8, true));
      out[k] = v === 0 ? 0 : v; // −0 → 0
    }
    await sink(out);
  }
}
