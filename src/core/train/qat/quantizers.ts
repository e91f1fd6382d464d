/**
 * The per-layer quantizers QatNet trains with. Each wraps the strategy object
 * the chosen method's registry entry builds (QuantizerSpec.qat), so the net,
 * the loop, checkpoints and export see one interface and never branch on a
 * method name. The strategies live with their methods in src/core/quant/.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { AttrValue } from '../../graph/types';
import { QuantError } from '../../quant/common';
import { qatMethods, quantizerSpec, type KnownMethod } from '../../quant/registry';
import { resolveOptions, type OptionValue } from '../../quant/spec';
import type { Tf } from '../backend';
import type { ActStats, ActVariant, FoldedQuant, QatActQuantizer, QatSettings, QatStrategy, QatWeightQuantizer } from './strategy';

export { codeWithFolded, dequantFolded, type ActStats, type ActVariant, type FoldedQuant } from './strategy';

/** A method with a QAT strategy (see qatMethods()). */
export type QatMethod = KnownMethod;

export interface QuantizerOptions {
  method: QatMethod;
  /** Eq. 9 uniform-distribution normalization with learnable γ (asym-uniform weights; learned activation quantizers). */
  uniform: boolean;
  /** Independent Δp, Δn; false ties Δn = −Δp. */
  asymmetric: boolean;
  /** The method's own options by key (QuantizerSpec.options); unset ones take their defaults. */
  options?: Readonly<Record<string, OptionValue | undefined>>;
}

function strategyFor(opts: QuantizerOptions): { strategy: QatStrategy; settings: QatSettings; qatOptions: Record<string, AttrValue> } {
  const spec = quantizerSpec(opts.method);
  if (!spec.qat) throw new QuantError(`method '${spec.id}' has no quantization-aware training (QAT methods: ${qatMethods().join(', ')})`);
  const options = resolveOptions(spec, opts.options);
  const qatOptions: Record<string, AttrValue> = {};
  for (const o of spec.options) if (o.stage !== 'ptq') qatOptions[o.key] = options[o.key];
  return { strategy: spec.qat, settings: { uniform: opts.uniform, asymmetric: opts.asymmetric, options }, qatOptions };
}

/** Ternarizes one layer's weights during training; variables are created from the float weights `w0`. */
export class WeightQuantizer {
  private readonly impl: QatWeightQuantizer;
  private readonly qatOptions: Record<string, AttrValue>;

  constructor(tf: Tf, readonly name: string, w0: Float32Array, readonly opts: QuantizerOptions) {
    const { strategy, settings, qatOptions } = strategyFor(opts);
    this.impl = strategy.weights(tf, name, w0, settings);
    this.qatOptions = qatOptions;
  }

  /** Every variable (checkpointed); the loop trains only the trainable ones. */
  get vars(): tfjs.Variable[] {
    return this.impl.vars;
  }

  /** The weights used in the training forward pass. */
  forward(w: tfjs.Tensor): tfjs.Tensor {
    return this.impl.forward(w);
  }

  /** Float-unit thresholds and scales of the current state (what export and eval use). */
  fold(w: Float32Array): FoldedQuant {
    return this.impl.fold(w);
  }

  /** The method's extra loss term for these weights, if it has one. */
  penalty(w: tfjs.Tensor): tfjs.Scalar | undefined {
    return this.impl.penalty?.(w);
  }

  afterStep(w: tfjs.Variable, step: number): void {
    this.impl.afterStep?.(w, step);
  }

  /** WeightQuant.options of the exported layer. */
  exportOptions(): Record<string, AttrValue> {
    return { qat: true, uniform: this.opts.uniform, asymmetric: this.opts.asymmetric, ...this.qatOptions, ...this.impl.exportOptions?.() };
  }
}

/** Ternarizes a layer's input activations during W+A training, with the quantizer the method trains with. */
export class ActQuantizer {
  private readonly impl: QatActQuantizer;

  constructor(tf: Tf, readonly name: string, readonly variant: ActVariant, readonly opts: QuantizerOptions) {
    const { strategy, settings } = strategyFor(opts);
    this.impl = strategy.acts(tf, name, variant, settings);
  }

  get vars(): tfjs.Variable[] {
    return this.impl.vars;
  }

  get stats(): ActStats | undefined {
    return this.impl.stats;
  }

  set stats(s: ActStats | undefined) {
    this.impl.stats = s;
  }

  /** Updates the running statistics from a training batch (the first call initialises them). */
  observe(x: tfjs.Tensor): void {
    this.impl.observe(x);
  }

  forward(x: tfjs.Tensor): tfjs.Tensor {
    return this.impl.forward(x);
  }

  fold(): FoldedQuant {
    return this.impl.fold();
  }

  /** Eval-mode forward with the folded thresholds: exactly ternarizeActivation of the reference executor. */
  evalForward(x: tfjs.Tensor): tfjs.Tensor {
    return this.impl.evalForward(x);
  }

  dispose(): void {
    this.impl.dispose();
  }
}

/** What the loop needs of a net: its weight quantizers and the latent weights they read. */
interface QuantizedNet {
  quantWeights: boolean;
  readonly weightQ: Map<string, WeightQuantizer>;
  readonly vars: Map<string, Record<string, tfjs.Variable>>;
}

/** Sum of the quantizers' loss terms (ADMM's augmented Lagrangian), or undefined when none has one. */
export function quantizerPenalty(tf: Tf, net: QuantizedNet): tfjs.Scalar | undefined {
  if (!net.quantWeights) return undefined;
  let total: tfjs.Scalar | undefined;
  for (const [name, q] of net.weightQ) {
    const p = q.penalty(net.vars.get(name)!.weight);
    if (p) total = total ? (tf.add(total, p) as tfjs.Scalar) : p;
  }
  return total;
}

/** Lets each weight quantizer react to the optimizer's step (ADMM's projection and dual update). */
export function afterQuantizerStep(net: QuantizedNet, step: number): void {
  if (!net.quantWeights) return;
  for (const [name, q] of net.weightQ) q.afterStep(net.vars.get(name)!.weight, step);
}
