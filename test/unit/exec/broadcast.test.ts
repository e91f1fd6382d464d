// broadcastBinary walks its trailing same-pattern axes as one flat block: check it against
// a per-element index computation on random shapes of every broadcast pattern.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { broadcastBinary } from '../../../src/core/exec/ops/broadcast';
import { mulberry32 } from '../../../src/core/rng';
import { tensor } from '../../../src/core/tensor';

function naive(a: { shape: number[]; data: Float32Array }, b: { shape: number[]; data: Float32Array }, out: number[]): Float32Array {
  const y = new Float32Array(out.reduce((p, d) => p * d, 1));
  for (let i = 0; i < y.length; i++) {
    let rest = i, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let d = out.length - 1; d >= 0; d--) {
      const k = rest % out[d];
      rest = Math.floor(rest / out[d]);
      ia += (a.shape[d] === 1 ? 0 : k) * sa;
      ib += (b.shape[d] === 1 ? 0 : k) * sb;
      sa *= a.shape[d];
      sb *= b.shape[d];
    }
    y[i] = a.data[ia] * 3 - b.data[ib];
  }
  return y;
}

test('broadcastBinary equals a per-element index computation on 400 random broadcast patterns', () => {
  const rnd = mulberry32(7);
  for (let t = 0; t < 400; t++) {
    const rank = 1 + Math.floor(rnd() * 4);
    const out = Array.from({ length: rank }, () => 1 + Math.floor(rnd() * 4));
    const side = () => out.map((d) => (rnd() < 0.4 ? 1 : d));
    const [sa, sb] = [side(), side()];
    const fill = (s: number[]) => tensor(s, Float32Array.from({ length: s.reduce((p, d) => p * d, 1) }, () => rnd() * 2 - 1));
    const [a, b] = [fill(sa), fill(sb)];
    const got = broadcastBinary(a, b, out, (x, y) => x * 3 - y);
    assert.deepEqual(Array.from(got.data), Array.from(naive(a, b, out)), `a ${sa} b ${sb} out ${out}`);
  }
});

test('broadcastBinary: the squeeze-excitation gate [N,C,1,1] × [N,C,H,W] and a same-shape product', () => {
  const x = tensor([2, 3, 2, 2], Float32Array.from({ length: 24 }, (_, i) => i));
  const g = tensor([2, 3, 1, 1], Float32Array.from([1, 2, 3, 4, 5, 6]));
  const y = broadcastBinary(x, g, [2, 3, 2, 2], (p, q) => p * q);
  assert.deepEqual(Array.from(y.data.subarray(0, 8)), [0, 1, 2, 3, 8, 10, 12, 14]);
  assert.equal(y.data[23], 23 * 6);
  const z = broadcastBinary(x, x, [2, 3, 2, 2], (p, q) => p * q);
  assert.equal(z.data[5], 25);
});
