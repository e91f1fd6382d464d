/**
 * Building blocks shared by the post-training weight quantizers: the Eq. 6
 * threshold rule, the L2-optimal symmetric scale and per-layer moments.
 */
import { TritscopeError } from '../errors';
import type { WeightQuant } from '../graph/types';

/** Weights or options a quantizer cannot work with; the message names the tensor. */
export class QuantError extends TritscopeError {}

/** A quantizer's answer: the trits and every WeightQuant field except the tensor name. */
export interface QuantResult {
  trits: Int8Array;
  quant: Omit<WeightQuant, 'trits'>;
}

/** Φ⁻¹(2/3), rounded as in the seed paper's Eq. 9: ±0.43σ split a Gaussian into equal thirds. */
export const UNIFORM_Z = 0.43;

/**
 * Seed paper Eq. 6: +1 when w > pos, −1 when w < neg, else 0. Ties go to 0,
 * the same rule the `.tnn` thresholds promise to every reader.
 */
export function applyThresholds(w: Float32Array, pos: number, neg: number): Int8Array {
  const t = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const v = w[i];
    t[i] = v > pos ? 1 : v < neg ? -1 : 0;
  }
  return t;
}

/**
 * The symmetric scale α minimising ‖W − α·T‖² for fixed trits T:
 * α = Σ W_i·T_i / Σ T_i² (seed paper Eq. 3's closed form). When the thresholds
 * straddle zero (Eq. 6: Δp ≥ 0 ≥ Δn) this is Σ|W_i| / count over the nonzero trits.
 * Clamped at 0 so that +1 never dequantizes to a negative value; 0 when T is all zero.
 */
export function optimalScale(w: Float32Array, trits: Int8Array): number {
  let dot = 0;
  let nnz = 0;
  for (let i = 0; i < w.length; i++) {
    const t = trits[i];
    if (t !== 0) {
      dot += t * w[i];
      nnz++;
    }
  }
  return nnz ? Math.max(0, dot / nnz) : 0;
}

/**
 * Mean and population standard deviation, float64, two passes: Σ(w − μ)² cannot
 * go negative and keeps its precision when |μ| ≫ σ, where the one-pass
 * E[w²] − μ² cancels catastrophically (the project's only moments helper; QAT
 * folds γ, μ, σ into thresholds with it, so PTQ and QAT agree).
 */
export function meanStd(w: ArrayLike<number>): { mu: number; sigma: number } {
  const n = w.length;
  if (!n) return { mu: 0, sigma: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i];
  const mu = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = w[i] - mu;
    sq += d * d;
  }
  return { mu, sigma: Math.sqrt(sq / n) };
}

/** Rejects empty or non-finite weights early with a message naming the tensor. */
export function checkWeights(w: Float32Array, what: string): void {
  if (w.length === 0) throw new QuantError(`${what}: cannot ternarize an empty weight tensor`);
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new QuantError(`${what}: weight [${i}] is ${w[i]}, expected a finite number`);
  }
}
