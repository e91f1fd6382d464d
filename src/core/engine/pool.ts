/**
 * Max pooling on the wasm kernel: the same comparisons in the same order as the
 * reference's pool2d, so the result is identical, without its per-cell bounds
 * checks. Padding is materialized as −∞ cells: the reference skips cells outside
 * the image, and a −∞ cell never wins `acc = v > acc ? v : acc` from acc = −∞,
 * so both give the same bits (NaN included). Average pooling uses the reference kernel.
 */
import { sizeOf, type Tensor } from '../tensor';
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
 * Copies `planes` [h][w] planes into engine memory bordered with `fill` (converted to f32: trits become −1/0/1).
 * Returns the buffer and its plane size.
 */
export function padPlanes(kernels: Kernels, src: PlaneSource, planes: number, h: number, w: number, pads: number[], fill: number): { at: number; h: number; w: number } {
  const heap = kernels.heap;
  const [pt, pl, pb, pr] = pads;
  const ph = h + pt + pb, pw = w + pl + pr;
  let from = src instanceof Float32Array ? 0 : 'f32' in src ? src.f32 : src.i8;
  if (src instanceof Float32Array) {
    // one bulk copy into engine memory, then the kernel lays out the rows
    from = heap.alloc(src.length * 4, false);
    heap.f32.set(src, from >>> 2);
  }
  const at = heap.alloc(planes * ph * pw * 4, false);
  kernels.padPlanes(from, !(src instanceof Float32Array) && 'i8' in src, planes, h, w, pt, pl, pb, pr, fill, at);
  return { at, h: ph, w: pw };
}

/** Max pooling of NCHW f32 planes already in engine memory at `x` (shape [n, c, h, w]); returns a new tensor (scratch is the caller's). */
export function maxPoolInHeap(kernels: Kernels, x: number, shape: number[], p: PoolWindow, outShape: number[]): Tensor {
  const heap = kernels.heap;
  const [n, c, h, w] = shape;
  const [, , oh, ow] = outShape;
  const src = unpadded(p) ? { at: x, h, w } : padPlanes(kernels, { f32: x }, n * c, h, w, p.pads, -Infinity);
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
    const padded = padPlanes(kernels, x.data, n * c, h, w, p.pads, -Infinity);
    return maxPoolInHeap(kernels, padded.at, [n, c, padded.h, padded.w], { ...p, pads: [0, 0, 0, 0] }, outShape);
  } finally {
    heap.resetScratch();
  }
}
