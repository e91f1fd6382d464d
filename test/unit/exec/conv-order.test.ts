import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../src/core/rng';
import { conv2d, type ConvParams } from '../../../src/core/exec/ops/conv';
import { tensor, type Tensor } from '../../../src/core/tensor';

/** The textbook per-output dot product (taps in ic, ky, kx order, padding taps skipped), in float64. */
function naiveConv(x: Tensor, w: Tensor, bias: Float32Array, p: ConvParams, oh: number, ow: number): Float32Array {
  const [n, c, h, wd] = x.shape;
  const [o, ig, kh, kw] = w.shape;
  const out = new Float32Array(n * o * oh * ow);
  for (let b = 0; b < n; b++) for (let oc = 0; oc < o; oc++) {
    const g = Math.floor(oc / (o / p.group));
    for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
      let acc = 0;
      for (let ic = 0; ic < ig; ic++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
        const iy = oy * p.strides[0] - p.pads[0] + ky * p.dilations[0];
        const ix = ox * p.strides[1] - p.pads[1] + kx * p.dilations[1];
        if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
        acc += x.data[((b * c + g * ig + ic) * h + iy) * wd + ix] * w.data[((oc * ig + ic) * kh + ky) * kw + kx];
      }
      out[((b * o + oc) * oh + oy) * ow + ox] = acc + bias[oc];
    }
  }
  return out;
}

test('reference conv2d equals the per-output dot product bit for bit (strides, pads, dilations, groups)', () => {
  const rnd = mulberry32(7);
  const pick = (a: number[]) => a[Math.floor(rnd() * a.length)];
  for (let trial = 0; trial < 60; trial++) {
    const group = pick([1, 2, 4]);
    const c = group * pick([1, 2, 3]), o = group * pick([1, 2, 3]);
    const [kh, kw] = [pick([1, 2, 3, 5]), pick([1, 3, 4])];
    const p: ConvParams = { strides: [pick([1, 2, 3]), pick([1, 2])], pads: [pick([0, 1, 2]), pick([0, 1, 3]), pick([0, 1]), pick([0, 2])], dilations: [pick([1, 2]), pick([1, 3])], group };
    const [h, wd] = [pick([5, 7, 11]), pick([6, 9, 13])];
    const oh = Math.floor((h + p.pads[0] + p.pads[2] - p.dilations[0] * (kh - 1) - 1) / p.strides[0]) + 1;
    const ow = Math.floor((wd + p.pads[1] + p.pads[3] - p.dilations[1] * (kw - 1) - 1) / p.strides[1]) + 1;
    if (oh < 1 || ow < 1) continue;
    const n = pick([1, 2]);
    const x = tensor([n, c, h, wd]); x.data.forEach((_, i) => { x.data[i] = rnd() * 2 - 1; });
    const w = tensor([o, c / group, kh, kw]); w.data.forEach((_, i) => { w.data[i] = rnd() * 2 - 1; });
    const bias = Float32Array.from({ length: o }, () => rnd());
    const got = conv2d(x, w, bias, p, [n, o, oh, ow]).data;
    assert.deepEqual(Array.from(got), Array.from(naiveConv(x, w, bias, p, oh, ow)), `trial ${trial}: ${JSON.stringify(p)} k ${kh}x${kw}`);
  }
});
