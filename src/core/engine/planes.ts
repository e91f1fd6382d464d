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

/**
 * Wide W-only conv layers (ternary-base3.wat): byte g of a row is Σ_{i<4} (t_{4g+i} + 1)·3^i over the row's
 * trits in order (zeros past k), 4 trits per byte = 2 bits per weight.
 */
export interface Base3Matrix {
  ptr: number;
  rows: number;
  k: number;
  /** ⌈k/4⌉: bytes per row. */
  groups: number;
  bytes: number;
}

export function repackBase3(heap: Heap, trits: Int8Array, rowStart: number, rows: number, k: number): Base3Matrix {
  const groups = Math.max(1, Math.ceil(k / 4));
  const bytes = Math.ceil((rows * groups) / 16) * 16;
  const ptr = heap.alloc(bytes);
  const u8 = heap.u8;
  for (let r = 0; r < rows; r++) {
    const src = (rowStart + r) * k;
    for (let g = 0; g < groups; g++) {
      let v = 0;
      for (let i = 3; i >= 0; i--) v = v * 3 + (4 * g + i < k ? trits[src + 4 * g + i] : 0) + 1;
      u8[ptr + r * groups + g] = v;
    }
  }
  return { ptr, rows, k, groups, bytes };
}
