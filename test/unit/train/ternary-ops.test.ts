import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf } from '../../../src/core/train/backend';
import { biSteTernarize, eq7Expectation, steTernarize, ttqTernarize } from '../../../src/core/train/qat/ternary-ops';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('bi-STE forward is α·T(z) of Eq. 8 with strict thresholds (ties to 0)', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const z = tf.tensor1d([-1, -0.3, -0.2, 0, 0.1, 0.5, 0.6, 2]);
  const y = biSteTernarize(tf, z, tf.scalar(0.5), tf.scalar(-0.3), tf.scalar(1.5));
  assert.deepEqual(Array.from(y.dataSync()), [-1.5, 0, 0, 0, 0, 0, 1.5, 1.5]);
});

test('bi-STE gradients equal finite differences of Eq. 7\'s expectation (z, Δp, Δn) and T(z) for α', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const dp = 0.4, dn = -0.7, alpha = 1.3, h = 1e-4;
  // Points inside each region, away from the kinks at 2Δn, 0, 2Δp.
  const zs = [-2, -1.2, -0.9, -0.35, -0.05, 0.05, 0.3, 0.79, 1.5];
  const weights = zs.map((_, i) => 0.5 + 0.25 * i); // a non-uniform upstream gradient
  const f = (z: ReturnType<typeof tf.tensor1d>, p: ReturnType<typeof tf.scalar>, n: ReturnType<typeof tf.scalar>, a: ReturnType<typeof tf.scalar>) =>
    tf.sum(tf.mul(biSteTernarize(tf, z, p, n, a), tf.tensor1d(weights)));
  const g = tf.grads(f as never)([tf.tensor1d(zs), tf.scalar(dp), tf.scalar(dn), tf.scalar(alpha)]);
  const [gz, gp, gn, ga] = g.map((t) => Array.from(t.dataSync()));
  let expP = 0, expN = 0, expA = 0;
  zs.forEach((z, i) => {
    const fdZ = (eq7Expectation(z + h, dp, dn, alpha) - eq7Expectation(z - h, dp, dn, alpha)) / (2 * h);
    close(gz[i], weights[i] * fdZ, 1e-3, `∂/∂z at z=${z}`);
    expP += weights[i] * (eq7Expectation(z, dp + h, dn, alpha) - eq7Expectation(z, dp - h, dn, alpha)) / (2 * h);
    expN += weights[i] * (eq7Expectation(z, dp, dn + h, alpha) - eq7Expectation(z, dp, dn - h, alpha)) / (2 * h);
    expA += weights[i] * (z > dp ? 1 : z < dn ? -1 : 0);
  });
  close(gp[0], expP, 1e-3, '∂/∂Δp');
  close(gn[0], expN, 1e-3, '∂/∂Δn');
  close(ga[0], expA, 1e-5, '∂/∂α');
  // The slopes differ on the two sides (asymmetric thresholds): α/2Δp vs α/2|Δn|.
  close(gz[6] / weights[6], alpha / (2 * dp), 1e-4, 'positive-side slope');
  close(gz[3] / weights[3], alpha / (2 * -dn), 1e-4, 'negative-side slope');
  assert.equal(gz[0], 0, 'no gradient below 2Δn');
  assert.equal(gz[8], 0, 'no gradient above 2Δp');
});

test('TTQ gradients follow Eq. 5: Σ over regions for αp, −Σ for αn, latent scaled by αp/1/αn', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const w = [-0.9, -0.2, -0.01, 0.03, 0.3, 1.1];
  const dy = [0.5, -1, 2, 3, -0.25, 0.75];
  const delta = 0.1, ap = 0.8, an = 0.6;
  const y = ttqTernarize(tf, tf.tensor1d(w), tf.scalar(delta), tf.scalar(ap), tf.scalar(an));
  assert.deepEqual(Array.from(y.dataSync()).map((v) => Number(v.toFixed(6))), [-0.6, -0.6, 0, 0, 0.8, 0.8]);
  const f = (a: never, b: never, c: never) => tf.sum(tf.mul(ttqTernarize(tf, a, tf.scalar(delta), b, c), tf.tensor1d(dy)));
  const [gw, gp, gn] = tf.grads(f as never)([tf.tensor1d(w), tf.scalar(ap), tf.scalar(an)]).map((t) => Array.from(t.dataSync()));
  const region = w.map((v) => (v > delta ? 'p' : v < -delta ? 'n' : 'z'));
  w.forEach((_, i) => close(gw[i], dy[i] * (region[i] === 'p' ? ap : region[i] === 'n' ? an : 1), 1e-6, `latent grad ${i}`));
  close(gp[0], dy.filter((_, i) => region[i] === 'p').reduce((a, b) => a + b, 0), 1e-6, '∂L/∂αp');
  close(gn[0], -dy.filter((_, i) => region[i] === 'n').reduce((a, b) => a + b, 0), 1e-6, '∂L/∂αn');
});

test('TWN STE passes the gradient straight through', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const z = tf.tensor1d([-1, 0.01, 0.6]);
  const dy = tf.tensor1d([2, -3, 5]);
  const gz = tf.grad((x) => tf.sum(tf.mul(steTernarize(tf, x, tf.scalar(0.2), tf.scalar(-0.2), tf.scalar(0.7)), dy)))(z);
  assert.deepEqual(Array.from(gz.dataSync()), [2, -3, 5]);
});
