import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admm, projectTernary, projectTrits } from '../../../src/core/quant/admm';
import { l2Optimal } from '../../../src/core/quant/l2-optimal';
import { quantizeWeights, twn } from '../../../src/core/quant/index';
import { initTf } from '../../../src/core/train/backend';
import { WeightQuantizer } from '../../../src/core/train/qat/quantizers';
import { assertClose, gaussian, sqError, uniform, xorshift } from './helpers';

/** All 3ⁿ trit vectors: the one minimising ‖v − αT‖² for this α. */
function bestTritsBrute(v: Float32Array, alpha: number): { t: Int8Array; err: number } {
  let best = { t: new Int8Array(v.length), err: Infinity };
  const t = new Int8Array(v.length);
  for (let code = 0; code < 3 ** v.length; code++) {
    let c = code;
    for (let i = 0; i < v.length; i++) { t[i] = (c % 3) - 1; c = Math.floor(c / 3); }
    const err = sqError(v, t, alpha, alpha);
    if (err < best.err) best = { t: Int8Array.from(t), err };
  }
  return best;
}

test('projection step: for a fixed α the rounded trits are the exact minimiser over all 3ⁿ trit vectors', () => {
  const r = xorshift(5);
  for (let trial = 0; trial < 150; trial++) {
    const n = 1 + Math.floor(r() * 7);
    const v = uniform(n, -1.5, 1.5, 100 + trial);
    const alpha = 0.05 + 2 * r();
    const t = projectTrits(v, alpha);
    const b = bestTritsBrute(v, alpha);
    assert.ok(Math.abs(sqError(v, t, alpha, alpha) - b.err) <= 1e-12, `trial ${trial}`);
    assert.deepEqual(t, b.t, `trial ${trial}: continuous values have one minimiser`);
  }
  // |v| = α/2 is a tie between 0 and ±1; Eq. 6's rule sends it to 0.
  assert.deepEqual(Array.from(projectTrits(Float32Array.from([0.5, -0.5, 0.51]), 1)), [0, 0, 1]);
});

test('iterative quantization never raises the error, ends at a fixed point, and is bounded by the exact optimum', () => {
  for (const [i, w] of [gaussian(5000, 0, 0.05, 1), gaussian(3000, 0.02, 0.1, 2), uniform(4000, -1, 0.6, 3)].entries()) {
    const t = twn(w);
    const p = projectTernary(w, 50);
    const e = sqError(w, p.trits, p.alpha, p.alpha);
    assert.ok(e <= sqError(w, t.trits, t.quant.scale.pos, t.quant.scale.pos) + 1e-12, `case ${i}: starts at TWN and only improves`);
    assert.ok(p.iterations < 50, `case ${i} converged (${p.iterations} rounds)`);
    assert.deepEqual(projectTrits(w, p.alpha), p.trits, `case ${i}: the trits are the rounding of their own α`);
    const opt = l2Optimal(w);
    assert.ok(e >= sqError(w, opt.trits, opt.quant.scale.pos, opt.quant.scale.pos) - 1e-12, `case ${i}: not below the global optimum`);
    // One round only: the TWN start rounded once, α re-fitted.
    const one = projectTernary(w, 1);
    assert.equal(one.iterations, 1);
  }
});

test('post-training admm: stored thresholds reproduce its trits (Eq. 6), α is L2-optimal for them, dispatch by name', () => {
  const w = gaussian(4000, 0.01, 0.08, 9);
  const q = admm(w);
  assert.equal(q.quant.method, 'admm');
  const again = Int8Array.from(w, (v) => (v > q.quant.thresholds.pos ? 1 : v < q.quant.thresholds.neg ? -1 : 0));
  assert.deepEqual(again, q.trits);
  const a = q.quant.scale.pos;
  for (const f of [0.98, 1.02]) assert.ok(sqError(w, q.trits, a * f, a * f) > sqError(w, q.trits, a, a));
  assert.deepEqual(quantizeWeights('admm', w, { options: { admmIterations: 20 } }), q);
});

