/**
 * Runtime weight layout: the `.tnn` 5-trits-per-byte storage is unpacked once at
 * load and repacked into two bit-planes per weight row ("+1" mask, "−1" mask),
 * each row padded to a multiple of 128 bits and 16-byte aligned in wasm memory,
 * so a v128 load fetches 128 weights' worth of one sign.
 */
import type { Heap } from './heap';

/** Number of 128-trit chunks needed for a row of k trits. */
export const chunksFor = (k: number): number => Math.max(1, Math.ceil(k / 128));

export interface PlaneMatrix {
  /** Byte offset of row 0's plus plane. Row r starts at ptr + r·2·chunks·16. */
  ptr: number;
  rows: number;
  /** Logical row length in trits. */
  k: number;
  chunks: number;
  /** Bytes these planes occupy in memory (padding included). */
  bytes: number;
}

/**
 * Writes rows [rowStart, rowStart+rows) of a row-major trit matrix with row
 * length k into planes. `absolute` stores |trit| (every nonzero in the plus
 * plane), which asymmetric-scale layers need as a second matrix.
 */
export function repackRows(heap: Heap, trits: Int8Array, rowStart: number, rows: number, k: number, absolute = false): PlaneMatrix {
  const chunks = chunksFor(k);
  const words = chunks * 4;
  const bytes = rows * 2 * words * 4;
  const ptr = heap.alloc(bytes);
  const u32 = heap.u32;
  for (let r = 0; r < rows; r++) {
    const src = (rowStart + r) * k;
    const base = (ptr >>> 2) + r * 2 * words;
    for (let i = 0; i < k; i++) {
      const t = trits[src + i];
      if (t === 0) continue;
      const plane = t > 0 || absolute ? base : base + words;
      u32[plane + (i >>> 5)] |= 1 << (i & 31);
    }
  }
  return { ptr, rows, k, chunks, bytes };
}
