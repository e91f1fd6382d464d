import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alemdar, asymUniform, stochastic, stochasticProbability, ttq, twn, quantizeWeights, QuantError } from '../../../src/core/quant/index';
import { assertClose, countTrits, gaussian, sqError, uniform, xorshift } from './helpers';

const datasets: Array<[string, Float32Array]> = [
  ['gaussian N(0,1)', gaussian(5000, 0, 1, 1)],
  ['gaussian N(0.1,0.5²)', gaussian(5000, 0.1, 0.5, 2)],
  ['uniform [-0.3, 0.8]', uniform(4000, -0.3, 0.8, 3)],
  ['skewed uniform [-2, 0.1]', uniform(3001, -2, 0.1, 4)],
];

/** TWN, seed paper Eq. 2–3, the straightforward way: sort |W|, filter, average. */
function referenceTwn(w: Float32Array, factor: number) {
  const abs = Array.from(w, Math.abs).sort((a, b) => a - b);
  const delta = (factor * abs.reduce((a, b) => a + b, 0)) / abs.length;
  const kept = abs.filter((a) => a > delta);
  const alpha = kept.length ? kept.reduce((a, b) => a + b, 0) / kept.length : 0;
  const trits = Int8Array.from(w, (v) => (v > delta ? 1 : v < -delta ? -1 : 0));
  return { delta, alpha, trits };
}

for (const [label, w] of datasets) {
  for (const factor of [0.7, 0.5]) {
    test(`twn matches a plain Eq. 2–3 implementation on ${label}, factor ${factor}`, () => {
      const ref = referenceTwn(w, factor);
      const r = twn(w, { factor });
      assertClose(r.quant.thresholds.pos, ref.delta, 1e-9, 'Δ');
      assert.equal(r.quant.thresholds.neg, -r.quant.thresholds.pos);
      assertClose(r.quant.scale.pos, ref.alpha, 1e-9, 'α');
      assert.equal(r.quant.scale.neg, r.quant.scale.pos);
      assert.deepEqual(countTrits(r.trits), countTrits(ref.trits));
      assert.deepEqual(r.trits, ref.trits);
      assert.equal(r.quant.method, 'twn');
      assert.equal(r.quant.gamma, null);
    });
  }

  test(`ttq matches Eq. 4 with t = 0.05 and separate initial scales on ${label}`, () => {
    const maxAbs = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const delta = 0.05 * maxAbs;
    const posVals = Array.from(w).filter((v) => v > delta);
    const negVals = Array.from(w).filter((v) => v < -delta);
    const r = ttq(w);
    assertClose(r.quant.thresholds.pos, delta, 1e-12, 'Δ');
    assertClose(r.quant.thresholds.neg, -delta, 1e-12, '−Δ');
    const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
    assertClose(r.quant.scale.pos, mean(posVals), 1e-9, 'αp');
    assertClose(r.quant.scale.neg, -mean(negVals), 1e-9, 'αn');
    assert.ok(r.quant.scale.neg > 0, 'αn is stored as a positive magnitude');
    assert.deepEqual(countTrits(r.trits), { pos: posVals.length, neg: negVals.length, zero: w.length - posVals.length - negVals.length });
  });

  test(`asym-uniform matches Eq. 9 normalization with thresholds ±0.5 on ${label}`, () => {
    for (const gamma of [1, 1.7]) {
      const n = w.length;
      const mu = w.reduce((a, b) => a + b, 0) / n;
      const sigma = Math.sqrt(w.reduce((a, b) => a + (b - mu) ** 2, 0) / n);
      // Independent route: normalize, then compare with ±0.5 (Eq. 8).
      const z = Array.from(w, (v) => (gamma * (v - mu) * 0.5) / (0.43 * sigma));
      const trits = Int8Array.from(z, (v) => (v > 0.5 ? 1 : v < -0.5 ? -1 : 0));
      let sum = 0, nnz = 0;
      trits.forEach((t, i) => { if (t) { sum += Math.abs(w[i]); nnz++; } });
      const r = asymUniform(w, { gamma });
      assertClose(r.quant.mu!, mu, 1e-9, 'μ');
      assertClose(r.quant.sigma!, sigma, 1e-9, 'σ');
      assert.equal(r.quant.gamma, gamma);
      assertClose(r.quant.thresholds.pos, mu + (0.43 * sigma) / gamma, 1e-9, 'Δp');
      assertClose(r.quant.thresholds.neg, mu - (0.43 * sigma) / gamma, 1e-9, 'Δn');
      assert.deepEqual(countTrits(r.trits), countTrits(trits));
      if (r.quant.thresholds.pos >= 0 && r.quant.thresholds.neg <= 0) assertClose(r.quant.scale.pos, sum / nnz, 1e-9, 'α');
      assert.equal(r.quant.scale.neg, r.quant.scale.pos);
    }
  });
}

