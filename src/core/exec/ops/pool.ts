/** Pooling kernels of the reference executor (NCHW; the output size, floor or ceil mode, comes from the op's shape rule). */
import { tensor, type Tensor } from '../../tensor';

export interface PoolParams {
  kernel: number[];
  strides: number[];
  pads: number[]; // top, left, bottom, right
  /**
   * Average pooling only: divide by the window's cells inside the padded input (1) or
   * inside the input (0), as ONNX count_include_pad. In floor mode the first is the
   * whole window; a ceil-mode window overhanging the end padding counts only its part
   * inside it (PyTorch's divisor).
   */
  countIncludePad?: number;
}

export function pool2d(kind: 'max' | 'avg', x: Tensor, p: PoolParams, outShape: number[]): Tensor {
  const [n, c, h, w] = x.shape;
  const [, , oh, ow] = outShape;
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.strides;
  const [pt, pl, pb, pr] = p.pads;
  const y = tensor(outShape);
  for (let plane = 0; plane < n * c; plane++) {
    const xBase = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let acc = kind === 'max' ? -Infinity : 0;
        let valid = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx;
            if (ix < 0 || ix >= w) continue;
            const v = x.data[xBase + iy * w + ix];
            if (kind === 'max') acc = v > acc ? v : acc;
            else acc += v;
            valid++;
          }
        }
        const y0 = oy * sh - pt, x0 = ox * sw - pl;
        const div = p.countIncludePad ? (Math.min(y0 + kh, h + pb) - y0) * (Math.min(x0 + kw, w + pr) - x0) : valid;
        y.data[(plane * oh + oy) * ow + ox] = kind === 'max' ? acc : acc / div;
      }
    }
  }
  return y;
}

export function globalAvgPool(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape;
  const hw = h * w;
  const y = tensor([n, c, 1, 1]);
  for (let plane = 0; plane < n * c; plane++) {
    let s = 0;
    for (let i = 0; i < hw; i++) s += x.data[plane * hw + i];
    y.data[plane] = s / hw;
  }
  return y;
}
