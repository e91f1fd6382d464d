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
import { applyThresholds, checkWeights, meanStd, optimalScale, QuantError, type QuantResult } from './common';

/** Φ⁻¹(2/3), rounded as in the seed paper's Eq. 9. */
export const UNIFORM_Z = 0.43;
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
