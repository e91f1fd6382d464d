/**
 * The seed paper's method: uniform-distribution normalization (Eq. 9) with
 * asymmetric thresholds and one symmetric scale (Eq. 6, 8).
 *
 * Eq. 9 as printed reads Z̃ = γ·(Z − μ)·0.5/(0.43·σ)·Z, with a stray trailing Z_l:
 * that extra factor is a typo (it would make Z̃ quadratic in Z and break the
 * "entries in [−0.43σ, 0.43σ] occupy about 1/3" argument right below it), so we
 * read it as the normalization Z̃ = γ·(Z − μ)·0.5/(0.43·σ).
 *
 * In the normalized domain the deterministic rule of Eq. 8 (p ≥ 0.5 in Eq. 7's
 * probabilities) puts the thresholds at Δp = +0.5 and Δn = −0.5. Mapped back to
 * float-weight units: w_pos = μ + 0.43σ/γ, w_neg = μ − 0.43σ/γ. Since
 * Φ⁻¹(2/3) ≈ 0.43, a Gaussian layer then holds ≈ 1/3 of its weights in each trit.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../train/backend';
import { learnedActs } from '../train/qat/act-quantizers';
import { f32, meanAbsAbove, scalarVar, type FoldedQuant, type QatSettings, type QatWeightQuantizer } from '../train/qat/strategy';
import { biSteTernarize, stopGradient } from '../train/qat/ternary-ops';
import { applyThresholds, checkWeights, meanStd, optimalScale, QuantError, UNIFORM_Z, type QuantResult } from './common';
import { defineQuantizer, num, type QuantOption } from './spec';

export { UNIFORM_Z };
/** Eq. 8's thresholds in the normalized domain Z̃. */
export const NORMALIZED_THRESHOLD = 0.5;

export interface AsymUniformOptions {
  /** Eq. 9's γ, initialised to 1 (learned only during QAT). */
  gamma?: number;
  name?: string;
}

/** Eq. 9 normalization of one value (γ·(z − μ)·0.5/(0.43σ)). */
export function normalizeUniform(z: number, mu: number, sigma: number, gamma: number): number {
  return (gamma * (z - mu) * NORMALIZED_THRESHOLD) / (UNIFORM_Z * sigma);
}

/**
 * The float-unit thresholds whose normalized images are ±0.5 (Eq. 8 on Eq. 9):
 * μ ± 0.5·0.43σ/(0.5γ) = μ ± 0.43σ/γ. A constant tensor (σ = 0) has no spread to
 * normalize; its thresholds fall back to 0 so that it is represented exactly as sign(μ)·|μ|.
 */
export function uniformThresholds(mu: number, sigma: number, gamma: number): { pos: number; neg: number } {
  if (!(sigma > 0)) return { pos: 0, neg: 0 };
  const half = (NORMALIZED_THRESHOLD * UNIFORM_Z * sigma) / (NORMALIZED_THRESHOLD * gamma);
  return { pos: mu + half, neg: mu - half };
}

export function checkGamma(gamma: number, name: string): void {
  if (!(gamma > 0) || !Number.isFinite(gamma)) throw new QuantError(`${name}: gamma (Eq. 9) must be a finite number > 0, got ${gamma}`);
}

/** μ, σ of the layer and the Eq. 8/9 thresholds in float units. */
export function asymUniformParams(w: Float32Array, gamma: number, name: string): { thresholds: { pos: number; neg: number }; gamma: number; mu: number; sigma: number } {
  checkGamma(gamma, name);
  const { mu, sigma } = meanStd(w);
  return { thresholds: uniformThresholds(mu, sigma, gamma), gamma, mu, sigma };
}

export function asymUniform(w: Float32Array, opts: AsymUniformOptions = {}): QuantResult {
  const name = opts.name ?? 'weights';
  checkWeights(w, name);
  const { thresholds, gamma, mu, sigma } = asymUniformParams(w, opts.gamma ?? 1, name);
  // Eq. 6 tie rule on the float weights (equivalent to comparing Z̃ with ±0.5).
  const trits = applyThresholds(w, thresholds.pos, thresholds.neg);
  // Eq. 6/8 use one symmetric α; we take the L2-optimal one for these trits.
  const alpha = optimalScale(w, trits);
  return {
    trits,
    quant: { method: 'asym-uniform', thresholds, scale: { pos: alpha, neg: alpha }, gamma, mu, sigma },
  };
}

/**
 * QAT with the seed paper's method: Eq. 9 normalization z̃ = γ·(z − μ)·0.5/(0.43σ)
 * (setting `uniform`), learnable Δp, Δn (`asymmetric`; else Δn = −Δp) and one
 * symmetric α (Eq. 6, 8), trained by bi-STE (Eq. 7). The normalization is affine
 * with γ·0.5/(0.43σ) > 0, so z̃ > Δp ⇔ z > μ + Δp·0.43σ/(0.5γ): γ, μ and σ fold
 * exactly into float-unit thresholds at export (γ is "absorbed").
 */
