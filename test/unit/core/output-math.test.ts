import { test } from 'node:test';
import assert from 'node:assert/strict';
import { divergence, firstSampleProbabilities } from '../../../src/core/output-math';

test('firstSampleProbabilities: softmax of sample 0, stable for large logits', () => {
  const p = firstSampleProbabilities({ shape: [2, 3], data: Float32Array.from([1000, 1001, 1002, 5, 5, 5]) }, false);
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const s = e[0] + e[1] + e[2];
  assert.equal(p.length, 3);
  e.forEach((v, i) => assert.ok(Math.abs(p[i] - v / s) < 1e-6, `p[${i}] = ${p[i]}`));
  // An output that already is a softmax is copied, not re-normalized.
  assert.deepEqual(Array.from(firstSampleProbabilities({ shape: [1, 2], data: Float32Array.from([0.25, 0.75]) }, true)), [0.25, 0.75]);
});

test('firstSampleProbabilities handles an output of 2^21 classes (Math.max(...row) throws RangeError there)', () => {
  const n = 1 << 21;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i) * 3;
  data[123_457] = 40;
  assert.throws(() => Math.max(...data), RangeError, 'the spread this replaces really does fail at this size');
  const p = firstSampleProbabilities({ shape: [1, n], data }, false);
  let sum = 0, arg = 0;
  for (let i = 0; i < n; i++) {
    sum += p[i];
    if (p[i] > p[arg]) arg = i;
  }
  assert.equal(arg, 123_457);
  assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
});

test('divergence: relative L2 against the reference, cosine, and the all-zero cases', () => {
  const d = divergence([1, 2, 2], [1, 2, 3]);
  assert.ok(Math.abs(d.relL2 - 1 / Math.sqrt(14)) < 1e-12);
  assert.ok(Math.abs(d.cosine - 11 / Math.sqrt(9 * 14)) < 1e-12);
  assert.deepEqual(divergence([0, 0], [0, 0]), { relL2: 0, cosine: 1 });
  assert.deepEqual(divergence([3, 4], [0, 0]), { relL2: 5, cosine: 0 });
});
