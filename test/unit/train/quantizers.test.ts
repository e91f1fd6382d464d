import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ternarizeActivation } from '../../../src/core/exec/reference';
import { initTf } from '../../../src/core/train/backend';
import { mulberry32 } from '../../../src/core/rng';
import { UNIFORM_Z as UNIFORM_HALF_WIDTH } from '../../../src/core/quant/common';
import { ActQuantizer, codeWithFolded, WeightQuantizer } from '../../../src/core/train/qat/quantizers';

function gaussian(n: number, seed: number, mu = 0.01, sigma = 0.05): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => mu + sigma * Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()));
}

test('asym-uniform weights: Eq. 9 + Eq. 8 on normalized weights equals thresholds folded into weight units (γ absorbed)', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const w = gaussian(3000, 1);
  const q = new WeightQuantizer(tf, 'wq-test', w, { method: 'asym-uniform', uniform: true, asymmetric: true });
  const [dp, dn, gamma] = q.vars;
  dp.assign(tf.scalar(0.62)); dn.assign(tf.scalar(-0.41)); gamma.assign(tf.scalar(1.7));
  const f = q.fold(w);
  assert.ok(Math.abs(f.gamma! - 1.7) < 1e-6);
  const mu = f.mu!, sigma = f.sigma!;
  const k = 0.5 / (UNIFORM_HALF_WIDTH * sigma);
  const byNormalized = Array.from(w, (v) => { const z = Math.fround(1.7) * k * (v - mu); return z > 0.62 ? 1 : z < -0.41 ? -1 : 0; });
  const folded = Array.from(codeWithFolded(w, f));
  const diff = folded.filter((c, i) => c !== byNormalized[i]).length;
  assert.ok(diff <= 2, `${diff} codes differ (only float rounding at the thresholds may)`);
  assert.ok(f.pos > mu && f.neg < mu && f.pos - mu > mu - f.neg, 'asymmetric thresholds around μ');
  // The training forward uses the same thresholds: its values are ±α / 0 with the folded code.
  const y = q.forward(tf.tensor1d(w)).dataSync();
  const alpha = f.scalePos;
  const mismatch = Array.from(y).filter((v, i) => Math.abs(v - alpha * folded[i]) > 1e-6).length;
  assert.ok(mismatch <= 2, `${mismatch} forward values differ from α·code`);
  // Doubling γ pulls both float-unit thresholds twice as close to μ (γ lives only in the thresholds).
  gamma.assign(tf.scalar(3.4));
  const f2 = q.fold(w);
  assert.ok(Math.abs((f2.pos - mu) * 2 - (f.pos - mu)) < 1e-6);
  for (const v of q.vars) v.dispose();
});

test('symmetric ablation ties Δn = −Δp; TWN folds Eq. 3 (Δ = 0.7·E|W|, α = mean of |W| above Δ)', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const w = gaussian(2000, 2, 0);
  const sym = new WeightQuantizer(tf, 'sym-test', w, { method: 'asym-uniform', uniform: false, asymmetric: false });
  const fs = sym.fold(w);
  assert.equal(fs.neg, -fs.pos);
  assert.equal(sym.vars.length, 2, 'Δ and α only');
  const twn = new WeightQuantizer(tf, 'twn-test', w, { method: 'twn', uniform: false, asymmetric: false });
  const ft = twn.fold(w);
  const meanAbs = w.reduce((a, b) => a + Math.abs(b), 0) / w.length;
  assert.ok(Math.abs(ft.pos - 0.7 * meanAbs) < 1e-6);
  const above = Array.from(w).filter((v) => Math.abs(v) > ft.pos);
  assert.ok(Math.abs(ft.scalePos - above.reduce((a, b) => a + Math.abs(b), 0) / above.length) < 1e-6);
  for (const v of sym.vars) v.dispose();
});

test('activation quantizer: eval forward equals the reference executor\'s ternarizeActivation of the exported ActQuant', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const aq = new ActQuantizer(tf, 'aq-test', 'gaussian', { method: 'asym-uniform', uniform: true, asymmetric: true });
  const x = gaussian(4096, 3, 0.2, 1);
  const xt = tf.tensor4d(x, [4, 8, 8, 16]);
  aq.observe(xt);
  aq.vars[0].assign(tf.scalar(0.55)); aq.vars[1].assign(tf.scalar(-0.35)); aq.vars[2].assign(tf.scalar(1.3));
  const f = aq.fold();
  const ref = ternarizeActivation({ shape: [x.length], data: x }, { thresholds: { pos: f.pos, neg: f.neg }, scale: f.scalePos });
  assert.deepEqual(Array.from(aq.evalForward(xt).dataSync()), Array.from(ref.data));
  const codes = new Set(Array.from(ref.data).map(Math.sign));
  assert.deepEqual([...codes].sort(), [-1, 0, 1]);
  // σ is the running RMS (Eq. 9 about zero); thresholds are Δ·0.43σ/(0.5γ).
  const rms = Math.sqrt(x.reduce((a, b) => a + b * b, 0) / x.length);
  assert.ok(Math.abs(f.pos - (0.55 * UNIFORM_HALF_WIDTH * rms) / (0.5 * 1.3)) < 1e-4, `${f.pos}`);
  aq.dispose();
});
