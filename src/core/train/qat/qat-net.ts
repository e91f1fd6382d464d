/**
 * A trainable TF.js network built from the IR graph of a FloatModel, with
 * fake-quantized (ternary) weights and input activations on the chosen layers.
 * Tensors run NHWC inside (TF.js conv layout); weights are converted from the
 * IR's OIHW / [out,in] and back at export. `flatten` transposes to NCHW first
 * so dense weights keep the IR's feature order.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { TritscopeError } from '../../errors';
import type { ActQuant, FloatModel, Layer } from '../../graph/types';
import { ternaryCode } from './ternary-ops';
import type { Tf } from '../backend';
import { ActQuantizer, dequantFolded, WeightQuantizer, type ActVariant, type QuantizerOptions } from './quantizers';

export class QatGraphError extends TritscopeError {}

export interface QatNetOptions {
  quant: QuantizerOptions;
  /** Replace ReLUs feeding ternary layers by RPReLU (Liu et al. 2020), as the seed paper §4.1 does. */
  rprelu: boolean;
  /** Names of weight layers kept float; default: the first and the last (seed paper §4.1). */
  keepFloat?: string[];
}

interface LayerVars { [role: string]: tfjs.Variable }

let netCounter = 0;

const PASS_THROUGH = new Set(['maxpool', 'avgpool', 'flatten', 'reshape', 'identity']);

export class QatNet {
  readonly vars = new Map<string, LayerVars>();
  readonly weightQ = new Map<string, WeightQuantizer>();
  readonly actQ = new Map<string, ActQuantizer>();
  /** Layers whose ReLU became RPReLU. */
  readonly rpreluLayers = new Set<string>();
  /** RPReLUs whose shift-out has been set from data (first training batch). */
  private readonly centred = new Set<string>();
  readonly ternaryLayers: string[];
  /** TF.js variable names are global: each net prefixes its own; checkpoints use the names without it. */
  readonly prefix = `qat${++netCounter}:`;
  quantWeights = false;
  /** Fixed input-activation ternarization (layers of an imported `.tnn`), applied in every forward. */
  fixedActQuant = new Map<string, ActQuant>();
  quantActs = false;
  private evalWeights: Map<string, tfjs.Tensor> | undefined;
  private readonly logitsName: string;
  private readonly layers: Layer[];

  constructor(private readonly tf: Tf, readonly model: FloatModel, readonly opts: QatNetOptions) {
    const g = model.graph;
    if (g.inputs.length !== 1 || g.outputs.length !== 1) throw new QatGraphError(`${model.source.file}: graph: QAT expects one input and one output, got ${g.inputs.length} and ${g.outputs.length}`);
    this.layers = g.layers;
    const last = this.layers[this.layers.length - 1];
    this.logitsName = last.op === 'softmax' && last.outputs[0] === g.outputs[0] ? last.inputs[0] : g.outputs[0];
    const weightLayers = this.layers.filter((l) => (l.op === 'conv2d' || l.op === 'dense') && l.weights.weight);
    const keep = new Set(opts.keepFloat ?? [weightLayers[0]?.name, weightLayers[weightLayers.length - 1]?.name]);
    this.ternaryLayers = weightLayers.filter((l) => !keep.has(l.name)).map((l) => l.name);
    const producers = new Map<string, Layer>();
    for (const l of this.layers) for (const o of l.outputs) producers.set(o, l);
    for (const l of this.layers) this.createVars(l);
    for (const name of this.ternaryLayers) {
      const l = this.layers.find((x) => x.name === name)!;
      const w = this.vars.get(name)!.weight;
      this.weightQ.set(name, new WeightQuantizer(tf, `${this.prefix}${name}`, w.dataSync() as Float32Array, opts.quant));
      // The activation feeding this layer: walk back through pooling/flatten to the op that made it.
      let p = producers.get(l.inputs[0]);
      while (p && PASS_THROUGH.has(p.op)) p = producers.get(p.inputs[0]);
      let variant: ActVariant = 'gaussian';
      if (p && p.op === 'relu') {
        if (opts.rprelu) this.makeRprelu(p, producers);
        else variant = 'half-gaussian';
      }
      this.actQ.set(name, new ActQuantizer(tf, `${this.prefix}${name}/input`, variant, opts.quant));
    }
  }

  private tensor(layer: Layer, role: string): tfjs.Tensor | undefined {
    const name = layer.weights[role];
    if (!name) return undefined;
    const t = this.model.tensors.get(name);
    if (!t) throw new QatGraphError(`${this.model.source.file}: layer '${layer.name}': weight '${role}' names missing tensor '${name}'`);
    return this.tf.tensor(t.data, t.shape);
  }

