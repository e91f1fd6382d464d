/**
 * Running IR layers in TF.js through each op's translation (its spec's `tf`):
 * the one translation the bench baseline and QAT share. Weights go from IR to TF
 * layout here and back (QAT export); activations follow tf-api.ts's convention
 * (rank 4 is NHWC inside). `tf` is always passed in.
 */
import { ExecutionError } from '../errors';
import type { Layer } from '../graph/types';
import type { Tensor } from '../tensor';
import { specOf } from './registry';
import type { Tf, TfOpContext, TfTensor, TfTranslation } from './tf-api';

/** The layer's translation, or an ExecutionError saying why TF.js cannot run it (or, `forTraining`, train it). */
export function tfTranslation(layer: Layer, forTraining = false): TfTranslation {
  const t = specOf(layer).tf;
  if ('unsupported' in t) throw new ExecutionError(`layer '${layer.name}' (${layer.op}): not supported in TF.js: ${t.unsupported}`);
  const why = t.check?.(layer) ?? (forTraining ? t.checkTraining?.(layer) : undefined);
  if (why) throw new ExecutionError(`layer '${layer.name}' (${layer.op}): ${why}`);
  return t;
}

/** An IR weight as a TF.js tensor in the op's TF layout (the caller owns it). */
export function tfParam(tf: Tf, layer: Layer, role: string, t: Tensor): TfTensor {
  const x = tf.tensor(t.data, t.shape);
  const tr = tfTranslation(layer);
  if (!tr.toTf) return x;
  const y = tr.toTf(tf, role, x);
  if (y !== x) x.dispose();
  return y;
}

/** A TF-layout weight back in the IR layout, as plain data. */
export function irParam(tf: Tf, layer: Layer, role: string, v: TfTensor): Tensor {
  const tr = specOf(layer).tf;
  const t = 'fromTf' in tr && tr.fromTf ? tr.fromTf(tf, role, v) : v;
  const out = { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
  if (t !== v) t.dispose();
  return out;
}

/** One layer's forward pass in TF.js. */
export function tfLayerForward(layer: Layer, ctx: TfOpContext, xs: TfTensor[]): TfTensor {
  return tfTranslation(layer).forward(layer, ctx, xs);
}

/** An IR (NCHW) batch in the TF.js layout, and back. */
export function inputToTf(tf: Tf, x: Tensor): TfTensor {
  const t = tf.tensor(x.data, x.shape);
  if (t.rank !== 4) return t;
  const y = tf.transpose(t, [0, 2, 3, 1]);
  t.dispose();
  return y;
}
