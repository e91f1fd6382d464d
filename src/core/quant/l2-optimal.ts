/**
 * Exact L2-optimal symmetric ternarization (survey §4, optimization-based): the
 * Δ and α minimising ‖W − α·T‖² over T ∈ {−1, 0, +1}ⁿ and α ≥ 0, i.e. the
 * Euclidean projection of W onto the ternary set of survey Eq. (14).
 *
 * For a fixed Δ the best α is the mean of |w| over I_Δ = {i : |w_i| > Δ} (survey
 * Eq. (19), seed paper Eq. 3's α), and then ‖W − αT‖² = ‖W‖² − (Σ_{I_Δ}|w|)²/|I_Δ|,
 * so the optimal Δ maximises F(Δ) = (Σ_{|w|>Δ}|w|)² / #{|w|>Δ} — the objective
 * TWN (Li et al. 2016) states and approximates by Δ ≈ 0.7·E|W| for Gaussian
 * weights (seed paper Eq. 2–3). Only the cuts between distinct sorted
 * magnitudes matter: sort |W| descending (O(n log n)), scan the prefix sums,
 * keep the best cut. Δ is the first excluded magnitude (Eq. 6: ties go to 0).
 *
 * QAT: the same projection recomputed from the current weights every step,
 * constant for the gradient, with plain STE — TWN's scheme with the exact Δ.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../train/backend';
import { twnActs } from '../train/qat/act-quantizers';
import { f32, type FoldedQuant, type QatWeightQuantizer } from '../train/qat/strategy';
import { steTernarize } from '../train/qat/ternary-ops';
import { applyThresholds, checkWeights, optimalScale, type QuantResult } from './common';
import { defineQuantizer } from './spec';

/** The optimal cut of survey Eq. (14): Δ, and how many weights stay nonzero. */
export function l2OptimalDelta(w: ArrayLike<number>): { delta: number; kept: number } {
  const mags = Float64Array.from(w, Math.abs).sort(); // ascending; typed-array sort is numeric
  const n = mags.length;
  let sum = 0, best = 0, kept = 0;
  for (let k = 1; k <= n; k++) {
    const a = mags[n - k]; // k-th largest magnitude
    sum += a;
    // A cut is realisable only between distinct magnitudes (|w| > Δ keeps all of a tie or none).
    const next = k < n ? mags[n - k - 1] : -1;
    if (next === a || a === 0) continue;
    const f = (sum * sum) / k;
    if (f > best) { best = f; kept = k; }
  }
  // Δ = the largest magnitude left out (0 when every nonzero weight is kept).
  return { delta: kept < n ? mags[n - kept - 1] : 0, kept };
}

export function l2Optimal(w: Float32Array, opts: { name?: string } = {}): QuantResult {
  checkWeights(w, opts.name ?? 'weights');
  const { delta } = l2OptimalDelta(w);
  const trits = applyThresholds(w, delta, -delta);
  // Survey Eq. (19): α = mean of |w| over the kept weights.
  const alpha = optimalScale(w, trits);
  return {
    trits,
    quant: { method: 'l2-optimal', thresholds: { pos: delta, neg: -delta }, scale: { pos: alpha, neg: alpha }, gamma: null },
  };
}

/** QAT: the exact projection of the current weights each step (off the tape), STE backward. */
export class L2OptimalQat implements QatWeightQuantizer {
  readonly vars: tfjs.Variable[] = [];

  constructor(private readonly tf: Tf) {}

  forward(w: tfjs.Tensor): tfjs.Tensor {
    const tf = this.tf;
    const q = this.fold(w.dataSync() as Float32Array);
    return steTernarize(tf, w, tf.scalar(q.pos), tf.scalar(q.neg), tf.scalar(q.scalePos));
  }

  fold(w: Float32Array): FoldedQuant {
    const d = f32(l2OptimalDelta(w).delta);
    const trits = applyThresholds(w, d, -d);
    const a = optimalScale(w, trits);
    return { pos: d, neg: -d, scalePos: a, scaleNeg: a, gamma: null };
  }
}

export const l2OptimalQuantizer = defineQuantizer({
  id: 'l2-optimal',
  label: 'L2-optimal (exact TWN objective)',
  summary: 'exact argmin ‖W − αT‖²: sort |W|, Δ maximising (Σ_{|w|>Δ}|w|)²/#{|w|>Δ}',
  equations: 'survey §4 Eq. (14), (19); TWN (Li et al. 2016) objective, of which seed paper Eq. 3 is the 0.7·E|W| approximation',
  options: [],
  ptq: (w, _o, ctx) => l2Optimal(w, { name: ctx.name }),
  qat: { weights: (tf) => new L2OptimalQat(tf), acts: twnActs },
});