  private createVars(l: Layer): void {
    const tf = this.tf;
    const v: LayerVars = {};
    const add = (role: string, t: tfjs.Tensor | undefined, trainable = true) => {
      if (t) v[role] = tf.variable(t, trainable, `${this.prefix}${l.name}/${role}`);
      t?.dispose();
    };
    if (l.op === 'conv2d') {
      if (Number(l.attrs.group ?? 1) !== 1) throw new QatGraphError(`${this.model.source.file}: layer '${l.name}': QAT supports group=1 convolutions only`);
      const w = this.tensor(l, 'weight')!;
      add('weight', tf.transpose(w, [2, 3, 1, 0])); // OIHW → HWIO
      w.dispose();
      add('bias', this.tensor(l, 'bias'));
    } else if (l.op === 'dense') {
      const w = this.tensor(l, 'weight')!;
      add('weight', tf.transpose(w)); // [out,in] → [in,out]
      w.dispose();
      add('bias', this.tensor(l, 'bias'));
    } else if (l.op === 'batchnorm') {
      add('gamma', this.tensor(l, 'gamma'));
      add('beta', this.tensor(l, 'beta'));
      add('mean', this.tensor(l, 'mean'), false);
      add('var', this.tensor(l, 'var'), false);
    } else if (l.op === 'prelu' || l.op === 'rprelu') {
      for (const r of Object.keys(l.weights)) add(r, this.tensor(l, r));
    }
    this.vars.set(l.name, v);
  }

  /** Channels of a value: the nearest upstream BatchNorm / conv / dense says. */
  private channelsOf(name: string, producers: Map<string, Layer>): number {
    let p = producers.get(name);
    while (p) {
      const v = this.vars.get(p.name);
      if (p.op === 'batchnorm' && v?.gamma) return v.gamma.size;
      if ((p.op === 'conv2d' || p.op === 'dense') && v?.weight) return v.weight.shape[v.weight.rank - 1];
      p = producers.get(p.inputs[0]);
    }
    throw new QatGraphError(`${this.model.source.file}: cannot find the channel count of '${name}' for RPReLU`);
  }

  /** ReLU → RPReLU, starting as an exact ReLU (slope 0, no shifts) so the student starts as the teacher. */
  private makeRprelu(relu: Layer, producers: Map<string, Layer>): void {
    if (this.rpreluLayers.has(relu.name)) return;
    this.rpreluLayers.add(relu.name);
    const c = this.channelsOf(relu.inputs[0], producers);
    const tf = this.tf;
    this.vars.set(relu.name, {
      slope: tf.variable(tf.zeros([c]), true, `${this.prefix}${relu.name}/slope`),
      shiftIn: tf.variable(tf.zeros([c]), true, `${this.prefix}${relu.name}/shiftIn`),
      shiftOut: tf.variable(tf.zeros([c]), true, `${this.prefix}${relu.name}/shiftOut`),
    });
  }

  /** Every trainable variable (weights, BN affine, RPReLU, quantizer parameters). */
  trainableVariables(): tfjs.Variable[] {
    const out: tfjs.Variable[] = [];
    for (const v of this.vars.values()) for (const t of Object.values(v)) if (t.trainable) out.push(t);
    for (const q of this.weightQ.values()) out.push(...q.vars);
    for (const q of this.actQ.values()) out.push(...q.vars);
    return out;
  }

  /** All variables by unique name (checkpoints). */
  namedVariables(): Map<string, tfjs.Variable> {
    const m = new Map<string, tfjs.Variable>();
    const put = (t: tfjs.Variable) => m.set(t.name.startsWith(this.prefix) ? t.name.slice(this.prefix.length) : t.name, t);
    for (const v of this.vars.values()) for (const t of Object.values(v)) put(t);
    for (const q of this.weightQ.values()) q.vars.forEach(put);
    for (const q of this.actQ.values()) q.vars.forEach(put);
    return m;
  }

  /** Freezes the current quantized weights for evaluation (call after each training phase). */
  prepareEval(): void {
    this.releaseEval();
    const m = new Map<string, tfjs.Tensor>();
    if (this.quantWeights) {
      for (const [name, q] of this.weightQ) {
        const w = this.vars.get(name)!.weight;
        const data = w.dataSync() as Float32Array;
        m.set(name, this.tf.tensor(dequantFolded(data, q.fold(data)), w.shape));
      }
    }
    this.evalWeights = m;
  }

  releaseEval(): void {
    for (const t of this.evalWeights?.values() ?? []) t.dispose();
    this.evalWeights = undefined;
  }

  /** Logits (the input of the final softmax) for an NHWC batch. */
  forward(x: tfjs.Tensor, training: boolean): tfjs.Tensor {
    const tf = this.tf;
    const values = new Map<string, tfjs.Tensor>([[this.model.graph.inputs[0].name, x]]);
    for (const l of this.layers) {
      let xs = l.inputs.map((n) => values.get(n)!);
      const fixed = this.fixedActQuant.get(l.name);
      if (fixed) xs = [tf.mul(ternaryCode(tf, xs[0], tf.scalar(fixed.thresholds.pos), tf.scalar(fixed.thresholds.neg)), fixed.scale)];
      const aq = this.quantActs ? this.actQ.get(l.name) : undefined;
      if (aq) {
        if (training) aq.observe(xs[0]);
        xs = [training ? aq.forward(xs[0]) : aq.evalForward(xs[0])];
      }
      const y = this.layerForward(l, xs, training);
      values.set(l.outputs[0], y);
      if (l.outputs[0] === this.logitsName) return y;
    }
    return values.get(this.logitsName)!;
  }

