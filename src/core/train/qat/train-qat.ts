/**
 * Quantization-aware training of a FloatModel (seed paper §3): ternary weights
 * and/or activations, optional knowledge distillation from the float model
 * itself as teacher (Eq. 10–11), one- or two-stage (§3.4), checkpoints every
 * epoch, and export of the result as a `.tnn`.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { writeTnnFile } from '../../format/index';
import type { FloatModel, TnnModel } from '../../graph/types';
import { initTf, type BackendName, type Tf } from '../backend';
import { evaluateTop1, gatherBatch, range } from '../batches';
import { loadTrainData, subset, testSpecFor, type TrainData } from '../fashion-data';
import { ProgressMeter, throwIfAborted, yieldAndCheck, type ProgressSink } from '../progress';
import { mulberry32, permutation } from '../../rng';
import { checkpointPath, loadCheckpoint, removeCheckpoint, saveCheckpoint } from './checkpoint';
import { exportTnn } from './export';
import { distillationLoss } from './kd';
import { QatNet } from './qat-net';
import type { QatMethod } from './quantizers';

export interface QatOptions {
  model: FloatModel;
  /** Training data spec (fashion-mnist:train, idx:…). */
  data: string;
  /** Evaluation data spec; default the held-out split of `data`. */
  test?: string;
  /** Epochs per stage (the one-stage run trains this many epochs). */
  epochs: number;
  batch?: number;
  lr?: number;
  limit?: number;
  testLimit?: number;
  method?: QatMethod;
  /** Eq. 9 normalization (asym-uniform; default true). */
  uniform?: boolean;
  /** Asymmetric thresholds (asym-uniform; default true). */
  asymmetric?: boolean;
  /** Ternary weights (default true); false with acts=false trains the float model through the same loop. */
  weights?: boolean;
  /** Ternary input activations of the ternary layers (default true). */
  acts?: boolean;
  kd?: boolean;
  twoStage?: boolean;
  /** Eq. 11's trade-off (default 0.9). */
  lambda?: number;
  /** ReLU → RPReLU before ternary layers (default: when activations are ternary). */
  rprelu?: boolean;
  seed?: number;
  /** `.tnn` to write (atomically, after training); the checkpoint defaults to `<out>.ckpt`. */
  out?: string;
  /** Per-epoch checkpoint file (for callers that write the `.tnn` themselves). */
  checkpoint?: string;
  /** Weight layers kept float; default the first and the last. */
  keepFloat?: string[];
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  log?: (line: string) => void;
  prefer?: BackendName;
}

export interface QatResult {
  /** Test top-1 of the exported model as the training loop evaluates it. */
  accuracy: number;
  floatAccuracy: number;
  evalSamples: number;
  trainSamples: number;
  stages: { stage: number; epochs: number; seconds: number; stepMs: number }[];
  seconds: number;
  backend: BackendName;
  tnn: TnnModel;
  output?: string;
}

interface Stage { stage: number; weights: boolean; acts: boolean; lambda: number }

function planStages(o: QatOptions): Stage[] {
  const weights = o.weights ?? true, acts = o.acts ?? true;
  const lambda = o.kd ? (o.lambda ?? 0.9) : 0;
  // Two-stage (§3.4): stage 1 ternary activations only with L = L_kd (Eq. 10, λ = 1), stage 2 both with Eq. 11.
  if (o.twoStage && weights && acts) return [{ stage: 1, weights: false, acts: true, lambda: o.kd ? 1 : 0 }, { stage: 2, weights: true, acts: true, lambda }];
  return [{ stage: 1, weights, acts, lambda }];
}

function configKey(o: QatOptions): string {
  const { epochs, batch, lr, limit, method, uniform, asymmetric, weights, acts, kd, twoStage, lambda, rprelu, seed, data, keepFloat } = o;
  return JSON.stringify({ src: o.model.source.sha256, epochs, batch, lr, limit, method, uniform, asymmetric, weights, acts, kd, twoStage, lambda, rprelu, seed, data, keepFloat });
}

