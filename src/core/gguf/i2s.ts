/**
 * bitnet.cpp's I2_S (GGUF type id 36 in its llama.cpp fork). Every fact below is
 * from microsoft/BitNet and its fork Eddie-Wang1120/llama.cpp @406a503:
 *
 *  - size: `ggml_nbytes` (fork `ggml/src/ggml.c`) special-cases I2_S to
 *    nelements/4 + 32 (blck_size 1, type_size 1); `quantize_i2_s` returns the same.
 *  - codes: 2 bits per weight, 0 → −1, 1 → 0, 2 → +1 (`quantize_i2_s` in
 *    `src/ggml-bitnet-mad.cpp`: "q8 -> 0, 1, 2 | -1, 0, 1"). Code 3 is never written.
 *  - order: blocks of QK_I2_S = 128 consecutive weights (row-major, ggml order) fill
 *    32 bytes; weight j of a block goes to byte j mod 32 at bit shift 6 − 2·⌊j/32⌋, so
 *    byte p holds weights p, p+32, p+64, p+96 in bits 7–6, 5–4, 3–2, 1–0
 *    (`quantize_i2_s`, x86 branch; `quantize_to_i2_s` in
 *    `utils/convert-hf-to-gguf-bitnet.py` packs the same (4, 32) interleave).
 *  - scale: one f32 per tensor at byte nelements/4 (the first 4 bytes of the 32-byte
 *    tail; the other 28 are alignment); value = (code − 1) · scale.
 *
 * Caveat shown to users: since BitNet commit 112f853 (Nov 2025) `quantize_i2_s`
 * built for ARM NEON uses QK_I2_S = 64 with 16-byte groups, and without
 * ACT_PARALLEL a 4-row interleave; the file does not record which. Counts of
 * −1/0/+1 and the scale do not depend on the interleave; the positions decoded
 * here follow the x86 layout that the converter script and the published
 * bitnet-b1.58-2B-4T GGUF use.
 */

export const I2S_BLOCK = 128;
export const I2S_TAIL_BYTES = 32;
export const I2S_LAYOUT_NOTE =
  'I2_S weights are decoded in the x86 layout of bitnet.cpp (128-weight blocks, 4 interleaved 32-weight groups); files quantized by bitnet.cpp on ARM since Nov 2025 use 64-weight blocks: their trit counts and scale are still exact, only positions within a block differ.';

/** ggml_nbytes for I2_S in bitnet.cpp's fork: nelements/4 + 32 (integer division). */
export function i2sByteLength(elements: number): number {
  return Math.floor(elements / 4) + I2S_TAIL_BYTES;
}

/** Why an I2_S tensor of this many weights cannot be decoded position by position, or null. */
export function i2sUndecodable(elements: number): string | null {
  return elements % I2S_BLOCK === 0 ? null : `I2_S tensor of ${elements} weights is not a whole number of 128-weight blocks; bitnet.cpp never writes such tensors`;
}

/** Codes (0…3) of whole 32-byte I2_S blocks (128 weights each), in ggml element order. */
export function decodeI2SBlocks(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 32) throw new RangeError(`I2_S: ${bytes.length} bytes is not a whole number of 32-byte blocks`);
  const codes = new Uint8Array(bytes.length * 4);
  for (let src = 0, dst = 0; src < bytes.length; src += 32, dst += I2S_BLOCK) {
    for (let p = 0; p < 32; p++) {
      const b = bytes[src + p];
      codes[dst + p] = (b >> 6) & 3;
      codes[dst + 32 + p] = (b >> 4) & 3;
      codes[dst + 64 + p] = (b >> 2) & 3;
      codes[dst + 96 + p] = b & 3;
    }
  }
  return codes;
}

/** The f32 scale of an I2_S tensor: the first 4 bytes of its 32-byte tail (`tail` = those ≥ 4 bytes). */
export function i2sScale(tail: Uint8Array): number {
  return new DataView(tail.buffer, tail.byteOffset, 4).getFloat32(0, true);
}

/** Codes (0…3) of an I2_S payload in ggml element order, and its f32 scale. `bytes` is the whole tensor. */
export function decodeI2S(bytes: Uint8Array, elements: number): { codes: Uint8Array; scale: number } {
  if (bytes.length !== i2sByteLength(elements)) throw new RangeError(`I2_S: ${bytes.length} bytes, expected ${i2sByteLength(elements)} for ${elements} weights`);
  const why = i2sUndecodable(elements);
  if (why) throw new RangeError(why);
  return { codes: decodeI2SBlocks(bytes.subarray(0, elements / 4)), scale: i2sScale(bytes.subarray(elements / 4)) };
}

/** Packs codes (0…2) into the I2_S x86 layout with the scale in the tail (the test writer's inverse of decodeI2S). */
export function encodeI2S(codes: Uint8Array, scale: number): Uint8Array {
  const n = codes.length;
  if (n % I2S_BLOCK !== 0) throw new RangeError(`I2_S: ${n} weights is not a multiple of ${I2S_BLOCK}`);
  const out = new Uint8Array(i2sByteLength(n));
  for (let block = 0; block < n / I2S_BLOCK; block++)
    for (let j = 0; j < I2S_BLOCK; j++) out[block * 32 + (j % 32)] |= (codes[block * I2S_BLOCK + j] & 3) << (6 - 2 * Math.floor(j / 32));
  new DataView(out.buffer).setFloat32(n / 4, scale, true);
  return out;
}
