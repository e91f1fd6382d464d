/**
 * Trained Ternary Quantization (Zhu et al. 2017), seed paper Eq. 4–5, post-training
 * form: the symmetric threshold Δ = t·max|W| with t = 0.05, and the two scales
 * initialised from the weights (αp = mean of W_i over W_i > Δ, αn = mean of |W_i|
 * over W_i < −Δ). The learned update of Eq. 5 belongs to quantization-aware
 * training; here the scales are only the closed-form starting point.
 */
import { applyThresholds, checkWeights, QuantError, type QuantResult } from './common';

export interface TtqOptions {
  /** Threshold fraction of max|W| (Eq. 4's t), default 0.05. */
  t?: number;
  name?: string;
}

export function ttq(w: Float32Array, opts: TtqOptions = {}): QuantResult {
  const name = opts.name ?? 'weights';
  const t = opts.t ?? 0.05;
  if (!(t >= 0 && t <= 1)) throw new QuantError(`${name}: TTQ threshold fraction t must be in [0, 1], got ${t}`);
  checkWeights(w, name);
  let maxAbs = 0;
  for (let i = 0; i < w.length; i++) maxAbs = Math.max(maxAbs, Math.abs(w[i]));
  const delta = t * maxAbs;
  const trits = applyThresholds(w, delta, -delta);
  let sumP = 0, nP = 0, sumN = 0, nN = 0;
  for (let i = 0; i < w.length; i++) {
    if (trits[i] > 0) { sumP += w[i]; nP++; }
    else if (trits[i] < 0) { sumN -= w[i]; nN++; }
  }
  // Eq. 4: +1 ↦ αp, −1 ↦ −αn (αn stored as a positive magnitude).
  const alphaP = nP ? sumP / nP : 0;
  const alphaN = nN ? sumN / nN : 0;
  return {
    trits,
    quant: { method: 'ttq', thresholds: { pos: delta, neg: -delta }, scale: { pos: alphaP, neg: alphaN }, gamma: null, options: { t } },
  };
}
