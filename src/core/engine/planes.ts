/**
 * Runtime weight layout: the `.tnn` 5-trits-per-byte storage is unpacked once at
 * load and repacked into two bit-planes per weight row ("+1" mask, "−1" mask).
 * Planes are byte-granular (⌈K/8⌉ bytes each, no padding to 128 bits), so the
 * runtime weights are 2 bits per trit; kernels read whole 16-byte chunks and
 * neutralise the bytes past a plane (see ternary.wat), which the heap keeps
 * readable.
 */
import type { Heap } from './heap';

/** Number of 128-trit chunks needed for a row of k trits. */
export const chunksFor = (k: number): number => Math.max(1, Math.ceil(k / 128));

export interface PlaneMatrix {
  /** Byte offset of row 0's plus plane. Row r starts at ptr + r·rowBytes. */
  ptr: number;
  rows: number;
  /** Logical row length in trits. */
  k: number;
  /** 128-trit chunks a kernel walks per row (⌈k/128⌉). */
  chunks: number;
  /** Bytes of one plane (⌈k/8⌉); the minus plane starts planeBytes after the plus plane. */
  planeBytes: number;
  /** 2·planeBytes. */
  rowBytes: number;
  /** Bytes these planes occupy in memory (rows·rowBytes rounded up to the heap's 16-byte alignment). */
  bytes: number;
}

/**
 * Writes rows [rowStart, rowStart+rows) of a row-major trit matrix with row
 * length k into planes; with `order`, plane position i holds the row's trit order[i].
 */
export function repackRows(heap: Heap, trits: Int8Array, rowStart: number, rows: number, k: number, order?: Int32Array): PlaneMatrix {
  const planeBytes = Math.max(1, Math.ceil(k / 8)), rowBytes = 2 * planeBytes;
  const bytes = Math.ceil((rows * rowBytes) / 16) * 16;
  const ptr = heap.alloc(bytes);
  const u8 = heap.u8;
  for (let r = 0; r < rows; r++) {
    const src = (rowStart + r) * k;
    const base = ptr + r * rowBytes;
    for (let i = 0; i < k; i++) {
      const t = trits[src + (order ? order[i] : i)];
      if (t === 0) continue;
      u8[(t > 0 ? base : base + planeBytes) + (i >>> 3)] |= 1 << (i & 7);
    }
  }
  return { ptr, rows, k, chunks: chunksFor(k), planeBytes, rowBytes, bytes };
}

/**
 * The (ky, kx, ic) order of a conv weight row stored as (ic, ky, kx): position (ky·kw + kx)·ig + ic
 * takes trit ic·kh·kw + ky·kw + kx (the column order of im2colBits).
 */
export function tapsMajorOrder(ig: number, kh: number, kw: number): Int32Array {
  const order = new Int32Array(ig * kh * kw);
  for (let ic = 0; ic < ig; ic++) for (let t = 0; t < kh * kw; t++) order[t * ig + ic] = ic * kh * kw + t;
  return order;
}
