/**
 * A trainable TF.js network built from the IR graph of a FloatModel, with
 * fake-quantized (ternary) weights and input activations on the chosen layers.
 * Each layer runs its op's TF.js translation (src/core/ops, NHWC inside, shared
 * with the bench baseline); this class adds the hooks around it: weight and
 * activation quantizers, batch statistics while training, and ReLU → RPReLU.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { TritscopeError } from '../../errors';
import type { ActQuant, FloatModel, Layer } from '../../graph/types';
import { inferShapes, OPS, probabilityHead, tfLayerForward, tfParam, tfTranslation, type TfOpContext } from '../../ops/index';
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
    for (const l of this.layers) {
      try {
        tfTranslation(l, true);
      } catch (e) {
        throw new QatGraphError(`${model.source.file}: QAT: ${(e as Error).message}`);
      }
    }
    const head = probabilityHead(g);
    this.logitsName = head && head === this.layers[this.layers.length - 1] ? head.inputs[0] : g.outputs[0];
    const weightLayers = this.layers.filter((l) => OPS[l.op].qat.ternary && l.weights.weight);
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
      while (p && OPS[p.op].qat.passThrough) p = producers.get(p.inputs[0]);
      let variant: ActVariant = 'gaussian';
      if (p && OPS[p.op].qat.rectifier) {
        if (opts.rprelu) this.makeRprelu(p);
        else variant = 'half-gaussian';
      }
      this.actQ.set(name, new ActQuantizer(tf, `${this.prefix}${name}/input`, variant, opts.quant));
    }
  }

  /** One variable per weight role, in the op's TF layout; trainable as its spec's QAT mapping says. */
  private createVars(l: Layer): void {
    const v: LayerVars = {};
    const trainable = new Set(OPS[l.op].qat.trainable);
    for (const [role, name] of Object.entries(l.weights)) {
      const t = this.model.tensors.get(name);
      if (!t) throw new QatGraphError(`${this.model.source.file}: layer '${l.name}': weight '${role}' names missing tensor '${name}'`);
      const x = tfParam(this.tf, l, role, t);
      v[role] = this.tf.variable(x, trainable.has(role), `${this.prefix}${l.name}/${role}`);
      x.dispose();
    }
    this.vars.set(l.name, v);
  }

  /** Channels of a value: axis 1 of its inferred shape (NCHW, or [N, features]). */
  private channelsOf(name: string): number {
    const shapes = inferShapes(this.model.graph, (layer, role) => {
      const n = layer.weights[role];
      return n === undefined ? undefined : this.model.tensors.get(n)?.shape;
    });
    const s = shapes.get(name);
    if (!s || s.length < 2) throw new QatGraphError(`${this.model.source.file}: cannot find the channel count of '${name}' for RPReLU`);
    return s[1];
  }

  /** ReLU → RPReLU, starting as an exact ReLU (slope 0, no shifts) so the student starts as the teacher. */
  private makeRprelu(relu: Layer): void {
    if (this.rpreluLayers.has(relu.name)) return;
    this.rpreluLayers.add(relu.name);
    const c = this.channelsOf(relu.inputs[0]);
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
    const v = this.vars.get(l.name)!;
    const ctx: TfOpContext = {
      tf,
      training,
      param: (role) => (role === 'weight' && v.weight ? this.weightFor(l, training) : v[role]),
      assign: (role, value) => v[role].assign(value),
    };
    if (!this.rpreluLayers.has(l.name)) return tfLayerForward(l, ctx, xs);
    if (training && !this.centred.has(l.name)) {
      // Eq. 9 subtracts μ before ternarizing, but the IR's ternary activation has no zero-point; RPReLU's
      // learnable shift-out carries it instead: start it at −(per-channel mean of the ReLU output) so the
      // ternarizer sees zero-mean inputs and uses all three codes (ReLU zeros → −1, strong → +1).
      this.centred.add(l.name);
      v.shiftOut.assign(tf.neg(tf.mean(tf.relu(xs[0]), xs[0].rank === 4 ? [0, 1, 2] : [0])));
    }
    return tfLayerForward({ ...l, op: 'rprelu' }, ctx, xs);
  }

  dispose(): void {
    this.releaseEval();
    for (const v of this.namedVariables().values()) v.dispose();
    for (const q of this.actQ.values()) q.dispose();
  }
}
