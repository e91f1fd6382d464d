/**
 * Hugging Face BitNet packed weights (transformers
 * `src/transformers/integrations/bitnet.py`, VALUES_PER_ITEM = 4, `pack_weights` /
 * `unpack_weights`), as in microsoft/bitnet-b1.58-2B-4T:
 *
 *  - a linear layer's `weight` is stored as uint8 of shape [R, in] with R = ⌈out/4⌉;
 *  - bits 2i..2i+1 of byte [r, c] (i = 0…3, least significant first) hold the code of
 *    unpacked row i·R + r, column c: the four row *quarters* share a byte, not four
 *    neighbouring rows;
 *  - code = trit + 1 (0 → −1, 1 → 0, 2 → +1); `unpack_weights` subtracts 1 after
 *    extracting, so code 3 would read as +2 (never written);
 *  - the scale is a separate `weight_scale` tensor (shape [1]). transformers' `BitLinear`
 *    divides the output by it (value = trit / weight_scale), `AutoBitLinear` with
 *    offline quantization multiplies (value = trit × weight_scale); which class a
 *    checkpoint uses is `quantization_config.linear_class` in its config.json
 *    (default "bitlinear").
 *
 * The unpacked tensor has 4R rows (unpack_weights never trims).
 */

export const VALUES_PER_ITEM = 4;

/** Logical [4R, …rest] trits of a packed [R, …rest] uint8 tensor, in row-major order. */
export function unpackBitnetWeights(packed: Uint8Array, storedShape: number[]): Int8Array {
  const rows = storedShape[0] ?? 0;
  const inner = storedShape.slice(1).reduce((a, b) => a * b, 1);
  if (packed.length !== rows * inner) throw new RangeError(`unpackBitnetWeights: ${packed.length} bytes for shape [${storedShape.join(', ')}]`);
  const out = new Int8Array(VALUES_PER_ITEM * packed.length);
  const quarter = rows * inner; // elements in one unpacked quarter (rows i·R … i·R + R − 1)
  for (let i = 0; i < VALUES_PER_ITEM; i++) {
    const shift = 2 * i;
    for (let k = 0; k < quarter; k++) out[i * quarter + k] = ((packed[k] >> shift) & 3) - 1;
  }
  return out;
}

/**
 * Packs [out, …rest] trits the way `pack_weights` does (R = ⌈out/4⌉ rows; quarter i of the
 * rows goes to bits 2i). The inverse of unpackBitnetWeights when out is a multiple of 4.
 */
export function packBitnetWeights(trits: Int8Array, shape: number[]): { packed: Uint8Array; storedShape: number[] } {
  const out = shape[0] ?? 0;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  if (trits.length !== out * inner) throw new RangeError(`packBitnetWeights: ${trits.length} trits for shape [${shape.join(', ')}]`);
  const rows = Math.ceil(out / VALUES_PER_ITEM);
  const packed = new Uint8Array(rows * inner);
  for (let i = 0; i < VALUES_PER_ITEM; i++) {
    const start = i * rows;
    const end = Math.min(start + rows, out);
    for (let r = start; r < end; r++)
      for (let c = 0; c < inner; c++) {
        const t = trits[r * inner + c];
        if (t !== -1 && t !== 0 && t !== 1) throw new RangeError(`packBitnetWeights: trit ${r * inner + c} is ${t}`);
        packed[(r - start) * inner + c] |= (t + 1) << (2 * i);
      }
  }
  return { packed, storedShape: [rows, ...shape.slice(1)] };
}
