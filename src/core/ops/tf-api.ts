/**
 * The TF.js translation contract of an op, shared by the bench's float baseline
 * (src/core/bench/tf-baseline.ts) and quantization-aware training
 * (src/core/train/qat/qat-net.ts), which adds its fake-quant hooks around it.
 * Convention: inside TF.js every rank-4 activation is NHWC (TF.js's conv
 * layout); every other rank keeps the IR's layout. TF.js is a type here only:
 * callers pass their `tf` namespace in, so op modules never load it.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Layer } from '../graph/types';

export type Tf = typeof tfjs;
export type TfTensor = tfjs.Tensor;

export interface TfOpContext {
  readonly tf: Tf;
  /** The layer's weight `role` in TF layout (see toTf), fake-quantized by QAT where it applies; undefined when absent. */
  param(role: string): TfTensor | undefined;
  readonly training: boolean;
  /** Updates a frozen running statistic (batchnorm while training); absent where nothing trains. */
  assign?(role: string, value: TfTensor): void;
}

export interface TfTranslation {
  /** Why TF.js cannot run this layer (e.g. strided dilated conv), or undefined; asked before anything is built. */
  check?(layer: Layer): string | undefined;
  /** Why TF.js cannot train it (a gradient it lacks), or undefined; QAT asks this too. */
  checkTraining?(layer: Layer): string | undefined;
  /** IR layout → TF layout of a weight (OIHW → HWIO, [out,in] → [in,out]); the identity when absent. */
  toTf?(tf: Tf, role: string, t: TfTensor): TfTensor;
  /** Inverse of toTf (QAT export back to the IR). */
  fromTf?(tf: Tf, role: string, t: TfTensor): TfTensor;
  forward(layer: Layer, ctx: TfOpContext, xs: TfTensor[]): TfTensor;
}

/** NCHW axis → its position in NHWC. */
const NHWC_POS = [0, 3, 1, 2];

/** Where IR axis `axis` (normalized) of a rank-`rank` activation sits in its TF.js tensor. */
export function tfAxis(axis: number, rank: number): number {
  return rank === 4 ? NHWC_POS[axis] : axis;
}

export const toNchw = (tf: Tf, x: TfTensor): TfTensor => (x.rank === 4 ? tf.transpose(x, [0, 3, 1, 2]) : x);
export const toNhwc = (tf: Tf, x: TfTensor): TfTensor => (x.rank === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x);

/**
 * An IR-layout operand (weight or lower-rank activation) brought into the TF
 * layout of a rank-`rank` activation: left-padded with 1s to that rank (numpy
 * broadcasting aligns dims from the right), then NHWC when rank 4. Broadcasting
 * commutes with applying the same transpose to both operands.
 */
export function alignOperand(tf: Tf, y: TfTensor, rank: number): TfTensor {
  if (y.rank >= rank) return y;
  const padded = tf.reshape(y, [...new Array<number>(rank - y.rank).fill(1), ...y.shape]);
  return rank === 4 ? tf.transpose(padded, [0, 2, 3, 1]) : padded;
}

/** Weight layout for TF of a layer (the identity for ops without toTf). */
export function tfParamLayout(t: TfTranslation, tf: Tf, role: string, x: TfTensor): TfTensor {
  return t.toTf ? t.toTf(tf, role, x) : x;
}
