/**
 * Quantization-aware training of a FloatModel (seed paper §3): ternary weights
 * and/or activations, optional knowledge distillation from the float model
 * itself as teacher (Eq. 10–11), one- or two-stage (§3.4), checkpoints every
 * epoch, and export of the result as a `.tnn`. The method's QAT strategy
 * (quantizer registry) decides how weights are ternarized; this loop only adds
 * a strategy's loss term and calls its per-step hook.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { writeTnnFile } from '../../format/index';
import type { FloatModel, TnnModel } from '../../graph/types';
import { DEFAULT_METHOD } from '../../quant/registry';
import type { OptionValue } from '../../quant/spec';
import { mulberry32, permutation } from '../../rng';
import { initTf, type BackendName, type Tf } from '../backend';
import { evaluateTop1, gatherBatch, range } from '../batches';
import { ProgressMeter, throwIfAborted, yieldAndCheck, type ProgressSink } from '../progress';
import { loadTrainData, subset, testSpecFor, type TrainData } from '../training-data';
import { checkpointPath, loadCheckpoint, removeCheckpoint, saveCheckpoint } from './checkpoint';
import { exportTnn } from './export';
import { distillationLoss } from './kd';
import { QatNet } from './qat-net';
import { afterQuantizerStep, quantizerPenalty, type QatMethod } from './quantizers';

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
  /** The method's own options (QuantizerSpec.options by key); unset ones take their defaults. */
  methodOptions?: Readonly<Record<string, OptionValue | undefined>>;
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

/** Everything one run shares between its steps. */
interface QatRun {
  o: QatOptions;
  tf: Tf;
  backend: BackendName;
  t0: number;
  seed: number;
  batch: number;
  lr0: number;
  train: TrainData;
  test: TrainData;
  net: QatNet;
  ckpt?: string;
  config: string;
  stages: Stage[];
  /** Float-teacher probabilities of every training sample, when a stage distils (Eq. 10–11). */
  teacher?: Float32Array;
  classes: number;
  opt?: tfjs.Optimizer;
}

function planStages(o: QatOptions): Stage[] {
  const weights = o.weights ?? true, acts = o.acts ?? true;
  const lambda = o.kd ? (o.lambda ?? 0.9) : 0;
  // Two-stage (§3.4): stage 1 ternary activations only with L = L_kd (Eq. 10, λ = 1), stage 2 both with Eq. 11.
  if (o.twoStage && weights && acts) return [{ stage: 1, weights: false, acts: true, lambda: o.kd ? 1 : 0 }, { stage: 2, weights: true, acts: true, lambda }];
  return [{ stage: 1, weights, acts, lambda }];
}

