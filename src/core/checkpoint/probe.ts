/** Does a prefix of a float tensor hold only {−s, 0, +s} with one s > 0? Compares stored bit patterns, so it is exact. */

export function probeTernary(bytes: Uint8Array, dtype: string): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = dtype === 'F64' ? 8 : dtype === 'F32' ? 4 : 2;
  let magnitude = -1;
  for (let i = 0; i + size <= bytes.length; i += size) {
    let m: number;
    if (size === 2) m = view.getUint16(i, true) & 0x7fff;
    else if (size === 4) m = view.getUint32(i, true) & 0x7fffffff;
    else m = Math.abs(view.getFloat64(i, true));
    if (m === 0) continue;
    // NaN / Inf patterns (exponent all ones) are never a ternary scale.
    if (size === 2 && (dtype === 'F16' ? (m & 0x7c00) === 0x7c00 : (m & 0x7f80) === 0x7f80)) return false;
    if (size === 4 && (m & 0x7f800000) === 0x7f800000) return false;
    if (size === 8 && !Number.isFinite(m)) return false;
    if (magnitude < 0) magnitude = m;
    else if (m !== magnitude) return false;
  }
  return magnitude > 0;
}
