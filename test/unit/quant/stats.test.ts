import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asymUniform, dequantize, entropyBits, quantStats } from '../../../src/core/quant/index';
import { assertClose, gaussian } from './helpers';

test('entropy of equally populated trits is log2 3, of one state 0, of two equal states 1', () => {
  const w = new Float32Array([-1, 0, 1, -1, 0, 1]);
  const s = quantStats(w, new Int8Array([-1, 0, 1, -1, 0, 1]), { scale: { pos: 1, neg: 1 } });
  assertClose(s.entropyBits, Math.log2(3), 1e-12, 'H(uniform)');
  assert.deepEqual(s.trits, { neg: 2, zero: 2, pos: 2 });
  assertClose(s.sparsity, 1 / 3, 1e-12, 'sparsity');
  assert.equal(s.relError, 0);
  assertClose(s.cosine, 1, 1e-12, 'cosine');
  assert.equal(entropyBits([5, 0, 0]), 0);
  assert.equal(entropyBits([3, 3, 0]), 1);
});

test('relative error and cosine on a hand-checked example', () => {
  // W = (3, 4), Ŵ = (2, 0): ‖W − Ŵ‖ = √17, ‖W‖ = 5, cos = 6/(5·2).
  const s = quantStats(new Float32Array([3, 4]), new Int8Array([1, 0]), { scale: { pos: 2, neg: 2 } });
  assertClose(s.relError, Math.sqrt(17) / 5, 1e-12, 'relError');
  assertClose(s.cosine, 0.6, 1e-12, 'cosine');
  assert.equal(s.sparsity, 0.5);
  // Asymmetric scales: −1 ↦ −scale.neg.
  const t = quantStats(new Float32Array([-3]), new Int8Array([-1]), { scale: { pos: 9, neg: 3 } });
  assert.equal(t.relError, 0);
});

test('stats agree with the dequantized tensor', () => {
  const w = gaussian(3000, 0.1, 0.5, 8);
  const q = asymUniform(w);
  const s = quantStats(w, q.trits, q.quant);
  const hat = dequantize(q.trits, q.quant.scale);
  let e = 0, n = 0;
  for (let i = 0; i < w.length; i++) { e += (w[i] - hat[i]) ** 2; n += w[i] ** 2; }
  assertClose(s.relError, Math.sqrt(e / n), 1e-9, 'relError');
  assert.ok(s.entropyBits > 1.58 && s.entropyBits <= Math.log2(3) + 1e-12, `entropy ${s.entropyBits}`);
  assert.ok(s.cosine > 0.8 && s.cosine < 1);
  assert.equal(s.trits.neg + s.trits.zero + s.trits.pos, w.length);
});

test('quantStats rejects mismatched lengths', () => {
  assert.throws(() => quantStats(new Float32Array(3), new Int8Array(2), { scale: { pos: 1, neg: 1 } }), /3 weights but 2 trits/);
});
