/** Direct (readable, not blocked or vectorized) convolution and dense kernels of the reference executor. */
import { tensor, type Tensor } from '../../tensor';

export interface ConvParams {
  strides: number[];
  pads: number[]; // top, left, bottom, right
  dilations: number[];
  group: number;
}

/**
 * NCHW input, OIHW weight (I = C / group), output shape precomputed by shapes.ts.
 * Each output plane is accumulated in float64 one weight tap at a time (a row
 * "axpy" over ox, which V8 runs several times faster than a per-output dot on
 * large layers); every output still sums its taps in (ic, ky, kx) order and
 * skips the taps that land in the zero padding, as a per-output dot would.
 */
export function conv2d(x: Tensor, w: Tensor, bias: Float32Array | undefined, p: ConvParams, outShape: number[]): Tensor {
  const [n, c, h, wd] = x.shape;
  const [o, ig, kh, kw] = w.shape;
  const [, , oh, ow] = outShape;
  const [sh, sw] = p.strides;
  const [pt, pl] = p.pads;
  const [dh, dw] = p.dilations;
  const og = o / p.group;
  const y = tensor(outShape);
  const xd = x.data, wdata = w.data, yd = y.data;
  const acc = new Float64Array(oh * ow);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      const g = Math.floor(oc / og);
      acc.fill(0);
      for (let ic = 0; ic < ig; ic++) {
        const xBase = (b * c + g * ig + ic) * h * wd;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const wv = wdata[((oc * ig + ic) * kh + ky) * kw + kx];
            // Output columns whose input column ox*sw - pl + kx*dw lies inside the row.
            const dx = kx * dw - pl;
            const oxLo = Math.max(0, Math.ceil(-dx / sw)), oxHi = Math.min(ow, Math.floor((wd - 1 - dx) / sw) + 1);
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h) continue;
              const xRow = xBase + iy * wd + dx;
              const aRow = oy * ow;
              for (let ox = oxLo; ox < oxHi; ox++) acc[aRow + ox] += xd[xRow + ox * sw] * wv;
            }
          }
        }
      }
      const bv = bias ? bias[oc] : 0;
      const yBase = (b * o + oc) * oh * ow;
      for (let i = 0; i < oh * ow; i++) yd[yBase + i] = acc[i] + bv;
    }
  }
  return y;
}

/** y = x·Wᵀ + b over the last axis; W is [out, in]. */
export function dense(x: Tensor, w: Tensor, bias: Float32Array | undefined, outShape: number[]): Tensor {
  const [o, k] = w.shape;
  const rows = x.data.length / k;
  const y = tensor(outShape);
  for (let r = 0; r < rows; r++) {
    const xOff = r * k;
    for (let j = 0; j < o; j++) {
      let acc = 0;
      const wOff = j * k;
      for (let i = 0; i < k; i++) acc += x.data[xOff + i] * w.data[wOff + i];
      y.data[r * o + j] = acc + (bias ? bias[j] : 0);
    }
  }
  return y;
}