/** Fingerprint of the options a checkpoint must match to be resumed. */
function configKey(o: QatOptions): string {
  const { epochs, batch, lr, limit, method, methodOptions, uniform, asymmetric, weights, acts, kd, twoStage, lambda, rprelu, seed, data, keepFloat } = o;
  return JSON.stringify({ src: o.model.source.sha256, epochs, batch, lr, limit, method, methodOptions, uniform, asymmetric, weights, acts, kd, twoStage, lambda, rprelu, seed, data, keepFloat });
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

/** Step 1: backend, data, the trainable net and the stage plan. */
async function prepareRun(o: QatOptions): Promise<QatRun> {
  const { tf, backend } = await initTf({ prefer: o.prefer, log: o.log });
  const t0 = Date.now();
  const train = subset(loadTrainData(o.data), o.limit);
  const testSpec = o.test ?? testSpecFor(o.data);
  const test = subset(testSpec ? loadTrainData(testSpec) : train, o.testLimit);
  const acts = o.acts ?? true;
  const net = new QatNet(tf, o.model, {
    quant: { method: o.method ?? DEFAULT_METHOD, uniform: o.uniform ?? true, asymmetric: o.asymmetric ?? true, options: o.methodOptions },
    rprelu: o.rprelu ?? acts,
    keepFloat: o.keepFloat,
  });
  return {
    o, tf, backend, t0, seed: o.seed ?? 1, batch: o.batch ?? 64, lr0: o.lr ?? 3e-3, train, test, net,
    ckpt: o.checkpoint ?? (o.out ? checkpointPath(o.out) : undefined), config: configKey(o), stages: planStages(o), classes: 0,
  };
}

/** Step 2: the float model's accuracy and, for KD, the teacher's probabilities. */
function measureTeacher(run: QatRun): number {
  const { tf, net, test, train, o } = run;
  net.prepareEval();
  const floatAccuracy = evaluateTop1(tf, test, (x) => net.forward(x, false));
  if (run.stages.some((s) => s.lambda > 0)) {
    run.teacher = teacherProbabilities(tf, net, train, o.signal);
    run.classes = run.teacher.length / train.n;
  }
  o.log?.(`qat: float top-1 ${(floatAccuracy * 100).toFixed(2)}% on ${test.n} samples; ternary layers: ${net.ternaryLayers.join(', ')}`);
  return floatAccuracy;
}

/** One optimizer step on the mini-batch `idx`; returns the loss and the batch accuracy. */
function trainStep(run: QatRun, st: Stage, idx: Int32Array, step: number, vars: tfjs.Variable[]): { loss: number; acc: number } {
  const { tf, net, train, teacher, classes } = run;
  const { x, y } = gatherBatch(tf, train, idx);
  let tp: tfjs.Tensor | undefined;
  if (teacher && st.lambda > 0) {
    const buf = new Float32Array(idx.length * classes);
    for (let k = 0; k < idx.length; k++) buf.set(teacher.subarray(idx[k] * classes, (idx[k] + 1) * classes), k * classes);
    tp = tf.tensor2d(buf, [idx.length, classes]);
  }
  let acc = 0;
  const loss = run.opt!.minimize(() => {
    const logits = net.forward(x, true);
    acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), y), 'float32')).dataSync()[0]);
    const task = distillationLoss(tf, logits, y, tp, st.lambda);
    // A strategy's own objective term (ADMM's augmented Lagrangian), zero for the others.
    const penalty = quantizerPenalty(tf, net);
    return penalty ? (tf.add(task, penalty) as tfjs.Scalar) : task;
  }, true, vars) as tfjs.Scalar;
  const lv = loss.dataSync()[0];
  loss.dispose(); x.dispose(); y.dispose(); tp?.dispose();
  afterQuantizerStep(net, step);
  return { loss: lv, acc };
}

/** One pass over the (shuffled) training data; progress every ~2 % of the epoch. */
async function trainEpoch(run: QatRun, st: Stage, e: number, meter: ProgressMeter, vars: tfjs.Variable[], timing: { steps: number; ms: number }): Promise<void> {
  const { o, train, batch, lr0 } = run;
  const steps = Math.ceil(train.n / batch);
  const reportEvery = Math.max(1, Math.floor(steps / 50));
  meter.resetEpoch();
  const order = permutation(train.n, mulberry32(run.seed * 1000 + st.stage * 100 + e));
  for (let s = 0; s < steps; s++) {
    await yieldAndCheck(o.signal, 'qat');
    // Cosine decay over the stage (the seed paper's ImageNet schedule).
    (run.opt as unknown as { learningRate: number }).learningRate = lr0 * 0.5 * (1 + Math.cos((Math.PI * (e * steps + s)) / (o.epochs * steps)));
    const ts = performance.now();
    const { loss, acc } = trainStep(run, st, order.subarray(s * batch, Math.min(train.n, (s + 1) * batch)), e * steps + s, vars);
    timing.ms += performance.now() - ts;
    timing.steps++;
    meter.add(loss, acc);
    if (o.onProgress && ((s + 1) % reportEvery === 0 || s + 1 === steps)) {
      o.onProgress({ type: 'progress', stage: st.stage, epoch: e + 1, epochs: o.epochs, step: s + 1, steps, loss: meter.loss, acc: meter.acc, etaSeconds: meter.etaSeconds });
    }
  }
  o.log?.(`qat: stage ${st.stage} epoch ${e + 1}/${o.epochs} loss ${meter.loss.toFixed(4)} train acc ${(meter.acc * 100).toFixed(2)}%`);
}

/** Where a resumed run picks up: the checkpoint's stage and finished epochs. */
interface ResumePoint { stage: number; epoch: number; first: boolean }

