/**
 * Differentiable ternarization ops for quantization-aware training (tf.customGrad).
 *
 * Conventions: z → +1 when z > Δp, −1 when z < Δn, else 0 — strict comparisons,
 * ties to 0 as in src/core/graph/types.ts, so the training forward equals the
 * reference executor's ternarizeActivation / dequantizeTrits bit for bit.
 * Δn ≤ 0 ≤ Δp are signed thresholds.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../backend';

type T = tfjs.Tensor;
type S = tfjs.Scalar;

/** T(z): the ternary code {−1, 0, +1} of seed paper Eq. 8 (deterministic form of Eq. 7). */
export function ternaryCode(tf: Tf, z: T, dp: T, dn: T): T {
  return tf.sub(tf.cast(tf.greater(z, dp), 'float32'), tf.cast(tf.less(z, dn), 'float32'));
}

/**
 * E[ẑ](z) of seed paper Eq. 7 (stochastic ternarization): +α with probability
 * clip(z / 2Δp, 0, 1), −α with probability clip(z / 2Δn, 0, 1) (Δn < 0, so the
 * ratio is positive for negative z; the paper writes −z/2Δn with Δn read as a
 * magnitude). Hence E[ẑ] = α·clip(z/2Δp, 0, 1) − α·clip(z/2Δn, 0, 1).
 * Plain numbers: used by the tests' finite differences.
 */
export function eq7Expectation(z: number, dp: number, dn: number, alpha: number): number {
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  return alpha * clip(z / (2 * dp)) - alpha * clip(z / (2 * dn));
}

/**
 * bi-STE (seed paper §3.2): forward = α·T(z) (Eq. 8); backward = the derivative
 * of Eq. 7's expectation, i.e. a straight-through estimator whose slope differs
 * on each side of zero because the thresholds are asymmetric:
 *   ∂ẑ/∂z  = α/(2Δp) on (0, 2Δp),  α/(2|Δn|) on (2Δn, 0),  0 elsewhere;
 *   ∂ẑ/∂Δp = −α·z/(2Δp²) on (0, 2Δp), 0 elsewhere (Δp is learnable);
 *   ∂ẑ/∂Δn = α·z/(2Δn²) on (2Δn, 0), 0 elsewhere (Δn is learnable);
 *   ∂ẑ/∂α  = T(z) (the scale multiplies the forward code).
 * Plain STE would use slope 1 on both sides and cannot tell the thresholds apart.
 */
export function biSteTernarize(tf: Tf, z: T, dp: S, dn: S, alpha: S): T {
  const f = tf.customGrad((...args: unknown[]) => {
    const [x, p, n, a] = args as [T, S, S, S];
    const save = args[4] as (ts: T[]) => void;
    const code = ternaryCode(tf, x, p, n);
    save([x, p, n, a, code]);
    return {
      value: tf.mul(code, a),
      gradFunc: (dy: T, saved: T[]) => {
        const [sx, sp, sn, sa, sc] = saved;
        // Per element: s = 1/(2Δp) for z > 0 else 1/(2|Δn|); r = z·s is the position inside
        // the linear part of E[ẑ]/α, which is the open interval |r| < 1 on either side.
        const invP = tf.div(0.5, sp), invN = tf.div(0.5, tf.abs(sn));
        const pos = tf.cast(tf.greater(sx, 0), 'float32');
        const s = tf.add(tf.mul(pos, tf.sub(invP, invN)), invN);
        const r = tf.mul(sx, s);
        const dyIn = tf.mul(dy, tf.cast(tf.less(tf.abs(r), 1), 'float32'));
        const dz = tf.mul(tf.mul(dyIn, s), sa);
        // ∂/∂Δp = −α·z/(2Δp²) = −(α/Δp)·r on the positive side; ∂/∂Δn = α·z/(2Δn²) = (α/|Δn|)·r on the negative side.
        const g = tf.mul(dyIn, r);
        const gPos = tf.sum(tf.mul(g, pos));
        const ddp = tf.mul(tf.neg(tf.div(sa, sp)), gPos);
        const ddn = tf.mul(tf.div(sa, tf.abs(sn)), tf.sub(tf.sum(g), gPos));
        const da = tf.sum(tf.mul(dy, sc));
        return [dz, ddp, ddn, da];
      },
    };
  });
  return (f as unknown as (...xs: T[]) => T)(z, dp, dn, alpha);
}

/**
 * TTQ (Zhu et al. 2017; seed paper Eq. 4–5): forward αp·[w > Δ] − αn·[w < −Δ]
 * with learned magnitudes αp, αn ≥ 0 (Eq. 4's negative value is −αn).
 * Backward (Eq. 5 and TTQ's code): ∂L/∂αp = Σ_{I_p} ∂L/∂ŵ, ∂L/∂αn = −Σ_{I_n} ∂L/∂ŵ
 * (αn is a magnitude), and the latent weights get ∂L/∂ŵ scaled by αp, 1, αn
 * in the positive, zero and negative regions.
 */
export function ttqTernarize(tf: Tf, w: T, delta: S, ap: S, an: S): T {
  const f = tf.customGrad((...args: unknown[]) => {
    const [x, d, p, n] = args as [T, S, S, S];
    const save = args[4] as (ts: T[]) => void;
    const pos = tf.cast(tf.greater(x, d), 'float32');
    const neg = tf.cast(tf.less(x, tf.neg(d)), 'float32');
    save([pos, neg, p, n]);
    return {
      value: tf.sub(tf.mul(pos, p), tf.mul(neg, n)),
      gradFunc: (dy: T, saved: T[]) => {
        const [sp, sn, ap2, an2] = saved;
        const zeroRegion = tf.sub(tf.sub(tf.onesLike(sp), sp), sn);
        const dw = tf.mul(dy, tf.add(tf.add(tf.mul(sp, ap2), zeroRegion), tf.mul(sn, an2)));
        return [dw, tf.zerosLike(d), tf.sum(tf.mul(dy, sp)), tf.neg(tf.sum(tf.mul(dy, sn)))];
      },
    };
  });
  return (f as unknown as (...xs: T[]) => T)(w, delta, ap, an);
}

/** Plain STE (TWN, Eq. 2): forward α·T(z) with fixed thresholds and scale, backward identity on z. */
export function steTernarize(tf: Tf, z: T, dp: S, dn: S, alpha: S): T {
  const f = tf.customGrad((...args: unknown[]) => {
    const [x, p, n, a] = args as [T, S, S, S];
    return {
      value: tf.mul(ternaryCode(tf, x, p, n), a),
      gradFunc: (dy: T) => [dy, tf.zerosLike(p), tf.zerosLike(n), tf.zerosLike(a)],
    };
  });
  return (f as unknown as (...xs: T[]) => T)(z, dp, dn, alpha);
}

/** Identity forward, zero gradient: statistics (μ, σ of Eq. 9, TWN's Δ) are treated as constants. */
export function stopGradient(tf: Tf, x: T): T {
  const f = tf.customGrad((...args: unknown[]) => {
    const v = args[0] as T;
    return { value: tf.clone(v), gradFunc: (dy: T) => tf.zerosLike(dy) };
  });
  return (f as unknown as (x: T) => T)(x);
}
