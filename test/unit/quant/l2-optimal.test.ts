import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alemdar, quantizeWeights, twn } from '../../../src/core/quant/index';
import { l2Optimal } from '../../../src/core/quant/l2-optimal';
import { initTf } from '../../../src/core/train/backend';
import { WeightQuantizer } from '../../../src/core/train/qat/quantizers';
import { assertClose, gaussian, sqError, uniform, xorshift } from './helpers';

/** Every symmetric cut Δ ∈ {0} ∪ {|w_i|}, each with its best α (mean |w| above Δ): the one with the least ‖W − αT‖². */
function bruteForce(w: Float32Array): { delta: number; alpha: number; err: number } {
  let best = { delta: 0, alpha: 0, err: Infinity };
  for (const delta of [0, ...Array.from(w, Math.abs)]) {
    const t = Int8Array.from(w, (v) => (v > delta ? 1 : v < -delta ? -1 : 0));
    let s = 0, n = 0;
    t.forEach((x, i) => { if (x) { s += Math.abs(w[i]); n++; } });
    const alpha = n ? s / n : 0;
    const err = sqError(w, t, alpha, alpha);
    if (err < best.err - 1e-12) best = { delta, alpha, err };
  }
  return best;
}

test('l2-optimal finds the brute-force Δ and α on small random vectors', () => {
  const r = xorshift(7);
  for (let trial = 0; trial < 400; trial++) {
    const n = 1 + Math.floor(r() * 14);
    const w = trial % 2 ? gaussian(n, r() - 0.5, 0.1 + r(), 500 + trial) : uniform(n, -1, 0.1 + 2 * r(), 900 + trial);
    const q = l2Optimal(w);
    const b = bruteForce(w);
    const err = sqError(w, q.trits, q.quant.scale.pos, q.quant.scale.neg);
    assert.ok(err <= b.err + 1e-9 * (1 + b.err), `trial ${trial}: ${err} > ${b.err}`);
    // Continuous random values: the optimum is unique, so the cut and scale are the brute force's.
    assert.equal(q.quant.thresholds.pos, b.delta, `trial ${trial} Δ`);
    assert.equal(q.quant.thresholds.neg, -b.delta);
    assertClose(q.quant.scale.pos, b.alpha, 1e-9, `trial ${trial} α`);
  }
});

test('l2-optimal never splits a tie and still reaches the optimum when magnitudes repeat', () => {
  const r = xorshift(11);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + Math.floor(r() * 12);
    const w = Float32Array.from({ length: n }, () => Math.round((r() * 2 - 1) * 3) / 4);
    const q = l2Optimal(w);
    const err = sqError(w, q.trits, q.quant.scale.pos, q.quant.scale.neg);
    assert.ok(err <= bruteForce(w).err + 1e-9, `trial ${trial}`);
    // |w| > Δ keeps every copy of a magnitude or none.
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (Math.abs(w[i]) === Math.abs(w[j]) && w[i] !== 0) assert.equal(q.trits[i] !== 0, q.trits[j] !== 0);
  }
});

test('hand example: three ±1 and three ±0.3 among zeros — the optimum drops the 0.3s, TWN keeps them', () => {
  const w = Float32Array.from([1, -1, 1, 0.3, -0.3, 0.3, 0, 0, 0, 0, 0, 0]);
  // F(Δ) = (Σ_{|w|>Δ}|w|)² / #: keeping the three 1s gives 9/3 = 3; also keeping the 0.3s gives 3.9²/6 = 2.535.
  const q = l2Optimal(w);
  assert.equal(q.quant.thresholds.pos, Math.fround(0.3));
  assert.equal(q.quant.scale.pos, 1);
  assert.deepEqual(Array.from(q.trits), [1, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assertClose(sqError(w, q.trits, 1, 1), 3 * Math.fround(0.3) ** 2, 1e-12, 'error 0.27');
  // TWN: Δ = 0.7·E|W| = 0.7·3.9/12 = 0.2275 keeps all six, α = 0.65, error 6·0.35² = 0.735.
  const t = twn(w);
  assert.equal(t.trits.filter((x) => x !== 0).length, 6);
  assert.ok(sqError(w, t.trits, t.quant.scale.pos, t.quant.scale.neg) > 0.7);
  assert.equal(quantizeWeights('l2-optimal', w).quant.method, 'l2-optimal');
});

test('on Gaussian weights: L2 error ≤ TWN (0.7·E|W| approximates this optimum) and = the alemdar search optimum', () => {
  for (const [n, seed] of [[1000, 1], [20000, 2], [100000, 3]]) {
    const w = gaussian(n, 0, 0.05, seed);
    const q = l2Optimal(w);
    const t = twn(w);
    const a = alemdar(w);
    const e = sqError(w, q.trits, q.quant.scale.pos, q.quant.scale.neg);
    const et = sqError(w, t.trits, t.quant.scale.pos, t.quant.scale.neg);
    const ea = sqError(w, a.trits, a.quant.scale.pos, a.quant.scale.neg);
    assert.ok(e <= et + 1e-12, `n=${n}: ${e} > TWN ${et}`);
    // A symmetric α's best trits are {|w| > α/2}, so alemdar's asymmetric search has the same optimum.
    assertClose(e, ea, 1e-9 * et, `n=${n} vs alemdar`);
    // For N(0, σ²) the optimum is Δ ≈ 0.612σ ≈ 0.77·E|W| (E|W| = 0.798σ); TWN's 0.7 is a compromise between
    // this and the uniform distribution's 2/3 (Li et al. 2016), so it keeps slightly too many weights here.
    const meanAbs = w.reduce((s, v) => s + Math.abs(v), 0) / n;
    const ratio = q.quant.thresholds.pos / meanAbs;
    assert.ok(ratio > 0.72 && ratio < 0.82, `Δ/E|W| = ${ratio}`);
    assert.ok(t.trits.filter((x) => x === 0).length < q.trits.filter((x) => x === 0).length, 'TWN zeroes fewer weights');
  }
});

test('l2-optimal QAT folds to the post-training projection of the current weights', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const w = gaussian(3000, 0.01, 0.05, 4);
  const q = new WeightQuantizer(tf, 'l2-test', w, { method: 'l2-optimal', uniform: true, asymmetric: true });
  assert.equal(q.vars.length, 0, 'nothing learned: Δ and α follow the weights');
  const f = q.fold(w);
  const p = l2Optimal(w);
  assert.equal(f.pos, p.quant.thresholds.pos);
  assertClose(f.scalePos, p.quant.scale.pos, 1e-12, 'α');
  const y = q.forward(tf.tensor1d(w)).dataSync();
  assert.deepEqual(Array.from(y, (v) => Math.sign(v)), Array.from(p.trits));
});