/**
 * ADMM on f(W) = ½‖W − W*‖², whose W-step has a closed form:
 * argmin_W ½‖W − W*‖² + ρ/2‖W − G + λ‖² = (W* + ρ(G − λ)) / (1 + ρ).
 */
test('augmented Lagrangian: penalty value and gradient, dual update λ ← λ + W − G, residual shrinks toward consensus', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const target = gaussian(400, 0, 0.1, 17);
  // A small ρ alone oscillates on this nonconvex set (λ keeps pushing elements across α/2); growing ρ settles it.
  const rho = 0.5;
  const q = new WeightQuantizer(tf, 'admm-test', target, { method: 'admm', uniform: true, asymmetric: true, options: { admmRho: rho, admmRhoGrowth: 1.2, admmInterval: 1 } });
  assert.equal(q.vars.filter((v) => v.trainable).length, 0, 'G, λ, ρ, α are state, not trained');
  const [gVar, lVar, rhoVar] = q.vars;
  const w = tf.variable(tf.tensor1d(target), true, 'admm-test/w');
  // The training forward is the float W itself (the proximal step trains W).
  assert.equal(q.forward(w), w);
  const g0 = gVar.dataSync() as Float32Array;
  assert.deepEqual(Array.from(g0, Math.sign), Array.from(projectTernary(target, 20).trits), 'G starts as Π_C(W₀)');
  // Penalty ρ/2·‖W − G + λ‖² (λ = 0 at start) and its gradient ρ(W − G + λ).
  const pen = q.penalty(w)!.dataSync()[0];
  let manual = 0;
  for (let i = 0; i < target.length; i++) manual += (target[i] - g0[i]) ** 2;
  assertClose(pen, (rho / 2) * manual, 1e-5, 'penalty');
  const grad = tf.grad((x) => q.penalty(x)!)(w).dataSync();
  for (let i = 0; i < 5; i++) assertClose(grad[i], rho * (target[i] - g0[i]), 1e-5, `∂/∂w[${i}]`);

  const residuals: number[] = [];
  for (let k = 0; k < 30; k++) {
    const g = gVar.dataSync() as Float32Array, lam = lVar.dataSync() as Float32Array, r = rhoVar.dataSync()[0];
    w.assign(tf.tensor1d(Float32Array.from(target, (t, i) => (t + r * (g[i] - lam[i])) / (1 + r))));
    const wNow = w.dataSync() as Float32Array;
    q.afterStep(w, k);
    const g2 = gVar.dataSync() as Float32Array, lam2 = lVar.dataSync() as Float32Array;
    // The dual update, element by element.
    for (let i = 0; i < 5; i++) assertClose(lam2[i], lam[i] + wNow[i] - g2[i], 1e-6, `λ[${i}] at step ${k}`);
    let rr = 0;
    for (let i = 0; i < g2.length; i++) rr += (wNow[i] - g2[i]) ** 2;
    residuals.push(Math.sqrt(rr));
  }
  assert.ok(residuals[29] < 0.02 * residuals[0], `‖W − G‖ ${residuals[0].toFixed(4)} → ${residuals[29].toFixed(4)}`);
  assertClose(rhoVar.dataSync()[0], rho * 1.2 ** 30, 1e-5, 'ρ grew once per dual update');
  // The consensus point is a ternary approximation of W* no worse than TWN's.
  const g = gVar.dataSync() as Float32Array;
  let e = 0;
  for (let i = 0; i < g.length; i++) e += (target[i] - g[i]) ** 2;
  const t = twn(target);
  assert.ok(e <= sqError(target, t.trits, t.quant.scale.pos, t.quant.scale.neg) + 1e-9);
  // At consensus the exported (folded) trits are the projection of W itself.
  const f = q.fold(w.dataSync() as Float32Array);
  assert.equal(f.neg, -f.pos);
  assert.ok(f.scalePos > 0);
  const opts = q.exportOptions();
  assert.equal(opts.admmRho, rho);
  assert.equal(typeof opts.admmResidual, 'number');
  for (const v of [...q.vars, w]) v.dispose();
});
