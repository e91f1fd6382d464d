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

/**
 * Copies `planes` [h][w] f32 planes into a −∞-bordered buffer, from the heap (a byte offset) or a tensor's data.
 * Returns the buffer and its plane size.
 */
function padPlanes(heap: Heap, src: number | Float32Array, planes: number, h: number, w: number, pads: number[]): { at: number; h: number; w: number } {
  const [pt, pl, pb, pr] = pads;
  const ph = h + pt + pb, pw = w + pl + pr;
  const at = heap.alloc(planes * ph * pw * 4, false);
  const f32 = heap.f32, base = at >>> 2;
  f32.fill(-Infinity, base, base + planes * ph * pw);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      const d = base + (p * ph + y + pt) * pw + pl, s = (p * h + y) * w;
      if (typeof src === 'number') f32.copyWithin(d, (src >>> 2) + s, (src >>> 2) + s + w);
      else f32.set(src.subarray(s, s + w), d);
    }
  }
  return { at, h: ph, w: pw };
}

/** Max pooling of NCHW f32 planes already in engine memory at `x` (shape [n, c, h, w]); returns a new tensor (scratch is the caller's). */
export function maxPoolInHeap(kernels: Kernels, x: number, shape: number[], p: PoolWindow, outShape: number[]): Tensor {
  const heap = kernels.heap;
  const [n, c, h, w] = shape;
  const [, , oh, ow] = outShape;
  const src = unpadded(p) ? { at: x, h, w } : padPlanes(heap, x, n * c, h, w, p.pads);
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
    const padded = padPlanes(heap, x.data, n * c, h, w, p.pads);
    return maxPoolInHeap(kernels, padded.at, [n, c, padded.h, padded.w], { ...p, pads: [0, 0, 0, 0] }, outShape);
  } finally {
    heap.resetScratch();
  }
}
