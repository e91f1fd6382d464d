/** A small GGUF model with every decoded type, built from known trits and scales (test/unit/gguf/writer.ts). */
import { encodeI2S } from '../../../src/core/gguf/i2s';
import { numberToF16 } from '../../../src/core/weights/half';
import { mulberry32 } from '../../../src/core/rng';
import { ggufFile, quantizeTq1_0Ref, quantizeTq2_0Ref, tritsTimesBlockScales, type KvValue } from './writer';

export interface KnownTensor {
  name: string;
  ne: number[];
  typeId: number;
  data: Uint8Array;
  trits?: Int8Array;
  /** Effective scale per 256-weight block (TQ*) or per tensor. */
  scales?: number[];
  values?: Float32Array;
}

export function randomTrits(n: number, seed: number, zeroShare = 0.4): Int8Array {
  const r = mulberry32(seed);
  return Int8Array.from({ length: n }, () => {
    const u = r();
    return u < zeroShare ? 0 : u < zeroShare + (1 - zeroShare) / 2 ? 1 : -1;
  });
}

/** Scales exactly representable in f16, so the reference quantizer's stored d equals them. */
export function blockScales(nBlocks: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: nBlocks }, () => Math.round((0.01 + r()) * 1024) / 1024);
}

export function tq1Tensor(name: string, ne: number[], seed: number): KnownTensor {
  const n = ne.reduce((a, b) => a * b, 1);
  const trits = randomTrits(n, seed);
  const scales = blockScales(n / 256, seed + 1);
  // A block whose trits are all 0 stores d = 0 (amax = 0), as quantize_row_tq1_0_ref does.
  const stored = scales.map((s, b) => (trits.subarray(b * 256, (b + 1) * 256).some((t) => t !== 0) ? s : 0));
  return { name, ne, typeId: 34, data: quantizeTq1_0Ref(tritsTimesBlockScales(trits, scales)), trits, scales: stored };
}

export function tq2Tensor(name: string, ne: number[], seed: number): KnownTensor {
  const n = ne.reduce((a, b) => a * b, 1);
  const trits = randomTrits(n, seed, 0.2);
  const scales = blockScales(n / 256, seed + 1);
  const stored = scales.map((s, b) => (trits.subarray(b * 256, (b + 1) * 256).some((t) => t !== 0) ? s : 0));
  return { name, ne, typeId: 35, data: quantizeTq2_0Ref(tritsTimesBlockScales(trits, scales)), trits, scales: stored };
}

export function i2sTensor(name: string, ne: number[], seed: number, scale = 0.8125): KnownTensor {
  const n = ne.reduce((a, b) => a * b, 1);
  const trits = randomTrits(n, seed, 0.5);
  return { name, ne, typeId: 36, data: encodeI2S(Uint8Array.from(trits, (t) => t + 1), scale), trits, scales: [scale] };
}

export function f16Tensor(name: string, ne: number[], values: number[]): KnownTensor {
  const data = new Uint8Array(values.length * 2);
  const dv = new DataView(data.buffer);
  values.forEach((v, i) => dv.setUint16(i * 2, numberToF16(v), true));
  return { name, ne, typeId: 1, data, values: Float32Array.from(values) };
}

export function f32Tensor(name: string, ne: number[], values: number[]): KnownTensor {
  const v = Float32Array.from(values);
  return { name, ne, typeId: 0, data: new Uint8Array(v.buffer), values: v };
}

export function bf16Tensor(name: string, ne: number[], values: number[]): KnownTensor {
  const v = Float32Array.from(values);
  const words = new Uint32Array(v.buffer);
  const data = new Uint8Array(values.length * 2);
  const dv = new DataView(data.buffer);
  words.forEach((w, i) => dv.setUint16(i * 2, w >>> 16, true)); // exact for values whose low 16 bits are 0
  return { name, ne, typeId: 30, data, values: v };
}

export const SMALL_KVS: Record<string, KvValue> = {
  'general.architecture': { type: 'string', value: 'bitnet' },
  'general.name': { type: 'string', value: 'tiny-ternary' },
  'bitnet.context_length': { type: 'u32', value: 4096 },
  'bitnet.block_count': { type: 'u32', value: 2 },
  'general.alignment': { type: 'u32', value: 32 },
  'general.file_type': { type: 'u32', value: 36 },
  'tokenizer.ggml.tokens': { type: 'array', elementType: 'string', value: Array.from({ length: 100 }, (_, i) => `tok${i}`) },
  'test.u8': { type: 'u8', value: 200 }, 'test.i8': { type: 'i8', value: -5 }, 'test.u16': { type: 'u16', value: 65000 },
  'test.i16': { type: 'i16', value: -300 }, 'test.i32': { type: 'i32', value: -70000 }, 'test.f32': { type: 'f32', value: 0.5 },
  'test.bool': { type: 'bool', value: true }, 'test.u64': { type: 'u64', value: 2n ** 40n }, 'test.i64': { type: 'i64', value: -(2n ** 40n) },
  'test.f64': { type: 'f64', value: 1.25 },
  'test.nested': { type: 'array', elementType: 'array', value: [{ elementType: 'i32', value: [1, 2] }, { elementType: 'string', value: ['a'] }] },
};

/** Two transformer blocks: TQ1_0 attention, TQ2_0 / I2_S FFN, F32 norms, F16 embedding, BF16 output. */
export function smallModel(): { bytes: Uint8Array; tensors: KnownTensor[] } {
  const norm = (name: string) => f32Tensor(name, [256], Array.from({ length: 256 }, (_, i) => 1 + i / 512));
  const tensors: KnownTensor[] = [
    f16Tensor('token_embd.weight', [256, 4], Array.from({ length: 1024 }, (_, i) => ((i % 37) - 18) / 64)),
    tq1Tensor('blk.0.attn_q.weight', [256, 2], 11),
    tq1Tensor('blk.0.attn_k.weight', [256, 1], 12),
    tq2Tensor('blk.0.ffn_up.weight', [512, 2], 13),
    norm('blk.0.attn_norm.weight'),
    tq1Tensor('blk.1.attn_q.weight', [256, 2], 21),
    i2sTensor('blk.1.ffn_down.weight', [256, 2], 22),
    norm('blk.1.ffn_norm.weight'),
    bf16Tensor('output.weight', [256, 2], Array.from({ length: 512 }, (_, i) => ((i % 5) - 2) * 0.5)),
  ];
  return { bytes: ggufFile(SMALL_KVS, tensors), tensors };
}