/** Step 3: the stages in order, each with a fresh Adam; resumes from the checkpoint when asked. */
async function trainStages(run: QatRun): Promise<QatResult['stages']> {
  const { o, tf, net, ckpt } = run;
  const info: QatResult['stages'] = [];
  let resume: ResumePoint | undefined = o.resume && ckpt ? { stage: 0, epoch: 0, first: true } : undefined;
  for (const st of run.stages) {
    net.quantWeights = st.weights;
    net.quantActs = st.acts;
    run.opt?.dispose();
    run.opt = tf.train.adam(run.lr0);
    let startEpoch = 0;
    if (resume?.first) {
      resume.first = false;
      const h = await loadCheckpoint(tf, ckpt!, net, run.opt, run.config);
      if (h) {
        resume = { stage: h.stage, epoch: h.epoch, first: false };
        o.log?.(`qat: resuming from ${ckpt} (stage ${h.stage}, ${h.epoch} epochs done)`);
      }
    }
    if (resume && resume.stage > st.stage) continue;
    if (resume && resume.stage === st.stage) startEpoch = resume.epoch;
    const meter = new ProgressMeter(Math.ceil(run.train.n / run.batch) * (o.epochs - startEpoch));
    // Strategies may own non-trainable state variables (ADMM's G, λ): the optimizer gets the trainable ones.
    const vars = net.trainableVariables().filter((v) => v.trainable);
    const tStage = Date.now();
    const timing = { steps: 0, ms: 0 };
    for (let e = startEpoch; e < o.epochs; e++) {
      await trainEpoch(run, st, e, meter, vars, timing);
      if (ckpt) await saveCheckpoint(ckpt, net, run.opt, { config: run.config, stage: st.stage, epoch: e + 1, elapsedSeconds: (Date.now() - run.t0) / 1000 });
    }
    info.push({ stage: st.stage, epochs: o.epochs - startEpoch, seconds: (Date.now() - tStage) / 1000, stepMs: timing.steps ? timing.ms / timing.steps : 0 });
  }
  return info;
}

/** Step 4: evaluate the exported form, build the `.tnn`, write it (atomically) and drop the checkpoint. */
async function exportRun(run: QatRun, floatAccuracy: number, stages: QatResult['stages']): Promise<QatResult> {
  const { o, tf, net, test, train, ckpt, backend } = run;
  throwIfAborted(o.signal, 'qat');
  net.prepareEval();
  const accuracy = evaluateTop1(tf, test, (x) => net.forward(x, false));
  throwIfAborted(o.signal, 'qat');
  const acts = o.acts ?? true;
  const tnn = exportTnn(tf, net, {
    method: `qat-${o.method ?? DEFAULT_METHOD}`,
    options: {
      epochs: o.epochs, batch: run.batch, lr: run.lr0, weights: o.weights ?? true, acts, kd: Boolean(o.kd), twoStage: Boolean(o.twoStage),
      lambda: o.lambda ?? 0.9, uniform: o.uniform ?? true, asymmetric: o.asymmetric ?? true, rprelu: o.rprelu ?? acts, seed: run.seed,
      trainSamples: train.n, backend,
    },
    dataset: o.data,
    floatAccuracy,
    ternaryAccuracy: accuracy,
    extra: { evalDataset: test.name, evalSamples: test.n },
  });
  // Class names from the data set, so `run` and the debugger can name the prediction.
  if (train.labelNames && !tnn.graph.labels) tnn.graph.labels = [...train.labelNames];
  if (o.out) await writeTnnFile(o.out, tnn, { signal: o.signal });
  if (ckpt) removeCheckpoint(ckpt);
  return { accuracy, floatAccuracy, evalSamples: test.n, trainSamples: train.n, stages, seconds: (Date.now() - run.t0) / 1000, backend, tnn, output: o.out };
}

export async function trainQat(o: QatOptions): Promise<QatResult> {
  const run = await prepareRun(o);
  try {
    const floatAccuracy = measureTeacher(run);
    const stages = await trainStages(run);
    return await exportRun(run, floatAccuracy, stages);
  } finally {
    // On cancel nothing is left half-written: the `.tnn` is only written (atomically) after the last
    // step, and the per-epoch checkpoint is complete by construction (kept for --resume).
    run.net.dispose();
    run.opt?.dispose();
  }
}
