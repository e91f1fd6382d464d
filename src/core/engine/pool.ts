/**
 * Max pooling on the wasm kernel: the same comparisons in the same order as the
 * reference's pool2d, so the result is identical, without its per-cell bounds
 * checks. Padding is materialized as −∞ cells: the reference skips cells outside
 * the image, and a −∞ cell never wins `acc = v > acc ? v : acc` from acc = −∞,
 * so both give the same bits (NaN included). Average pooling uses the reference kernel.
 */
import { sizeOf, type Tensor } from '../tensor';
import type { Heap } from './heap';
import type { Kernels } from './kernels';

export interface PoolWindow {
  kernel: number[];
  strides: number[];
  /** top, left, bottom, right */
  pads: number[];
}

const unpadded = (p: PoolWindow): boolean => p.pads.every((v) => v === 0);

/** Where padPlanes reads: f32 at a heap byte offset, int8 trits at a heap byte offset, or a tensor's data. */
export type PlaneSource = { f32: number } | { i8: number } | Float32Array;

/**
 * Copies `planes` [h][w] planes into a buffer bordered with `fill` (converted to f32: trits become −1/0/1).
 * Returns the buffer and its plane size.
 */
export function padPlanes(heap: Heap, src: PlaneSource, planes: number, h: number, w: number, pads: number[], fill: number): { at: number; h: number; w: number } {
  const [pt, pl, pb, pr] = pads;
  const ph = h + pt + pb, pw = w + pl + pr;
  const at = heap.alloc(planes * ph * pw * 4, false);
  // views after the allocation: growing the memory detaches the old ones
  const f32 = heap.f32, base = at >>> 2;
  const from: Float32Array | Int8Array = src instanceof Float32Array ? src : 'f32' in src ? f32.subarray(src.f32 >>> 2) : heap.i8.subarray(src.i8);
  if (pt || pl || pb || pr) f32.fill(fill, base, base + planes * ph * pw);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      const s = (p * h + y) * w;
      f32.set(from.subarray(s, s + w), base + (p * ph + y + pt) * pw + pl);
    }
  }
  return { at, h: ph, w: pw };
}

/** Max pooling of NCHW f32 planes already in engine memory at `x` (shape [n, c, h, w]); returns a new tensor (scratch is the caller's). */
export function maxPoolInHeap(kernels: Kernels, x: number, shape: number[], p: PoolWindow, outShape: number[]): Tensor {
  const heap = kernels.heap;
  const [n, c, h, w] = shape;
  const [, , oh, ow] = outShape;
  const src = unpadded(p) ? { at: x, h, w } : padPlanes(heap, { f32: x }, n * c, h, w, p.pads, -Infinity);
  const size = sizeOf(outShape);
  const out = heap.alloc(size * 4, false);
  kernels.maxPool(src.at, n * c, src.h, src.w, p.kernel[0], p.kernel[1], p.strides[0], p.strides[1], oh, ow, out);
  return { shape: [...outShape], data: heap.f32.slice(out >>> 2, (out >>> 2) + size) };
}

export function maxPool(kernels: Kernels, x: Tensor, p: PoolWindow, outShape: number[]): Tensor {
  const heap = kernels.heap;
  const [n, c, h, w] = x.shape;
  try {
    if (unpadded(p)) {
      const xin = heap.alloc(x.data.length * 4, false);
      heap.f32.set(x.data, xin >>> 2);
      return maxPoolInHeap(kernels, xin, x.shape, p, outShape);
    }
    const padded = padPlanes(heap, x.data, n * c, h, w, p.pads, -Infinity);
    return maxPoolInHeap(kernels, padded.at, [n, c, padded.h, padded.w], { ...p, pads: [0, 0, 0, 0] }, outShape);
  } finally {
    heap.resetScratch();
  }
}
