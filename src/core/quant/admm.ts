/**
 * ADMM / alternating minimization (Leng, Dou, Li, Zhu, Jin, "Extremely Low Bit
 * Neural Network: Squeeze the Last Bit Out with ADMM", AAAI 2018; survey §4.0.2
 * and §4.1.1). Training is the constrained problem min f(W) s.t. W ∈ C,
 * C = {α·T : α > 0, T ∈ {−1, 0, +1}ⁿ} per layer, split with an auxiliary G:
 *
 *   survey Eq. (15)–(16): min f(W) + I_C(G) s.t. W = G, with the scaled-form
 *     augmented Lagrangian L_ρ(W, G, λ) = f(W) + I_C(G) + ρ/2·‖W − G + λ‖² − ρ/2·‖λ‖²;
 *   survey Eq. (17), the iterations:
 *     W ← argmin_W f(W) + ρ/2·‖W − G + λ‖²   (proximal step: SGD on the float weights)
 *     G ← Π_C(W + λ)                          (projection step)
 *     λ ← λ + W − G                           (dual update)
 *
 * The projection has no closed form because α is free; Leng et al.'s iterative
 * quantization alternates the two closed-form halves, each never raising
 * ‖V − αT‖²: for fixed α, T_i = sign(v_i)·[|v_i| > α/2] (survey Eq. (14),
 * rounding V/α to the nearest of {−1, 0, 1}); for fixed T, α = ⟨V,T⟩/⟨T,T⟩
 * (survey Eq. (19), ELBNN's matrix form Eq. (20)). It reaches a fixed point,
 * not always the global optimum (which the l2-optimal quantizer computes).
 *
 * Post-training form: the projection step alone on W (λ = 0), warm-started at
 * TWN's α. Leng et al.'s extragradient variant of the proximal step is not
 * used; the proximal step is the run's Adam step. ρ grows by a factor after each
 * dual update, the usual way to drive W and G to consensus in a finite budget.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { AttrValue } from '../graph/types';
import type { Tf } from '../train/backend';
import { learnedActs } from '../train/qat/act-quantizers';
import { f32, scalarVar, type FoldedQuant, type QatSettings, type QatWeightQuantizer } from '../train/qat/strategy';
import { applyThresholds, checkWeights, optimalScale, type QuantResult } from './common';
import { defineQuantizer, num } from './spec';

/** For a fixed α > 0: the trits minimising ‖V − αT‖², i.e. V/α rounded to {−1, 0, 1} (survey Eq. (14)); ties |v| = α/2 go to 0. */
export function projectTrits(v: ArrayLike<number>, alpha: number): Int8Array {
  const half = alpha / 2;
  const t = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) t[i] = v[i] > half ? 1 : v[i] < -half ? -1 : 0;
  return t;
}

/** TWN's α (seed paper Eq. 3): the starting point of the alternation. */
function twnAlpha(v: ArrayLike<number>): number {
  let sumAbs = 0;
  for (let i = 0; i < v.length; i++) sumAbs += Math.abs(v[i]);
  const delta = (0.7 * sumAbs) / v.length;
  let s = 0, n = 0;
  for (let i = 0; i < v.length; i++) if (Math.abs(v[i]) > delta) { s += Math.abs(v[i]); n++; }
  return n ? s / n : 0;
}

export interface Projection {
  /** The α the final trits were rounded with: thresholds ±α/2. */
  roundedWith: number;
  trits: Int8Array;
  /** The L2-optimal scale of those trits (survey Eq. (19)). */
  alpha: number;
  iterations: number;
}

/**
 * Leng et al.'s iterative quantization: Π_C(V) by alternating trits (fixed α)
 * and α (fixed trits) from `alpha0` (TWN's α by default) until the trits repeat
 * or `maxIterations` rounds have run. ‖V − αT‖² never increases along the way.
 */