test('asym-uniform puts about 1/3 of a Gaussian N(0.1, 0.5²) layer in each trit', () => {
  const w = gaussian(60000, 0.1, 0.5, 11);
  const c = countTrits(asymUniform(w).trits);
  for (const k of ['neg', 'zero', 'pos'] as const) {
    const f = c[k] / w.length;
    assert.ok(Math.abs(f - 1 / 3) < 0.02, `${k} fraction ${f.toFixed(4)} is not within 2 % of 1/3`);
  }
  // TWN on the same data is far from uniform (≈ 42 % zeros for a zero-mean Gaussian): the point of Eq. 9.
  const t = countTrits(twn(gaussian(60000, 0, 0.5, 12)).trits);
  assert.ok(t.zero / 60000 > 0.38, `TWN zero fraction ${t.zero / 60000}`);
});

test('asym-uniform α is L2-optimal for its trits (no other α does better)', () => {
  const w = gaussian(2000, 0.05, 0.3, 5);
  const r = asymUniform(w);
  const e = sqError(w, r.trits, r.quant.scale.pos, r.quant.scale.neg);
  for (const f of [0.9, 0.99, 1.01, 1.1]) {
    const a = r.quant.scale.pos * f;
    assert.ok(sqError(w, r.trits, a, a) > e);
  }
});

/** Every Eq. 6 threshold pair on the sorted values, each with its L2-optimal α. */
function bruteForceAsymmetric(w: Float32Array): number {
  const posCands = [0, ...Array.from(w).filter((v) => v > 0)];
  const negCands = [0, ...Array.from(w).filter((v) => v < 0)];
  let best = Infinity;
  for (const dp of posCands) {
    for (const dn of negCands) {
      const t = Int8Array.from(w, (v) => (v > dp ? 1 : v < dn ? -1 : 0));
      let dot = 0, nnz = 0;
      t.forEach((x, i) => { if (x) { dot += x * w[i]; nnz++; } });
      const a = nnz ? dot / nnz : 0;
      best = Math.min(best, sqError(w, t, a, a));
    }
  }
  return best;
}

test('alemdar reaches the brute-force optimum of Eq. 6 on small arrays', () => {
  const r = xorshift(99);
  for (let trial = 0; trial < 300; trial++) {
    const n = 3 + Math.floor(r() * 10);
    const kind = trial % 3;
    const w = kind === 0 ? gaussian(n, r() - 0.5, 0.2 + r(), 1000 + trial)
      : kind === 1 ? uniform(n, -1, 0.2 + 2 * r(), 2000 + trial)
        : Float32Array.from({ length: n }, () => Math.round((r() * 2 - 1) * 4) / 4); // many ties
    const q = alemdar(w);
    const err = sqError(w, q.trits, q.quant.scale.pos, q.quant.scale.neg);
    const best = bruteForceAsymmetric(w);
    assert.ok(err <= best + 1e-6 * (1 + best), `trial ${trial} [${Array.from(w).map((v) => v.toFixed(3))}]: ${err} > brute force ${best}`);
    const maxW = Math.max(...w), minW = Math.min(...w);
    assert.ok(q.quant.thresholds.pos >= 0 && q.quant.thresholds.pos <= Math.max(0, maxW), 'max(W) ≥ Δp ≥ 0');
    assert.ok(q.quant.thresholds.neg <= 0 && q.quant.thresholds.neg >= Math.min(0, minW), '0 ≥ Δn ≥ min(W)');
  }
});