export class AsymUniformQat implements QatWeightQuantizer {
  readonly vars: tfjs.Variable[] = [];
  private readonly dp: tfjs.Variable;
  private readonly dn?: tfjs.Variable;
  private readonly gamma?: tfjs.Variable;
  private readonly alpha: tfjs.Variable;

  constructor(private readonly tf: Tf, name: string, w0: Float32Array, s: QatSettings) {
    const { mu, sigma } = meanStd(w0);
    const meanAbs = w0.reduce((a, b) => a + Math.abs(b), 0) / w0.length;
    // Normalized units start at the uniform thirds (±0.5); raw units at TWN's 0.7·E|w|.
    const d = s.uniform ? NORMALIZED_THRESHOLD : 0.7 * meanAbs;
    this.dp = scalarVar(tf, this.vars, name, 'delta_p', d);
    if (s.asymmetric) this.dn = scalarVar(tf, this.vars, name, 'delta_n', -d);
    if (s.uniform) this.gamma = scalarVar(tf, this.vars, name, 'gamma', 1);
    this.alpha = scalarVar(tf, this.vars, name, 'alpha', meanAbsAbove(w0, s.uniform ? Math.abs(mu) + UNIFORM_Z * sigma : d));
  }

  /**
   * Eq. 9 then Eq. 8 on z̃ = γk(w − μ), k = 0.5/(0.43σ), is the same function as Eq. 8 on w with the
   * thresholds μ + Δ/(γk); the bi-STE derivatives agree by the chain rule (∂/∂w: α/(2Δp)·γk = α/(2·Δp/(γk)),
   * and Δp, Δn, γ get theirs through the scalar map). Thresholding w directly saves two full-size ops per step.
   */
  forward(w: tfjs.Tensor): tfjs.Tensor {
    const [tp, tn] = this.weightUnitThresholds(w);
    return biSteTernarize(this.tf, w, tp, tn, this.alpha as tfjs.Scalar);
  }

  private weightUnitThresholds(w: tfjs.Tensor): [tfjs.Scalar, tfjs.Scalar] {
    const tf = this.tf;
    const dn = (this.dn ?? tf.neg(this.dp)) as tfjs.Scalar;
    if (!this.gamma) return [this.dp as tfjs.Scalar, dn];
    const { mean, variance } = tf.moments(w);
    const mu = stopGradient(tf, mean) as tfjs.Scalar;
    const sigma = stopGradient(tf, tf.sqrt(tf.add(variance, 1e-12))) as tfjs.Scalar;
    const unit = tf.div(tf.mul(sigma, UNIFORM_Z / NORMALIZED_THRESHOLD), tf.maximum(this.gamma, 1e-3)); // 1/(γk)
    return [tf.add(mu, tf.mul(this.dp, unit)) as tfjs.Scalar, tf.add(mu, tf.mul(dn, unit)) as tfjs.Scalar];
  }

  fold(w: Float32Array): FoldedQuant {
    const dp = this.dp.dataSync()[0];
    const dn = this.dn ? this.dn.dataSync()[0] : -dp;
    const alpha = this.alpha.dataSync()[0];
    if (!this.gamma) return { pos: f32(dp), neg: f32(dn), scalePos: alpha, scaleNeg: alpha, gamma: null };
    const { mu, sigma } = meanStd(w);
    const g = Math.max(1e-3, this.gamma.dataSync()[0]);
    const unit = (UNIFORM_Z * sigma) / (NORMALIZED_THRESHOLD * g);
    return { pos: f32(mu + dp * unit), neg: f32(mu + dn * unit), scalePos: alpha, scaleNeg: alpha, gamma: g, mu, sigma };
  }
}

/** Eq. 9's γ for post-training (QAT learns γ, starting at 1); shared with the stochastic quantizer. */
export const GAMMA_OPTION: QuantOption = { key: 'gamma', type: 'number', default: 1, above: 0, help: "Eq. 9's γ", stage: 'ptq' };

export const asymUniformQuantizer = defineQuantizer({
  id: 'asym-uniform',
  pytorch: true,
  label: 'asym-uniform (Eq. 6, 9)',
  summary: 'seed paper: asymmetric thresholds, symmetric scale, uniform trits (0.43σ rule, learnable γ)',
  equations: 'seed paper Eq. 6–9 (bi-STE for QAT)',
  options: [GAMMA_OPTION],
  ptq: (w, o, ctx) => asymUniform(w, { gamma: num(o, 'gamma'), name: ctx.name }),
  qat: { weights: (tf, name, w0, s) => new AsymUniformQat(tf, name, w0, s), acts: learnedActs },
});
