/** Direct (readable, unoptimized) convolution and dense kernels of the reference executor. */
import { tensor, type Tensor } from '../../tensor';

export interface ConvParams {
  strides: number[];
  pads: number[]; // top, left, bottom, right
  dilations: number[];
  group: number;
}

/** NCHW input, OIHW weight (I = C / group), output shape precomputed by shapes.ts. */
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
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      const g = Math.floor(oc / og);
      const bv = bias ? bias[oc] : 0;
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let acc = 0;
          for (let ic = 0; ic < ig; ic++) {
            const xc = g * ig + ic;
            const xBase = (b * c + xc) * h * wd;
            const wBase = (oc * ig + ic) * kh * kw;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= wd) continue;
                acc += xd[xBase + iy * wd + ix] * wdata[wBase + ky * kw + kx];
              }
            }
          }
          yd[((b * o + oc) * oh + oy) * ow + ox] = acc + bv;
        }
      }
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
