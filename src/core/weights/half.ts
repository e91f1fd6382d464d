/** IEEE binary16 and bfloat16 → number, via a 65536-entry table built once (bit-exact, NaN and ±0 kept). */
import { halfToFloat } from '../format/index';

let f16Table: Float32Array | undefined;

/** F16_TO_F32()[bits] = the value of the half-precision bit pattern (GGML_FP16_TO_FP32). */
export function f16Table32(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = halfToFloat(h);
  }
  return f16Table;
}

export function f16ToNumber(bits: number): number {
  return f16Table32()[bits & 0xffff];
}

const bfWord = new DataView(new ArrayBuffer(4));
/** bfloat16 is the top half of a float32 (ggml_bf16_to_fp32: bits << 16). */
export function bf16ToNumber(bits: number): number {
  bfWord.setUint32(0, (bits & 0xffff) << 16);
  return bfWord.getFloat32(0);
}

/** Nearest half-precision bits of x (round to nearest even), for writers and tests (GGML_FP32_TO_FP16). */
export function numberToF16(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}
