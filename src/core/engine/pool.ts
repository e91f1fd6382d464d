/**
 * Max pooling without padding (the common 2×2/stride-2 case) on the wasm
 * kernel: the same comparisons in the same order as the reference's pool2d,
 * so the result is identical, without its per-cell bounds checks. Padded
 * pooling and average pooling use the reference kernel.
 */
import { sizeOf, type Tensor } from '../tensor';
import type { Kernels } from './kernels';

export function maxPoolNoPad(kernels: Kernels, x: Tensor, kernel: number[], strides: number[], outShape: number[]): Tensor {
  const [n, c, h, w] = x.shape;
  const [, , oh, ow] = outShape;
  const heap = kernels.heap;
  let y: Tensor;
  try {
    const xin = heap.alloc(x.data.length * 4, false);
    heap.f32.set(x.data, xin >>> 2);
    const size = sizeOf(outShape);
    const out = heap.alloc(size * 4, false);
    kernels.maxPool(xin, n * c, h, w, kernel[0], kernel[1], strides[0], strides[1], oh, ow, out);
    y = { shape: [...outShape], data: heap.f32.slice(out >>> 2, (out >>> 2) + size) };
  } finally {
    heap.resetScratch();
  }
  return y;
}
