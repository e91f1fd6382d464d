/**
 * Trained Ternary Quantization (Zhu et al. 2017), seed paper Eq. 4–5, post-training
 * form: the symmetric threshold Δ = t·max|W| with t = 0.05, and the two scales
 * initialised from the weights (αp = mean of W_i over W_i > Δ, αn = mean of |W_i|
 * over W_i < −Δ). The learned update of Eq. 5 belongs to quantization-aware
 * training (TtqQat below); here the scales are only the closed-form starting point.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../train/backend';
import { learnedActs } from '../train/qat/act-quantizers';
import { f32, scalarVar, type FoldedQuant, type QatSettings, type QatWeightQuantizer } from '../train/qat/strategy';
import { stopGradient, ttqTernarize } from '../train/qat/ternary-ops';
import { applyThresholds, checkWeights, QuantError, type QuantResult } from './common';
import { defineQuantizer, num } from './spec';

export interface TtqOptions {
  /** Threshold fraction of max|W| (Eq. 4's t), default 0.05. */
  t?: number;
  name?: string;
}

function maxAbs(w: Float32Array): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(w[i]));
  return m;
}

/** Eq. 4's initial magnitudes: means of the weights above Δ and of |weights| below −Δ. */
function regionMeans(w: Float32Array, delta: number): { sumP: number; nP: number; sumN: number; nN: number } {
  let sumP = 0, nP = 0, sumN = 0, nN = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] > delta) { sumP += w[i]; nP++; }
    else if (w[i] < -delta) { sumN -= w[i]; nN++; }
  }
  return { sumP, nP, sumN, nN };
}

export function ttq(w: Float32Array, opts: TtqOptions = {}): QuantResult {
  const name = opts.name ?? 'weights';
  const t = opts.t ?? 0.05;
  if (!(t >= 0 && t <= 1)) throw new QuantError(`${name}: TTQ threshold fraction t must be in [0, 1], got ${t}`);
  checkWeights(w, name);
  const delta = t * maxAbs(w);
  const trits = applyThresholds(w, delta, -delta);
  const { sumP, nP, sumN, nN } = regionMeans(w, delta);
  // Eq. 4: +1 ↦ αp, −1 ↦ −αn (αn stored as a positive magnitude).
  const alphaP = nP ? sumP / nP : 0;
  const alphaN = nN ? sumN / nN : 0;
  return {
    trits,
    quant: { method: 'ttq', thresholds: { pos: delta, neg: -delta }, scale: { pos: alphaP, neg: alphaN }, gamma: null, options: { t } },
  };
}

/** QAT with TTQ (Eq. 4–5): Δ = t·max|w| (t = 0.05, TTQ's code) off the tape, learned αp, αn. */
export class TtqQat implements QatWeightQuantizer {
  readonly vars: tfjs.Variable[] = [];
  private readonly ap: tfjs.Variable;
  private readonly an: tfjs.Variable;
  private readonly t: number;

  constructor(private readonly tf: Tf, name: string, w0: Float32Array, s: QatSettings) {
    this.t = num(s.options, 'ttqT');
    const d = this.t * maxAbs(w0);
    const { sumP, nP, sumN, nN } = regionMeans(w0, d);
    // TTQ's code starts αp = αn = 1; our layers' weights are ~0.1, so start at the region means instead.
    this.ap = scalarVar(tf, this.vars, name, 'alpha_p', nP ? sumP / nP : d);
    this.an = scalarVar(tf, this.vars, name, 'alpha_n', nN ? sumN / nN : d);
  }

  forward(w: tfjs.Tensor): tfjs.Tensor {
    const tf = this.tf;
    const delta = stopGradient(tf, tf.mul(tf.max(tf.abs(w)), this.t)) as tfjs.Scalar;
    return ttqTernarize(tf, w, delta, this.ap as tfjs.Scalar, this.an as tfjs.Scalar);
  }

  fold(w: Float32Array): FoldedQuant {
    const d = f32(this.t * maxAbs(w));
    return { pos: d, neg: -d, scalePos: this.ap.dataSync()[0], scaleNeg: this.an.dataSync()[0], gamma: null };
  }
}

export const ttqQuantizer = defineQuantizer({
  id: 'ttq',
  pytorch: true,
  label: 'TTQ (Eq. 4–5)',
  summary: 'Trained Ternary Quantization: Δ = 0.05·max|W|, separate αp / αn',
  equations: 'Zhu et al. 2017 (TTQ); seed paper Eq. 4–5',
  options: [{ key: 'ttqT', type: 'number', default: 0.05, min: 0, max: 1, help: "TTQ's Δ = t·max|W| (Eq. 4)" }],
  ptq: (w, o, ctx) => ttq(w, { t: num(o, 'ttqT'), name: ctx.name }),
  qat: { weights: (tf, name, w0, s) => new TtqQat(tf, name, w0, s), acts: learnedActs },
});
