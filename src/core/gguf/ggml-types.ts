/**
 * The ggml tensor type table: id → name, block size (weights per block) and
 * type size (bytes per block), as GGUF files store them.
 *
 * Sources (read, not copied):
 *  - ids: llama.cpp `ggml/include/ggml.h` `enum ggml_type` (0…39 in releases of
 *    2025; NVFP4 = 40, Q1_0 = 41, Q2_0 = 42 added since). Removed ids 4, 5, 31–33,
 *    36–38 never appear in current upstream files.
 *  - block layouts: llama.cpp `ggml/src/ggml-common.h` (`block_q4_0` … `block_tq2_0`,
 *    `block_nvfp4`, `block_q1_0`, `block_q2_0`); sizes are the static_asserts there.
 *  - bitnet.cpp reuses id 36 for I2_S (its llama.cpp fork, Eddie-Wang1120/llama.cpp
 *    @406a503 `ggml/include/ggml.h`: I2_S = 36, I8_S = 37, TL1 = 38, TL2 = 39). I2_S has
 *    `blck_size` 1 and `ggml_nbytes` special-cased to nelements/4 + 32 (`ggml.c`
 *    `ggml_nbytes`); see i2s.ts. TL1/TL2 are machine-tuned lookup-table layouts
 *    (BitNet `utils/convert-hf-to-gguf-bitnet.py` `transform_to_tl1/2`) and id 39 is
 *    MXFP4 upstream, so 38 is listed as TL1 (undecoded) and 39 as MXFP4.
 */

export type GgmlKind = 'float' | 'int' | 'ternary' | 'quant';

export interface GgmlType {
  id: number;
  name: string;
  /** Weights per block (1 for scalar types). */
  blockSize: number;
  /** Bytes per block; 0 when the size is not blockSize-linear (I2_S, TL1). */
  typeSize: number;
  kind: GgmlKind;
  /** Why a known type is not decoded here (shown to the user). */
  undecoded?: string;
}

const QK_K = 256;
const t = (id: number, name: string, blockSize: number, typeSize: number, kind: GgmlKind, undecoded?: string): GgmlType => ({
  id, name, blockSize, typeSize, kind, ...(undecoded ? { undecoded } : {}),
});

const NOT_TERNARY = 'a general (non-ternary) quantization: listed with its size, values not decoded';

/** Every type a GGUF file may carry, keyed by id. */
export const GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map(
  [
    t(0, 'F32', 1, 4, 'float'),
    t(1, 'F16', 1, 2, 'float'),
    t(2, 'Q4_0', 32, 2 + 16, 'quant', NOT_TERNARY),
    t(3, 'Q4_1', 32, 2 + 2 + 16, 'quant', NOT_TERNARY),
    t(6, 'Q5_0', 32, 2 + 4 + 16, 'quant', NOT_TERNARY),
    t(7, 'Q5_1', 32, 2 + 2 + 4 + 16, 'quant', NOT_TERNARY),
    t(8, 'Q8_0', 32, 2 + 32, 'quant', NOT_TERNARY),
    t(9, 'Q8_1', 32, 4 + 32, 'quant', NOT_TERNARY),
    t(10, 'Q2_K', QK_K, 2 + 2 + QK_K / 16 + QK_K / 4, 'quant', NOT_TERNARY),
    t(11, 'Q3_K', QK_K, 2 + QK_K / 4 + QK_K / 8 + 12, 'quant', NOT_TERNARY),
    t(12, 'Q4_K', QK_K, 2 + 2 + 12 + QK_K / 2, 'quant', NOT_TERNARY),
    t(13, 'Q5_K', QK_K, 2 + 2 + 12 + QK_K / 2 + QK_K / 8, 'quant', NOT_TERNARY),
    t(14, 'Q6_K', QK_K, 2 + QK_K / 16 + (3 * QK_K) / 4, 'quant', NOT_TERNARY),
    t(15, 'Q8_K', QK_K, 4 + QK_K + (QK_K / 16) * 2, 'quant', NOT_TERNARY),
    t(16, 'IQ2_XXS', QK_K, 2 + (QK_K / 8) * 2, 'quant', NOT_TERNARY),
    t(17, 'IQ2_XS', QK_K, 2 + (QK_K / 8) * 2 + QK_K / 32, 'quant', NOT_TERNARY),
    t(18, 'IQ3_XXS', QK_K, 2 + (3 * QK_K) / 8, 'quant', NOT_TERNARY),
    t(19, 'IQ1_S', QK_K, 2 + QK_K / 8 + QK_K / 16, 'quant', NOT_TERNARY),
    t(20, 'IQ4_NL', 32, 2 + 16, 'quant', NOT_TERNARY),
    t(21, 'IQ3_S', QK_K, 2 + 13 * (QK_K / 32) + QK_K / 64, 'quant', NOT_TERNARY),
    t(22, 'IQ2_S', QK_K, 2 + QK_K / 4 + QK_K / 16, 'quant', NOT_TERNARY),
    t(23, 'IQ4_XS', QK_K, 2 + 2 + QK_K / 64 + QK_K / 2, 'quant', NOT_TERNARY),
    t(24, 'I8', 1, 1, 'int'),
    t(25, 'I16', 1, 2, 'int'),
    t(26, 'I32', 1, 4, 'int'),
    t(27, 'I64', 1, 8, 'int'),
    t(28, 'F64', 1, 8, 'float'),
    t(29, 'IQ1_M', QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32, 'quant', NOT_TERNARY),
    t(30, 'BF16', 1, 2, 'float'),
    // block_tq1_0: qs[(QK_K - 4*QK_K/64)/5] = 48, qh[QK_K/64] = 4, f16 d → 54 bytes (1.6875 bits/weight).
    t(34, 'TQ1_0', QK_K, (QK_K - (4 * QK_K) / 64) / 5 + QK_K / 64 + 2, 'ternary'),
    // block_tq2_0: qs[QK_K/4] = 64, f16 d → 66 bytes (2.0625 bits/weight).
    t(35, 'TQ2_0', QK_K, QK_K / 4 + 2, 'ternary'),
    // bitnet.cpp: size nelements/4 + 32 (i2s.ts), not a per-block size.
    t(36, 'I2_S', 1, 0, 'ternary'),
    t(38, 'TL1', 1, 0, 'ternary', "bitnet.cpp's TL1 lookup-table layout depends on the kernel tiling chosen when the model was converted (kernel_config.ini); not decoded"),
    t(39, 'MXFP4', 32, 1 + 16, 'quant', NOT_TERNARY),
    t(40, 'NVFP4', 64, 4 + 32, 'quant', NOT_TERNARY),
    t(41, 'Q1_0', 128, 2 + 128 / 8, 'quant', NOT_TERNARY),
    t(42, 'Q2_0', 64, 2 + 64 / 4, 'quant', NOT_TERNARY),
  ].map((x) => [x.id, x]),
);

export const GGML_TYPE_BY_NAME: ReadonlyMap<string, GgmlType> = new Map([...GGML_TYPES.values()].map((x) => [x.name, x]));

export function ggmlType(id: number): GgmlType | undefined {
  return GGML_TYPES.get(id);
}

/** Bits per weight of a block type (I2_S: 2 bits plus a 32-byte tail per tensor; see i2s.ts). */
export function nominalBitsPerWeight(type: GgmlType): number {
  return type.typeSize ? (8 * type.typeSize) / type.blockSize : type.name === 'I2_S' ? 2 : NaN;
}