export function projectTernary(v: Float32Array, maxIterations: number, alpha0?: number): Projection {
  let alpha = alpha0 !== undefined && alpha0 > 0 ? alpha0 : twnAlpha(v);
  let trits = projectTrits(v, alpha);
  // A stale warm start can round everything to 0 (a fixed point of no use): start again from TWN's α.
  if (!(optimalScale(v, trits) > 0) && alpha0 !== undefined) {
    alpha = twnAlpha(v);
    trits = projectTrits(v, alpha);
  }
  let roundedWith = alpha;
  let iterations = 1;
  for (;;) {
    const next = optimalScale(v, trits);
    if (!(next > 0) || iterations >= maxIterations) return { roundedWith, trits, alpha: next, iterations };
    const t2 = projectTrits(v, next);
    iterations++;
    let same = true;
    for (let i = 0; i < t2.length && same; i++) same = t2[i] === trits[i];
    alpha = next;
    roundedWith = alpha;
    trits = t2;
    if (same) return { roundedWith, trits, alpha: optimalScale(v, trits), iterations };
  }
}

/** Post-training ADMM: the projection step alone (λ = 0): iterative quantization of W. */
export function admm(w: Float32Array, opts: { iterations?: number; name?: string } = {}): QuantResult {
  checkWeights(w, opts.name ?? 'weights');
  const iterations = opts.iterations ?? 20;
  const p = projectTernary(w, iterations);
  // Stored thresholds reproduce the trits under Eq. 6's rule (strict >, ties to 0).
  const half = p.roundedWith / 2;
  const trits = applyThresholds(w, half, -half);
  const alpha = optimalScale(w, trits);
  return {
    trits,
    quant: { method: 'admm', thresholds: { pos: half, neg: -half }, scale: { pos: alpha, neg: alpha }, gamma: null, options: { iterations, rounds: p.iterations } },
  };
}

/**
 * QAT: each layer keeps G (its projection), the scaled dual λ and ρ as
 * non-trainable variables (checkpointed). The forward pass uses the float W;
 * the loss gains ρ/2·‖W − G + λ‖²; every `admmInterval` steps G and λ are
 * updated (survey Eq. (17)) and ρ grows. Export projects W itself.
 */
export class AdmmQat implements QatWeightQuantizer {
  readonly vars: tfjs.Variable[] = [];
  private readonly g: tfjs.Variable;
  private readonly lambda: tfjs.Variable;
  private readonly rho: tfjs.Variable;
  /** The last projection's α (warm start of the next one); a variable so that it survives --resume. */
  private readonly alpha: tfjs.Variable;
  private readonly interval: number;
  private readonly growth: number;
  private readonly iterations: number;
  /** ‖W − G‖/‖G‖ at the last projection: how far training is from consensus. */
  private residual = NaN;

  constructor(private readonly tf: Tf, name: string, w0: Float32Array, s: QatSettings) {
    this.interval = num(s.options, 'admmInterval');
    this.growth = num(s.options, 'admmRhoGrowth');
    this.iterations = num(s.options, 'admmIterations');
    const p = projectTernary(w0, this.iterations);
    this.g = tf.variable(tf.tensor(dequantized(p), [w0.length]), false, `${name}/admm_g`);
    this.lambda = tf.variable(tf.zeros([w0.length]), false, `${name}/admm_lambda`);
    this.vars.push(this.g, this.lambda);
    this.rho = scalarVar(tf, this.vars, name, 'admm_rho', num(s.options, 'admmRho'), false);
    this.alpha = scalarVar(tf, this.vars, name, 'admm_alpha', p.alpha, false);
  }

  /** The proximal step trains the float weights themselves. */
  forward(w: tfjs.Tensor): tfjs.Tensor {
    return w;
  }

