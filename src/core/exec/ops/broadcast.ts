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
 * out[i] = f(a[i mod a], b[i mod b]) per axis. The trailing axes along which
 * each operand either runs with the output or stays fixed (broadcast) form one
 * inner block walked by a flat loop (SiLU's same-shape product, the SE gate's
 * [N,C,1,1] × [N,C,H,W]); the axes before it advance by odometer, moving each
 * operand's offset by its stride (0 along a broadcast axis).
 */
export function broadcastBinary(a: Tensor, b: Tensor, outShape: number[], f: (x: number, y: number) => number): Tensor {
  const y = tensor(outShape);
  const sa = broadcastStrides(a.shape, outShape), sb = broadcastStrides(b.shape, outShape);
  const rank = outShape.length;
  let split = rank, inner = 1;
  let runA: boolean | undefined, runB: boolean | undefined;
  for (let d = rank - 1; d >= 0; d--, split--) {
    if (outShape[d] === 1) continue;
    const ra = sa[d] !== 0, rb = sb[d] !== 0;
    if ((runA !== undefined && ra !== runA) || (runB !== undefined && rb !== runB)) break;
    runA = ra;
    runB = rb;
    inner *= outShape[d];
  }
  const stepA = runA === false ? 0 : 1, stepB = runB === false ? 0 : 1;
  const idx = new Array<number>(split).fill(0);
  const ad = a.data, bd = b.data, yd = y.data;
  let ia = 0, ib = 0;
  for (let o = 0; o < yd.length; o += inner) {
    if (stepA && stepB) for (let i = 0; i < inner; i++) yd[o + i] = f(ad[ia + i], bd[ib + i]);
    else if (stepA) for (let i = 0, v = bd[ib]; i < inner; i++) yd[o + i] = f(ad[ia + i], v);
    else if (stepB) for (let i = 0, v = ad[ia]; i < inner; i++) yd[o + i] = f(v, bd[ib + i]);
    else for (let i = 0, v = f(ad[ia], bd[ib]); i < inner; i++) yd[o + i] = v;
    for (let d = split - 1; d >= 0; d--) {
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
