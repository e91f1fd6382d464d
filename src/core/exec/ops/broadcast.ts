/** Element-wise binary kernels with numpy broadcasting over operands of equal rank (mul, add by a constant, prelu slopes). */
import { tensor, type Tensor } from '../../tensor';

/** Row-major strides of a shape, with 0 on broadcast (size-1) dims of `shape` against `out`. */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = shape[i] === 1 && out[i] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * out[i] = f(a[i mod a], b[i mod b]) per axis, walking the output in row-major
 * order with per-operand strides (0 along a broadcast axis).
 */
export function broadcastBinary(a: Tensor, b: Tensor, outShape: number[], f: (x: number, y: number) => number): Tensor {
  const y = tensor(outShape);
  const sa = broadcastStrides(a.shape, outShape), sb = broadcastStrides(b.shape, outShape);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let ia = 0, ib = 0;
  for (let i = 0; i < y.data.length; i++) {
    y.data[i] = f(a.data[ia], b.data[ib]);
    // Odometer increment of the output index, moving each operand's offset by its (0 when broadcast) stride.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return y;
}
