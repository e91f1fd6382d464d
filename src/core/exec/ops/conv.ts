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
        // Kernel rows/cols that land inside the input (the rest read zero padding).
        const y0 = oy * sh - pt;
        const kyLo = Math.max(0, Math.ceil(-y0 / dh)), kyHi = Math.min(kh, Math.floor((h - 1 - y0) / dh) + 1);
        for (let ox = 0; ox < ow; ox++) {
          const x0 = ox * sw - pl;
          const kxLo = Math.max(0, Math.ceil(-x0 / dw)), kxHi = Math.min(kw, Math.floor((wd - 1 - x0) / dw) + 1);
          let acc = 0;
          for (let ic = 0; ic < ig; ic++) {
            const xBase = (b * c + g * ig + ic) * h * wd;
            const wBase = (oc * ig + ic) * kh * kw;
            for (let ky = kyLo; ky < kyHi; ky++) {
              const xRow = xBase + (y0 + ky * dh) * wd + x0;
              const wRow = wBase + ky * kw;
              for (let kx = kxLo; kx < kxHi; kx++) acc += xd[xRow + kx * dw] * wdata[wRow + kx];
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
