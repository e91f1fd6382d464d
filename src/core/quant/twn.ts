/** Ternary Weight Networks (Li et al. 2016) as the seed paper states them, Eq. 2–3. */
import { applyThresholds, checkWeights, QuantError, type QuantResult } from './common';

export interface TwnOptions {
  /** Δ = factor·E(|W|); the seed paper's Eq. 3 uses 0.7. */
  factor?: number;
  /** Names the tensor in error messages. */
  name?: string;
}

export function twn(w: Float32Array, opts: TwnOptions = {}): QuantResult {
  const name = opts.name ?? 'weights';
  const factor = opts.factor ?? 0.7;
  if (!(factor >= 0) || !Number.isFinite(factor)) throw new QuantError(`${name}: TWN factor must be a finite number ≥ 0, got ${factor}`);
  checkWeights(w, name);
  let sumAbs = 0;
  for (let i = 0; i < w.length; i++) sumAbs += Math.abs(w[i]);
  // Eq. 3: one symmetric threshold per layer, Δ = 0.7·E(|W|).
  const delta = (factor * sumAbs) / w.length;
  // Eq. 2: ±1 outside [−Δ, Δ], 0 inside (|W| ≤ Δ → 0).
  const trits = applyThresholds(w, delta, -delta);
  // Eq. 3: α = mean of |W_i| over {i : |W_i| > Δ}.
  let sum = 0;
  let n = 0;
  for (let i = 0; i < w.length; i++) {
    if (trits[i] !== 0) {
      sum += Math.abs(w[i]);
      n++;
    }
  }
  const alpha = n ? sum / n : 0;
  return {
    trits,
    quant: { method: 'twn', thresholds: { pos: delta, neg: -delta }, scale: { pos: alpha, neg: alpha }, gamma: null, options: { factor } },
  };
}