/** Teacher output probabilities for every training sample (the float model, computed once). */
function teacherProbabilities(tf: Tf, net: QatNet, d: TrainData, signal: AbortSignal | undefined): Float32Array {
  const k = 10;
  let out = new Float32Array(0);
  for (let s = 0; s < d.n; s += 500) {
    throwIfAborted(signal, 'qat');
    const { x, y } = gatherBatch(tf, d, range(s, Math.min(d.n, s + 500)));
    const p = tf.tidy(() => tf.softmax(net.forward(x, false)));
    const data = p.dataSync() as Float32Array;
    if (!out.length) out = new Float32Array(d.n * p.shape[1]!);
    out.set(data, s * (p.shape[1] ?? k));
    p.dispose(); x.dispose(); y.dispose();
  }
  return out;
}

export async function trainQat(o: QatOptions): Promise<QatResult> {
  const { tf, backend } = await initTf({ prefer: o.prefer, log: o.log });
  const t0 = Date.now();
  const seed = o.seed ?? 1;
  const batch = o.batch ?? 64;
  const train = subset(loadTrainData(o.data), o.limit);
  const testSpec = o.test ?? testSpecFor(o.data);
  const test = subset(testSpec ? loadTrainData(testSpec) : train, o.testLimit);
  const acts = o.acts ?? true;
  const net = new QatNet(tf, o.model, {
    quant: { method: o.method ?? 'asym-uniform', uniform: o.uniform ?? true, asymmetric: o.asymmetric ?? true },
    rprelu: o.rprelu ?? acts,
    keepFloat: o.keepFloat,
  });
  const ckpt = o.checkpoint ?? (o.out ? checkpointPath(o.out) : undefined);
  const config = configKey(o);
  const stages = planStages(o);
  const stageInfo: QatResult['stages'] = [];
  let opt: tfjs.Optimizer | undefined;
  try {
    net.prepareEval();
    const floatAccuracy = evaluateTop1(tf, test, (x) => net.forward(x, false));
    const teacher = stages.some((s) => s.lambda > 0) ? teacherProbabilities(tf, net, train, o.signal) : undefined;
    const classes = teacher ? teacher.length / train.n : 0;
    o.log?.(`qat: float top-1 ${(floatAccuracy * 100).toFixed(2)}% on ${test.n} samples; ternary layers: ${net.ternaryLayers.join(', ')}`);
    const lr0 = o.lr ?? 3e-3;
    let resume = o.resume && ckpt ? { stage: 0, epoch: 0, first: true } : undefined;
    for (const st of stages) {
      net.quantWeights = st.weights;
      net.quantActs = st.acts;
      opt?.dispose();
      opt = tf.train.adam(lr0);
      let startEpoch = 0;
      if (resume?.first) {
        resume.first = false;
        const h = await loadCheckpoint(tf, ckpt!, net, opt, config);
        if (h) {
          resume = { stage: h.stage, epoch: h.epoch, first: false };
          o.log?.(`qat: resuming from ${ckpt} (stage ${h.stage}, ${h.epoch} epochs done)`);
        }
      }
      if (resume && resume.stage > st.stage) continue;
      if (resume && resume.stage === st.stage) startEpoch = resume.epoch;
      const steps = Math.ceil(train.n / batch);
      const reportEvery = Math.max(1, Math.floor(steps / 50));
      const meter = new ProgressMeter(steps * (o.epochs - startEpoch));
      const vars = net.trainableVariables();
      const tStage = Date.now();
      let stepCount = 0, stepMsSum = 0;
      for (let e = startEpoch; e < o.epochs; e++) {
        meter.resetEpoch();
        const order = permutation(train.n, mulberry32(seed * 1000 + st.stage * 100 + e));
        for (let s = 0; s < steps; s++) {
          await yieldAndCheck(o.signal, 'qat');
          // Cosine decay over the stage (the seed paper's ImageNet schedule).
          (opt as unknown as { learningRate: number }).learningRate = lr0 * 0.5 * (1 + Math.cos((Math.PI * (e * steps + s)) / (o.epochs * steps)));
          const idx = order.subarray(s * batch, Math.min(train.n, (s + 1) * batch));
          const ts = performance.now();
          const { x, y } = gatherBatch(tf, train, idx);
          let tp: tfjs.Tensor | undefined;
          if (teacher && st.lambda > 0) {
            const buf = new Float32Array(idx.length * classes);
            for (let k = 0; k < idx.length; k++) buf.set(teacher.subarray(idx[k] * classes, (idx[k] + 1) * classes), k * classes);
            tp = tf.tensor2d(buf, [idx.length, classes]);
          }
          let acc = 0;
          const loss = opt.minimize(() => {
            const logits = net.forward(x, true);
            acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), y), 'float32')).dataSync()[0]);
            return distillationLoss(tf, logits, y, tp, st.lambda);
          }, true, vars) as tfjs.Scalar;
          const lv = loss.dataSync()[0];
          stepMsSum += performance.now() - ts;
          stepCount++;
          meter.add(lv, acc);
          loss.dispose(); x.dispose(); y.dispose(); tp?.dispose();
          if (o.onProgress && ((s + 1) % reportEvery === 0 || s + 1 === steps)) {
            o.onProgress({ type: 'progress', stage: st.stage, epoch: e + 1, epochs: o.epochs, step: s + 1, steps, loss: meter.loss, acc: meter.acc, etaSeconds: meter.etaSeconds });
          }
        }
        o.log?.(`qat: stage ${st.stage} epoch ${e + 1}/${o.epochs} loss ${meter.loss.toFixed(4)} train acc ${(meter.acc * 100).toFixed(2)}%`);
        if (ckpt) await saveCheckpoint(ckpt, net, opt, { config, stage: st.stage, epoch: e + 1, elapsedSeconds: (Date.now() - t0) / 1000 });
      }
      stageInfo.push({ stage: st.stage, epochs: o.epochs - startEpoch, seconds: (Date.now() - tStage) / 1000, stepMs: stepCount ? stepMsSum / stepCount : 0 });
    }
    throwIfAborted(o.signal, 'qat');
    net.prepareEval();
    const accuracy = evaluateTop1(tf, test, (x) => net.forward(x, false));
    throwIfAborted(o.signal, 'qat');
    const tnn = exportTnn(tf, net, {
      method: `qat-${o.method ?? 'asym-uniform'}`,
      options: {
        epochs: o.epochs, batch, lr: lr0, weights: o.weights ?? true, acts, kd: Boolean(o.kd), twoStage: Boolean(o.twoStage),
        lambda: o.lambda ?? 0.9, uniform: o.uniform ?? true, asymmetric: o.asymmetric ?? true, rprelu: o.rprelu ?? acts, seed,
        trainSamples: train.n, backend,
      },
      dataset: o.data,
      floatAccuracy,
      ternaryAccuracy: accuracy,
      extra: { evalDataset: test.name, evalSamples: test.n },
    });
    // Class names from the data set, so `run` and the debugger can name the prediction.
    if (train.labelNames && !tnn.graph.labels) tnn.graph.labels = [...train.labelNames];
    if (o.out) {
      await writeTnnFile(o.out, tnn);
    }
    if (ckpt) removeCheckpoint(ckpt);
    return { accuracy, floatAccuracy, evalSamples: test.n, trainSamples: train.n, stages: stageInfo, seconds: (Date.now() - t0) / 1000, backend, tnn, output: o.out };
  } finally {
    // On cancel nothing is left half-written: the `.tnn` is only written (atomically) after the last
    // step, and the per-epoch checkpoint is complete by construction (kept for --resume).
    net.dispose();
    opt?.dispose();
  }
}