  private weightFor(l: Layer, training: boolean): tfjs.Tensor {
    const w = this.vars.get(l.name)!.weight;
    const q = this.quantWeights ? this.weightQ.get(l.name) : undefined;
    if (!q) return w;
    return training ? q.forward(w) : this.evalWeights!.get(l.name)!;
  }

  private layerForward(l: Layer, xs: tfjs.Tensor[], training: boolean): tfjs.Tensor {
    const tf = this.tf;
    const x = xs[0];
    const v = this.vars.get(l.name)!;
    const list = (k: string, d: number[]) => (Array.isArray(l.attrs[k]) ? (l.attrs[k] as number[]) : d);
    switch (l.op) {
      case 'conv2d': {
        const [t, left, b, r] = list('pads', [0, 0, 0, 0]);
        const pad = t || left || b || r ? [[0, 0], [t, b], [left, r], [0, 0]] as [number, number][] : 'valid';
        const y = tf.conv2d(x as tfjs.Tensor4D, this.weightFor(l, training) as tfjs.Tensor4D, list('strides', [1, 1]) as [number, number],
          pad as 'valid', 'NHWC', list('dilations', [1, 1]) as [number, number]);
        return v.bias ? tf.add(y, v.bias) : y;
      }
      case 'dense': {
        if (x.rank !== 2) throw new QatGraphError(`layer '${l.name}' (dense): expects a rank-2 input, got rank ${x.rank}`);
        const y = tf.matMul(x as tfjs.Tensor2D, this.weightFor(l, training) as tfjs.Tensor2D);
        return v.bias ? tf.add(y, v.bias) : y;
      }
      case 'batchnorm': {
        const eps = Number(l.attrs.epsilon ?? 1e-5);
        if (!training) return tf.batchNorm(x, v.mean, v.var, v.beta, v.gamma, eps);
        const axes = x.rank === 4 ? [0, 1, 2] : [0];
        const { mean, variance } = tf.moments(x, axes);
        const k = 0.9;
        v.mean.assign(tf.add(tf.mul(v.mean, k), tf.mul(mean, 1 - k)));
        v.var.assign(tf.add(tf.mul(v.var, k), tf.mul(variance, 1 - k)));
        return tf.batchNorm(x, mean, variance, v.beta, v.gamma, eps);
      }
      case 'relu': {
        if (!this.rpreluLayers.has(l.name)) return tf.relu(x);
        if (training && !this.centred.has(l.name)) {
          // Eq. 9 subtracts μ before ternarizing, but the IR's ternary activation has no zero-point; RPReLU's
          // learnable shift-out carries it instead: start it at −(per-channel mean of the ReLU output) so the
          // ternarizer sees zero-mean inputs and uses all three codes (ReLU zeros → −1, strong → +1).
          this.centred.add(l.name);
          v.shiftOut.assign(tf.neg(tf.mean(tf.relu(x), x.rank === 4 ? [0, 1, 2] : [0])));
        }
        return tf.add(tf.prelu(tf.sub(x, v.shiftIn), v.slope), v.shiftOut);
      }
      case 'rprelu': return tf.add(tf.prelu(tf.sub(x, v.shiftIn), v.slope), v.shiftOut);
      case 'prelu': return tf.prelu(x, v.slope);
      case 'leakyrelu': return tf.leakyRelu(x, Number(l.attrs.alpha ?? 0.01));
      case 'clip': return tf.clipByValue(x, Number(l.attrs.min ?? -Infinity), Number(l.attrs.max ?? Infinity));
      case 'identity': return x;
      case 'add': return tf.add(x, xs[1]);
      case 'softmax': return tf.softmax(x);
      case 'globalavgpool': return tf.mean(x, [1, 2], true);
      case 'maxpool':
      case 'avgpool': {
        const [t, left, b, r] = list('pads', [0, 0, 0, 0]);
        if (t || left || b || r) throw new QatGraphError(`layer '${l.name}' (${l.op}): QAT supports unpadded pooling only, got pads [${t},${left},${b},${r}]`);
        const k = list('kernel', [2, 2]) as [number, number];
        const s = list('strides', k) as [number, number];
        return l.op === 'maxpool' ? tf.maxPool(x as tfjs.Tensor4D, k, s, 'valid') : tf.avgPool(x as tfjs.Tensor4D, k, s, 'valid');
      }
      case 'flatten':
      case 'reshape': {
        const nchw = x.rank === 4 ? tf.transpose(x, [0, 3, 1, 2]) : x;
        if (l.op === 'reshape' && (list('shape', []).length !== 1)) throw new QatGraphError(`layer '${l.name}' (reshape): QAT supports reshapes to rank 1 per sample only`);
        return tf.reshape(nchw, [x.shape[0], -1]);
      }
      default:
        throw new QatGraphError(`layer '${l.name}': op '${l.op}' is not supported by QAT`);
    }
  }

  dispose(): void {
    this.releaseEval();
    for (const v of this.namedVariables().values()) v.dispose();
    for (const q of this.actQ.values()) q.dispose();
  }
}