  /** ρ/2·‖W − G + λ‖² (survey Eq. (16); the −ρ/2·‖λ‖² term is constant in W). */
  penalty(w: tfjs.Tensor): tfjs.Scalar {
    const tf = this.tf;
    const r = tf.add(tf.sub(tf.reshape(w, [-1]), this.g), this.lambda);
    return tf.mul(tf.mul(this.rho, 0.5), tf.sum(tf.square(r))) as tfjs.Scalar;
  }

  afterStep(w: tfjs.Variable, step: number): void {
    if ((step + 1) % this.interval !== 0) return;
    const tf = this.tf;
    const wv = w.dataSync() as Float32Array;
    const lam = this.lambda.dataSync() as Float32Array;
    // Projection step: G = Π_C(W + λ), warm-started at the previous α.
    const v = new Float32Array(wv.length);
    for (let i = 0; i < v.length; i++) v[i] = wv[i] + lam[i];
    const p = projectTernary(v, this.iterations, this.alpha.dataSync()[0]);
    const g = dequantized(p);
    // Dual update: λ ← λ + W − G (accumulates the disagreement, pulling the next W-step toward consensus).
    const next = new Float32Array(wv.length);
    let rr = 0, gg = 0;
    for (let i = 0; i < next.length; i++) {
      const r = wv[i] - g[i];
      next[i] = lam[i] + r;
      rr += r * r;
      gg += g[i] * g[i];
    }
    this.residual = gg > 0 ? Math.sqrt(rr / gg) : NaN;
    this.g.assign(tf.tensor(g, [g.length]));
    this.lambda.assign(tf.tensor(next, [next.length]));
    this.alpha.assign(tf.scalar(p.alpha));
    this.rho.assign(tf.scalar(this.rho.dataSync()[0] * this.growth));
  }

  fold(w: Float32Array): FoldedQuant {
    const p = projectTernary(w, this.iterations, this.alpha.dataSync()[0]);
    const half = f32(p.roundedWith / 2);
    // Scale for the trits the stored threshold gives (float32 comparisons, as the executor does).
    const alpha = optimalScale(w, applyThresholds(w, half, -half));
    return { pos: half, neg: -half, scalePos: alpha, scaleNeg: alpha, gamma: null };
  }

  /** The ρ training ended with (it grew from admmRho) and the last primal residual ‖W − G‖/‖G‖. */
  exportOptions(): Record<string, AttrValue> {
    const out: Record<string, AttrValue> = { admmFinalRho: this.rho.dataSync()[0] };
    if (Number.isFinite(this.residual)) out.admmResidual = this.residual;
    return out;
  }
}

/** α·T as floats. */
function dequantized(p: Projection): Float32Array {
  return Float32Array.from(p.trits, (t) => t * p.alpha);
}

export const admmQuantizer = defineQuantizer({
  id: 'admm',
  label: 'ADMM (Leng et al. 2018)',
  summary: 'ADMM / alternating minimization: projection G = Π(W + λ) by iterative quantization, dual update, ρ penalty',
  equations: 'Leng et al. 2018 (ELBNN); survey Eq. (14)–(17), (19)–(20)',
  options: [
    { key: 'admmRho', type: 'number', default: 10, above: 0, help: 'ρ of the augmented Lagrangian ρ/2·‖W − G + λ‖² (survey Eq. 16)', stage: 'qat' },
    { key: 'admmRhoGrowth', type: 'number', default: 1.1, min: 1, help: 'ρ ← ρ·growth after each dual update', stage: 'qat' },
    { key: 'admmInterval', type: 'integer', default: 20, min: 1, help: 'optimizer steps between projection + dual updates (survey Eq. 17)', stage: 'qat' },
    { key: 'admmIterations', type: 'integer', default: 20, min: 1, help: 'α/trits alternations of the projection (iterative quantization)' },
  ],
  ptq: (w, o, ctx) => admm(w, { iterations: num(o, 'admmIterations'), name: ctx.name }),
  qat: { weights: (tf, name, w0, s) => new AdmmQat(tf, name, w0, s), acts: learnedActs },
});
