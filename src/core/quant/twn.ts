/** Ternary Weight Networks (Li et al. 2016) as the seed paper states them, Eq. 2–3. */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../train/backend';
import { twnActs } from '../train/qat/act-quantizers';
import { f32, meanAbsAbove, type FoldedQuant, type QatSettings, type QatWeightQuantizer } from '../train/qat/strategy';
import { steTernarize } from '../train/qat/ternary-ops';
import { applyThresholds, checkWeights, QuantError, type QuantResult } from './common';
import { defineQuantizer, num, type QuantOption } from './spec';

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

/**
 * QAT with TWN (Eq. 2–3): Δ = 0.7·E|w| and α = E_{|w|>Δ}|w| are statistics of the
 * current weights, recomputed every step and constant for the gradient; plain STE.
 */
export class TwnQat implements QatWeightQuantizer {
  readonly vars: tfjs.Variable[] = [];
  private readonly factor: number;

  constructor(private readonly tf: Tf, _name: string, _w0: Float32Array, s: QatSettings) {
    this.factor = num(s.options, 'twnFactor');
  }

  forward(w: tfjs.Tensor): tfjs.Tensor {
    const tf = this.tf;
    // Computed off the tape: Eq. 3's Δ and α carry no gradient.
    const q = this.fold(w.dataSync() as Float32Array);
    return steTernarize(tf, w, tf.scalar(q.pos), tf.scalar(q.neg), tf.scalar(q.scalePos));
  }

  fold(w: Float32Array): FoldedQuant {
    const meanAbs = w.reduce((a, b) => a + Math.abs(b), 0) / w.length;
    const d = f32(this.factor * meanAbs);
    const a = meanAbsAbove(w, d);
    return { pos: d, neg: -d, scalePos: a, scaleNeg: a, gamma: null };
  }
}

export const TWN_FACTOR: QuantOption = { key: 'twnFactor', type: 'number', default: 0.7, min: 0, help: "TWN's Δ = factor·E|W| (Eq. 3)" };

export const twnQuantizer = defineQuantizer({
  id: 'twn',
  pytorch: true,
  label: 'TWN (Eq. 2–3)',
  summary: 'Ternary Weight Networks: Δ = 0.7·E|W|, α = mean |W| above Δ',
  equations: 'Li et al. 2016 (TWN); seed paper Eq. 2–3',
  options: [TWN_FACTOR],
  ptq: (w, o, ctx) => twn(w, { factor: num(o, 'twnFactor'), name: ctx.name }),
  qat: { weights: (tf, name, w0, s) => new TwnQat(tf, name, w0, s), acts: twnActs },
});
