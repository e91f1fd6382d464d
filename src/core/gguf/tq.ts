/**
 * llama.cpp's ternary block types, decoded as `ggml/src/ggml-quants.c` does
 * (`dequantize_row_tq1_0`, `dequantize_row_tq2_0`); block layouts from
 * `ggml/src/ggml-common.h` (`block_tq1_0`, `block_tq2_0`). QK_K = 256.
 *
 * TQ1_0 (54 bytes): qs[48] holds 5 trits per byte, qh[4] holds 4, then f16 d.
 * A byte stores base-3 digits most significant first, rescaled by 256/243
 * (ceiling) in quantize_row_tq1_0_ref, so digit n of byte q is
 * ((uint8)(q·3ⁿ) · 3) >> 8 — the reference's multiply-and-shift, valid for every
 * byte value. Element order inside a block: qs[0..31] give elements n·32 + m
 * (n = digit 0..4, m = byte), qs[32..47] give 160 + n·16 + m, qh[0..3] give
 * 240 + n·4 + j (digits 0..3). Value = (digit − 1)·d.
 *
 * TQ2_0 (66 bytes): qs[64] holds 4 two-bit codes per byte, least significant
 * first, then f16 d. For j ∈ {0, 32}: element 4j + 32l + m = code l of qs[j+m].
 * Value = (code − 1)·d. The reference decoder maps code 3 to +2·d although its
 * quantizer never writes it; statistics count such codes as non-ternary.
 */
import { f16ToNumber } from '../weights/half';

export const QK_K = 256;
export const TQ1_0_BYTES = 54;
export const TQ2_0_BYTES = 66;
const TQ1_QS = 48;
const TQ1_QH = 4;

const POW3 = [1, 3, 9, 27, 81] as const;

/** TQ1_DIGIT[b·5 + n] = digit n (0…2) of byte b, exactly as dequantize_row_tq1_0 extracts it. */
export const TQ1_DIGIT: Uint8Array = (() => {
  const t = new Uint8Array(256 * 5);
  for (let b = 0; b < 256; b++) for (let n = 0; n < 5; n++) t[b * 5 + n] = (((b * POW3[n]) & 0xff) * 3) >> 8;
  return t;
})();

/** Element index within a TQ1_0 block of digit n of block byte i (0…51). */
function tq1Element(i: number, n: number): number {
  if (i < 32) return n * 32 + i;
  if (i < TQ1_QS) return 160 + n * 16 + (i - 32);
  return 240 + n * 4 + (i - TQ1_QS);
}

/**
 * Trits and f16 scale bits of `nBlocks` TQ1_0 blocks: trits[k] ∈ {−1, 0, +1} in ggml element
 * order, scaleBits[b] the raw f16 of block b.
 */
export function decodeTq1_0(bytes: Uint8Array, nBlocks: number): { trits: Int8Array; scaleBits: Uint16Array } {
  checkLength(bytes, nBlocks, TQ1_0_BYTES, 'TQ1_0');
  const trits = new Int8Array(nBlocks * QK_K);
  const scaleBits = new Uint16Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) {
    const base = b * TQ1_0_BYTES;
    const out = b * QK_K;
    for (let i = 0; i < TQ1_QS + TQ1_QH; i++) {
      const q = bytes[base + i];
      const digits = i < TQ1_QS ? 5 : 4;
      for (let n = 0; n < digits; n++) trits[out + tq1Element(i, n)] = TQ1_DIGIT[q * 5 + n] - 1;
    }
    scaleBits[b] = bytes[base + 52] | (bytes[base + 53] << 8);
  }
  return { trits, scaleBits };
}

/** 2-bit codes (0…3) and f16 scale bits of `nBlocks` TQ2_0 blocks, in ggml element order. */
export function decodeTq2_0Codes(bytes: Uint8Array, nBlocks: number): { codes: Uint8Array; scaleBits: Uint16Array } {
  checkLength(bytes, nBlocks, TQ2_0_BYTES, 'TQ2_0');
  const codes = new Uint8Array(nBlocks * QK_K);
  const scaleBits = new Uint16Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) {
    const base = b * TQ2_0_BYTES;
    const out = b * QK_K;
    for (let j = 0; j < 64; j += 32)
      for (let l = 0; l < 4; l++)
        for (let m = 0; m < 32; m++) codes[out + 4 * j + 32 * l + m] = (bytes[base + j + m] >> (2 * l)) & 3;
    scaleBits[b] = bytes[base + 64] | (bytes[base + 65] << 8);
  }
  return { codes, scaleBits };
}

/** dequantize_row_tq1_0: (digit − 1)·d for every weight. */
export function dequantizeTq1_0(bytes: Uint8Array, nBlocks: number): Float32Array {
  const { trits, scaleBits } = decodeTq1_0(bytes, nBlocks);
  const y = new Float32Array(trits.length);
  for (let b = 0; b < nBlocks; b++) {
    const d = f16ToNumber(scaleBits[b]);
    for (let k = b * QK_K; k < (b + 1) * QK_K; k++) y[k] = trits[k] * d;
  }
  return y;
}

/** dequantize_row_tq2_0: (code − 1)·d for every weight (code 3 gives 2·d, as in the reference). */
export function dequantizeTq2_0(bytes: Uint8Array, nBlocks: number): Float32Array {
  const { codes, scaleBits } = decodeTq2_0Codes(bytes, nBlocks);
  const y = new Float32Array(codes.length);
  for (let b = 0; b < nBlocks; b++) {
    const d = f16ToNumber(scaleBits[b]);
    for (let k = b * QK_K; k < (b + 1) * QK_K; k++) y[k] = (codes[k] - 1) * d;
  }
  return y;
}

function checkLength(bytes: Uint8Array, nBlocks: number, blockBytes: number, type: string): void {
  if (!Number.isSafeInteger(nBlocks) || nBlocks < 0 || bytes.length !== nBlocks * blockBytes)
    throw new RangeError(`${type}: ${bytes.length} bytes is not ${nBlocks} blocks of ${blockBytes} bytes`);
}
