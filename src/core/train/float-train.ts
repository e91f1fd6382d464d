/**
 * Trains the sample float models (samples/models/) with a custom loop:
 * seeded init and shuffle, Adam, sparse cross-entropy, per-epoch test eval.
 */
import type * as tfjs from '@tensorflow/tfjs';
import path from 'node:path';
import { initTf, type BackendName, type Tf } from './backend';
import { evaluateTop1, gatherBatch } from './batches';
import { loadTrainData, subset, testSpecFor, type TrainData } from './training-data';
import { ProgressMeter, throwIfAborted, yieldAndCheck, type ProgressSink } from './progress';
import { mulberry32, permutation } from '../rng';
import { buildSampleModel, type SampleArch } from './sample-models';
import { saveLayersModel } from './save-layers';
import { writeFileAtomicSync } from '../format/index';

export interface FloatTrainOptions {
  arch: SampleArch;
  data: string;
  epochs: number;
  seed: number;
  batch?: number;
  lr?: number;
  /** Train on the first N samples only. */
  limit?: number;
  /** Output directory for model.json + weights.bin + metrics.json. */
  out: string;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  log?: (line: string) => void;
  prefer?: BackendName;
}

export interface FloatTrainResult {
  arch: SampleArch;
  testAccuracy: number;
  testSet: string;
  trainSamples: number;
  epochs: number;
  epochSeconds: number[];
  backend: BackendName;
  seed: number;
}

/** Mean sparse cross-entropy of probabilities `p` (the models end in softmax). */
export function sparseCrossEntropy(tf: Tf, p: tfjs.Tensor, labels: tfjs.Tensor1D): tfjs.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, p.shape[p.shape.length - 1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(p, 1e-7, 1))), -1))) as tfjs.Scalar;
  });
}

export function batchAccuracy(tf: Tf, p: tfjs.Tensor, labels: tfjs.Tensor1D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(p, -1), labels), 'float32')).dataSync()[0]);
}

/** One epoch over `d` in a seeded order; returns nothing, reports through `meter`/`onProgress`. */
export async function trainEpochLayers(tf: Tf, model: tfjs.LayersModel, opt: tfjs.Optimizer, d: TrainData, batch: number, rand: () => number,
  meter: ProgressMeter, report: (step: number, steps: number) => void, signal: AbortSignal | undefined, what: string): Promise<void> {
  const order = permutation(d.n, rand);
  const steps = Math.ceil(d.n / batch);
  for (let s = 0; s < steps; s++) {
    await yieldAndCheck(signal, what);
    const { x, y } = gatherBatch(tf, d, order.subarray(s * batch, Math.min(d.n, (s + 1) * batch)));
    let acc = 0;
    const loss = opt.minimize(() => {
      const p = model.apply(x, { training: true }) as tfjs.Tensor;
      acc = batchAccuracy(tf, p, y);
      return sparseCrossEntropy(tf, p, y);
    }, true) as tfjs.Scalar;
    meter.add(loss.dataSync()[0], acc);
    loss.dispose(); x.dispose(); y.dispose();
    report(s + 1, steps);
  }
}

export async function trainFloatSample(o: FloatTrainOptions): Promise<FloatTrainResult> {
  const { tf, backend } = await initTf({ prefer: o.prefer, log: o.log });
  const what = `train ${o.arch}`;
  const batch = o.batch ?? 64;
  const train = subset(loadTrainData(o.data), o.limit);
  const testSpec = testSpecFor(o.data);
  const test = testSpec ? loadTrainData(testSpec) : train;
  const model = buildSampleModel(tf, o.arch, o.seed);
  const opt = tf.train.adam(o.lr ?? 1e-3);
  const rand = mulberry32(o.seed);
  const steps = Math.ceil(train.n / batch);
  const meter = new ProgressMeter(steps * o.epochs);
  const epochSeconds: number[] = [];
  try {
    for (let e = 0; e < o.epochs; e++) {
      meter.resetEpoch();
      const t0 = Date.now();
      await trainEpochLayers(tf, model, opt, train, batch, rand, meter, (step, n) => {
        if (o.onProgress && (step % 20 === 0 || step === n)) {
          o.onProgress({ type: 'progress', stage: 1, epoch: e + 1, epochs: o.epochs, step, steps: n, loss: meter.loss, acc: meter.acc, etaSeconds: meter.etaSeconds });
        }
      }, o.signal, what);
      epochSeconds.push((Date.now() - t0) / 1000);
      o.log?.(`${what}: epoch ${e + 1}/${o.epochs} loss ${meter.loss.toFixed(4)} train acc ${meter.acc.toFixed(4)} (${epochSeconds[e].toFixed(1)} s)`);
    }
    throwIfAborted(o.signal, what);
    const testAccuracy = evaluateTop1(tf, test, (x) => model.predict(x) as tfjs.Tensor);
    const result: FloatTrainResult = {
      arch: o.arch, testAccuracy, testSet: test.name, trainSamples: train.n, epochs: o.epochs, epochSeconds, backend, seed: o.seed,
    };
    await saveLayersModel(tf, model, o.out);
    writeFileAtomicSync(path.join(o.out, 'metrics.json'), JSON.stringify({ ...result, batch, lr: o.lr ?? 1e-3, data: o.data }, null, 2) + '\n');
    return result;
  } finally {
    // Cancelling leaves nothing half-written: the files are only written, atomically, after training.
    model.dispose();
    opt.dispose();
  }
}
