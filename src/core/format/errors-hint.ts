/** Recognizes files that are not safetensors at all, to explain *why* a `.tnn` is not ours (docs/tnn-format.md §6). */

/** Tencent TNN `.tnnmodel` files start with one of these u32 little-endian magics. */
const TENCENT_MODEL_MAGICS = [0xfabc0002, 0xfabc0004];

export function foreignFormatHint(bytes: Uint8Array): string {
  if (bytes.length >= 4) {
    const magic = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
    if (TENCENT_MODEL_MAGICS.includes(magic)) return 'this looks like a Tencent TNN .tnnmodel (magic 0x' + magic.toString(16) + '), not a Tritscope .tnn file';
  }
  if (bytes.length >= 1 && bytes[0] === 0x22) return 'this looks like a Tencent TNN .tnnproto text file, not a Tritscope .tnn file';
  return 'not a Tritscope .tnn (safetensors) file; Tencent TNN uses the same extension';
}