test('alemdar is deterministic and never worse than TWN in L2 error', () => {
  for (const [label, w] of datasets) {
    const a = alemdar(w);
    assert.deepEqual(alemdar(w), a);
    const t = twn(w);
    assert.ok(sqError(w, a.trits, a.quant.scale.pos, a.quant.scale.neg) <= sqError(w, t.trits, t.quant.scale.pos, t.quant.scale.neg) + 1e-9, label);
  }
});

test('stochastic is reproducible with a seed and differs with another', () => {
  const w = gaussian(4000, 0.1, 0.5, 21);
  const a = stochastic(w, { seed: 7 });
  assert.deepEqual(stochastic(w, { seed: 7 }).trits, a.trits);
  const b = stochastic(w, { seed: 8 });
  let diff = 0;
  for (let i = 0; i < w.length; i++) if (a.trits[i] !== b.trits[i]) diff++;
  assert.ok(diff > 100, `only ${diff} trits differ between seeds 7 and 8`);
  assert.deepEqual(a.quant.thresholds, asymUniform(w).quant.thresholds);
  assert.equal(a.quant.options?.seed, 7);
});

test('stochastic frequencies follow Eq. 7 (p → 1 at 2Δp and 2Δn, 0.5 at the thresholds)', () => {
  const w = gaussian(200000, 0.1, 0.5, 31);
  const q = stochastic(w, { seed: 3 });
  const { pos: dp, neg: dn } = q.quant.thresholds;
  assert.ok(dp > 0 && dn < 0);
  assert.equal(stochasticProbability(2 * dp, dp, dn), 1);
  assert.equal(stochasticProbability(2 * dn, dp, dn), 1);
  assertClose(stochasticProbability(dp, dp, dn), 0.5, 1e-12, 'p at Δp');
  assertClose(stochasticProbability(dn, dp, dn), 0.5, 1e-12, 'p at Δn');
  // Per value bin: observed ±1 count vs Σ p_i, within 5 standard deviations.
  const bins = [[-3, 2 * dn], [2 * dn, dn], [dn, 0], [0, dp], [dp, 2 * dp], [2 * dp, 3]];
  for (const [lo, hi] of bins) {
    let expected = 0, variance = 0, observed = 0, wrongSign = 0;
    for (let i = 0; i < w.length; i++) {
      const v = w[i];
      if (v < lo || v >= hi || v === 0) continue;
      const p = v > 0 ? Math.min(1, v / (2 * dp)) : Math.min(1, v / (2 * dn));
      expected += p;
      variance += p * (1 - p);
      if (q.trits[i] !== 0) observed++;
      if (q.trits[i] * v < 0) wrongSign++;
    }
    assert.equal(wrongSign, 0);
    assert.ok(Math.abs(observed - expected) <= 5 * Math.sqrt(variance) + 1e-9, `bin [${lo}, ${hi}): ${observed} vs ${expected}`);
  }
});

test('quantizeWeights dispatches by name and rejects bad weights with the tensor named', () => {
  const w = gaussian(100, 0, 1, 1);
  assert.deepEqual(quantizeWeights('twn', w), twn(w));
  assert.deepEqual(quantizeWeights('stochastic', w, { seed: 4 }), stochastic(w, { seed: 4 }));
  assert.throws(() => quantizeWeights('twn', new Float32Array([1, NaN]), { name: 'conv2.weight' }), (e: Error) => e instanceof QuantError && /conv2\.weight/.test(e.message) && /\[1\]/.test(e.message));
  assert.throws(() => asymUniform(new Float32Array(0), { name: 'fc.weight' }), /fc\.weight.*empty/);
  assert.throws(() => asymUniform(w, { gamma: 0 }), /gamma/);
});

test('a constant layer is represented exactly by asym-uniform', () => {
  const r = asymUniform(new Float32Array([0.25, 0.25, 0.25]));
  assert.deepEqual(Array.from(r.trits), [1, 1, 1]);
  assert.equal(r.quant.scale.pos, 0.25);
});
