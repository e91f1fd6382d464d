/**
 * The QAT side of a quantizer (QuantizerSpec.qat): one class per method builds
 * each ternary layer's weight quantizer; the method also names the activation
 * quantizer it trains W+A models with. The training loop (train-qat.ts) and
 * the net (qat-net.ts) see only these interfaces, never a method name.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { AttrValue } from '../../graph/types';
import type { OptionValues } from '../../quant/spec';
import type { Tf } from '../backend';

export type ActVariant = 'gaussian' | 'half-gaussian';

/** The ablation switches every method's training shares, plus the method's own resolved options. */
export interface QatSettings {
  /** Eq. 9 uniform-distribution normalization with learnable γ (asym-uniform weights; learned activation quantizers). */
  uniform: boolean;
  /** Independent Δp, Δn; false ties Δn = −Δp. */
  asymmetric: boolean;
  options: OptionValues;
}

/** Float-unit thresholds and scales of a quantizer's current state: what the `.tnn` stores. */
export interface FoldedQuant {
  /** Float-unit thresholds (what the `.tnn` stores), float32-rounded. */
  pos: number;
  neg: number;
  scalePos: number;
  scaleNeg: number;
  gamma: number | null;
  mu?: number;
  sigma?: number;
}

/** One ternary layer's weight quantizer during training. */
export interface QatWeightQuantizer {
  /** Every variable it owns (checkpointed with the net); only the trainable ones are given to the optimizer. */
  readonly vars: tfjs.Variable[];
  /** The weights the training forward pass uses (fake-quantized, or the latent weights themselves for ADMM). */
  forward(w: tfjs.Tensor): tfjs.Tensor;
  /** Thresholds and scales for export and evaluation, from the latent weights `w`. */
  fold(w: Float32Array): FoldedQuant;
  /** A term added to the training loss (ADMM's augmented Lagrangian); computed on the tape. */
  penalty?(w: tfjs.Tensor): tfjs.Scalar;
  /** Called after every optimizer step with the updated latent weights; `step` counts steps of the stage from 0. */
  afterStep?(w: tfjs.Variable, step: number): void;
  /** WeightQuant.options entries recorded at export, besides qat/uniform/asymmetric. */
  exportOptions?(): Record<string, AttrValue>;
}

/** Running statistics of an activation quantizer, kept in checkpoints. */
export interface ActStats { sigma: number; meanAbs: number; twnAlpha: number }

/** One ternary layer's input-activation quantizer during W+A training. */
export interface QatActQuantizer {
  readonly vars: tfjs.Variable[];
  stats: ActStats | undefined;
  /** Updates running statistics from a training batch. */
  observe(x: tfjs.Tensor): void;
  forward(x: tfjs.Tensor): tfjs.Tensor;
  fold(): FoldedQuant;
  /** Eval-mode forward with the folded thresholds: exactly the reference executor's ternarizeActivation. */
  evalForward(x: tfjs.Tensor): tfjs.Tensor;
  dispose(): void;
}

export interface QatStrategy {
  weights(tf: Tf, name: string, w0: Float32Array, s: QatSettings): QatWeightQuantizer;
  acts(tf: Tf, name: string, variant: ActVariant, s: QatSettings): QatActQuantizer;
}

export const f32 = Math.fround;

/** A scalar tf.Variable named `<owner>/<role>`, appended to `vars`. */
export function scalarVar(tf: Tf, vars: tfjs.Variable[], owner: string, role: string, value: number, trainable = true): tfjs.Variable {
  const t = tf.variable(tf.scalar(value), trainable, `${owner}/${role}`);
  vars.push(t);
  return t;
}

/** Mean of |v| over |v| > t; `t` itself when nothing is above (a usable starting scale). */
export function meanAbsAbove(v: Float32Array, t: number): number {
  let s = 0, n = 0;
  for (const x of v) if (Math.abs(x) > t) { s += Math.abs(x); n++; }
  return n ? s / n : t;
}

/** Ternary code of `w` under folded thresholds (float32 comparisons, ties to 0). */
export function codeWithFolded(w: Float32Array, q: FoldedQuant): Int8Array {
  const out = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = w[i] > q.pos ? 1 : w[i] < q.neg ? -1 : 0;
  return out;
}

/** Dequantized weights under folded thresholds: the exact values the reference executor uses. */
export function dequantFolded(w: Float32Array, q: FoldedQuant): Float32Array {
  const c = codeWithFolded(w, q);
  const out = new Float32Array(w.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] > 0 ? q.scalePos : c[i] < 0 ? -q.scaleNeg : 0;
  return out;
}
