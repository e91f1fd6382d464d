/**
 * Max pooling without padding (the common 2×2/stride-2 case) in one tight loop:
 * the same comparisons in the same order as the reference's pool2d, so the
 * result is identical, minus its per-cell bounds checks. Padded pooling and
 * average pooling use the reference kernel.
 */
import { tensor, type Tensor } from '../tensor';

export function maxPoolNoPad(x: Tensor, kernel: number[], strides: number[], outShape: number[]): Tensor {
  const [n, c, h, w] = x.shape;
  const [, , oh, ow] = outShape;
  const [kh, kw] = kernel, [sh, sw] = strides;
  const y = tensor(outShape);
  const xd = x.data, yd = y.data;
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let acc = -Infinity;
        for (let ky = 0; ky < kh; ky++) {
          const row = base + (oy * sh + ky) * w + ox * sw;
          for (let kx = 0; kx < kw; kx++) {
            const v = xd[row + kx];
            acc = v > acc ? v : acc;
          }
        }
        yd[o++] = acc;
      }
    }
  }
  return y;
}
