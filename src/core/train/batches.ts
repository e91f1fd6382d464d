/** Mini-batches from flat NCHW data as NHWC tensors (TF.js conv layout). */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './backend';
import type { TrainData } from './training-data';

/** Copies samples `idx` into an NHWC float tensor and their labels into an int32 tensor. */
export function gatherBatch(tf: Tf, d: TrainData, idx: ArrayLike<number>): { x: tfjs.Tensor4D; y: tfjs.Tensor1D } {
  const [c, h, w] = d.sampleShape.length === 3 ? d.sampleShape : [1, d.sampleShape[0], d.sampleShape[1] ?? 1];
  const per = c * h * w;
  const b = idx.length;
  const buf = new Float32Array(b * per);
  const lab = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const src = idx[k] * per;
    lab[k] = d.labels[idx[k]];
    if (c === 1) buf.set(d.images.subarray(src, src + per), k * per);
    else for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) buf[k * per + p * c + ch] = d.images[src + ch * h * w + p];
  }
  return { x: tf.tensor4d(buf, [b, h, w, c]), y: tf.tensor1d(lab, 'int32') };
}

/** Contiguous index range [start, end). */
export function range(start: number, end: number): Int32Array {
  const r = new Int32Array(end - start);
  for (let i = 0; i < r.length; i++) r[i] = start + i;
  return r;
}

/** Top-1 accuracy of `predict` (NHWC batch → logits or probabilities) over `d`. */
export function evaluateTop1(tf: Tf, d: TrainData, predict: (x: tfjs.Tensor4D) => tfjs.Tensor, batch = 500): number {
  let correct = 0;
  for (let s = 0; s < d.n; s += batch) {
    const { x, y } = gatherBatch(tf, d, range(s, Math.min(d.n, s + batch)));
    const hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(predict(x), -1), y), 'int32')).dataSync()[0]);
    correct += hits;
    x.dispose(); y.dispose();
  }
  return d.n ? correct / d.n : 0;
}
