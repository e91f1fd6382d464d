/**
 * Owns a model and the engine's Stepper and answers WorkerRequests with
 * summaries, slices and views. Runs inside the inference worker (see
 * src/workers/inference.ts); the loading itself is injected so tests can drive
 * it with a stand-in Stepper in-process.
 */
import { DataError, ExecutionError } from '../core/errors';
import type { TnnModel } from '../core/graph/types';
import { isPacked } from '../core/graph/types';
import type { LayerState, Stepper } from '../core/engine/stepper-types';
import type { Tensor } from '../core/tensor';
import type {
  FinalSummary, LayerStepSummary, LayerView, EngineLoadOptions, ModelInfo, TensorRef, TensorSummary, EngineRequest, EngineResults,
} from '../shared/engineProtocol';
import { countPackedTrits } from '../core/format/index';
import { summarizeValues, summarizeTrits, summarizeTritCounts, topKAgreement, downsampleView, type ValueSummary } from './tensorMath';

/** How the host gets a model, an input and a Stepper (the real engine in the worker, stand-ins in tests). */
export interface EngineLoader {
  readModel(path: string): Promise<TnnModel>;
  readInput(spec: string, sampleShape: number[]): Promise<Tensor>;
  createStepper(model: TnnModel, input: Tensor, opts: { subSteps: boolean; compareFloat: boolean }): Promise<Stepper>;
  unpackTrits(bytes: Uint8Array, count: number): Int8Array;
}

export class StepperHost {
  private model?: TnnModel;
  private options?: EngineLoadOptions;
  private stepper?: Stepper;
  private readonly weightCache = new Map<string, Int8Array | Float32Array>();
  private readonly summaryCache = new Map<number, LayerStepSummary>();
  /**
   * Value summaries by the array they describe: a layer's input is an earlier layer's output (the same
   * array), and weights never change, so each 25 M-value pass is made once per session.
   */
  private valueSummaries = new WeakMap<object, ValueSummary>();

  constructor(private readonly loader: EngineLoader) {}

  async handle<K extends EngineRequest['type']>(req: Extract<EngineRequest, { type: K }>): Promise<EngineResults[K]> {
    const r = req as EngineRequest;
    switch (r.type) {
      case 'load': return (await this.load(r.options)) as EngineResults[K];
      case 'setInput': return (await this.setInput(r.input)) as EngineResults[K];
      case 'state': return this.summary(r.index) as EngineResults[K];
      case 'slice': return this.slice(r.ref, r.start, r.count) as EngineResults[K];
      case 'final': return this.final() as EngineResults[K];
      case 'view': return this.view(r.index, r.subStep) as EngineResults[K];
    }
  }

  private async load(options: EngineLoadOptions): Promise<ModelInfo> {
    this.model = await this.loader.readModel(options.model);
    this.options = options;
    this.weightCache.clear();
    const { inputShape } = await this.setInput(options.input);
    const shapes: Record<string, number[]> = {};
    for (const [name, t] of this.model.tensors) shapes[name] = [...t.shape];
    return { graph: this.model.graph, shapes, inputShape };
  }

  private async setInput(spec: string): Promise<{ inputShape: number[] }> {
    const { model, options } = this.requireLoaded();
    const graphInput = model.graph.inputs[0];
    if (!graphInput) throw new DataError(`${options.model}: graph.inputs: the model declares no input`);
    const input = await this.loader.readInput(spec, graphInput.shape);
    this.stepper = await this.loader.createStepper(model, input, { subSteps: options.subSteps, compareFloat: options.compareFloat });
    this.options = { ...options, input: spec };
    this.summaryCache.clear();
    this.valueSummaries = new WeakMap();
    return { inputShape: [...input.shape] };
  }

  private requireLoaded(): { model: TnnModel; options: EngineLoadOptions } {
    if (!this.model || !this.options) throw new ExecutionError('debugger: no model loaded (the load request must come first)');
    return { model: this.model, options: this.options };
  }

  private requireStepper(): Stepper {
    if (!this.stepper) throw new ExecutionError('debugger: no input loaded');
    return this.stepper;
  }

  private state(index: number): LayerState {
    const stepper = this.requireStepper();
    if (!Number.isInteger(index) || index < 0 || index >= stepper.layers.length)
      throw new ExecutionError(`debugger: layer index ${index} is outside 0..${stepper.layers.length - 1}`);
    return stepper.stateAt(index);
  }

  private summary(index: number): LayerStepSummary {
    const cached = this.summaryCache.get(index);
    if (cached) return cached;
    const s = this.state(index);
    const { model } = this.requireLoaded();
    const layer = s.layer;
    const ref = (kind: TensorRef['kind'], key: number | string): TensorRef => ({ layer: index, kind, key });
    const inputs = s.inputs.map((t, k) => this.summarize(layer.inputs[k] ?? `input${k}`, t.shape, t.data, ref('input', k)));
    const output = this.summarize(layer.outputs[0] ?? `${layer.name}.out`, s.output.shape, s.output.data, ref('output', 0));
    const subSteps = (s.subSteps ?? []).map((sub, k) => ({
      kind: sub.kind, label: sub.label, ternary: sub.ternary,
      output: this.summarize(sub.label, sub.output.shape, sub.output.data, ref('sub', k)),
    }));
    const weights = Object.entries(layer.weights).map(([role, name]) => {
      const shape = model.tensors.get(name)?.shape ?? [];
      return { ...this.weightSummary(name, shape, ref('weight', name)), dtype: this.isPackedWeight(name) ? 'trits' as const : 'f32' as const, name: `${role} (${name})` };
    });
    if (layer.weightQuant && !layer.weights.weight && model.tensors.has(layer.weightQuant.trits)) {
      const name = layer.weightQuant.trits;
      weights.unshift({ ...this.weightSummary(name, model.tensors.get(name)!.shape, ref('weight', name)), dtype: 'trits', name: `trits (${name})` });
    }
    const float = s.float
      ? {
          output: this.summarize(`${output.name} (float)`, s.float.output.shape, s.float.output.data, ref('float', 0)),
          relL2: s.float.divergence.relL2,
          cosine: s.float.divergence.cosine,
          topKAgreement: topKAgreement(s.output.data, s.float.output.data, 5),
        }
      : undefined;
    const stats = model.layerStats?.[layer.name];
    const ternaryWeights = weights.find((w) => w.trits);
    const sparsity = stats?.sparsity ?? (ternaryWeights?.trits ? ternaryWeights.trits.zero / Math.max(1, ternaryWeights.count) : output.zeros / Math.max(1, output.count));
    const summary: LayerStepSummary = {
      index, name: layer.name, op: layer.op, inputs, output, subSteps, float, weights,
      quant: { weight: layer.weightQuant, activation: layer.actQuant, stats }, sparsity, timeMs: s.timeMs,
    };
    this.summaryCache.set(index, summary);
    return summary;
  }

  private summarize(name: string, shape: number[], data: ArrayLike<number>, ref: TensorRef): TensorSummary {
    let values = this.valueSummaries.get(data);
    if (!values) {
      // Unpacked trits are counted, not scanned as floats (25 M of them in a ResNet-scale model).
      values = data instanceof Int8Array ? summarizeTrits(data) : summarizeValues(data);
      this.valueSummaries.set(data, values);
    }
    return { name, shape: [...shape], dtype: 'f32', ref, ...values };
  }

  /** A weight's summary; packed trits are counted from their bytes (unpacked only when Variables pages through them). */
  private weightSummary(name: string, shape: readonly number[], ref: TensorRef): TensorSummary {
    const t = this.model?.tensors.get(name);
    if (!t || !isPacked(t)) return this.summarize(name, [...shape], this.weightValues(name), ref);
    let values = this.valueSummaries.get(t.bytes);
    if (!values) {
      values = summarizeTritCounts(countPackedTrits(t.bytes, t.count));
      this.valueSummaries.set(t.bytes, values);
    }
    return { name, shape: [...shape], dtype: 'f32', ref, ...values };
  }

  private isPackedWeight(name: string): boolean {
    const t = this.model?.tensors.get(name);
    return Boolean(t && isPacked(t));
  }

  /** Weight values; packed trits are unpacked to an Int8Array of −1/0/+1 (cached: weights never change during a session). */
  private weightValues(name: string): Int8Array | Float32Array {
    const hit = this.weightCache.get(name);
    if (hit) return hit;
    const { model, options } = this.requireLoaded();
    const t = model.tensors.get(name);
    if (!t) throw new ExecutionError(`${options.model}: tensor '${name}' is referenced by a layer but not stored`);
    const values = isPacked(t) ? this.loader.unpackTrits(t.bytes, t.count) : t.data;
    this.weightCache.set(name, values);
    return values;
  }

  private tensorOf(ref: TensorRef): ArrayLike<number> {
    if (ref.kind === 'weight') return this.weightValues(String(ref.key));
    const s = this.state(ref.layer);
    const k = Number(ref.key);
    const pick = (): Tensor | undefined => {
      switch (ref.kind) {
        case 'input': return s.inputs[k];
        case 'output': return s.output;
        case 'sub': return s.subSteps?.[k]?.output;
        case 'float': return s.float?.output;
      }
    };
    const t = pick();
    if (!t) throw new ExecutionError(`debugger: layer ${s.layer.name} has no ${ref.kind} tensor ${ref.key}`);
    return t.data;
  }

  private slice(ref: TensorRef, start: number, count: number): number[] {
    const data = this.tensorOf(ref);
    const from = Math.max(0, Math.min(data.length, Math.floor(start)));
    const to = Math.max(from, Math.min(data.length, from + Math.floor(count)));
    return Array.from({ length: to - from }, (_, i) => data[from + i]);
  }

  private final(): FinalSummary {
    const stepper = this.requireStepper();
    const labelsOf = this.model?.graph.labels ?? [];
    const f = stepper.final();
    const probabilities = Array.from(f.probabilities);
    const labels = probabilities.map((_, i) => labelsOf[i] ?? `class ${i}`);
    return {
      predicted: f.predicted,
      predictedLabel: labels[f.predicted] ?? `class ${f.predicted}`,
      probabilities,
      labels,
      floatPredicted: f.floatPredicted,
      floatPredictedLabel: f.floatPredicted !== undefined ? labels[f.floatPredicted] ?? `class ${f.floatPredicted}` : undefined,
      agree: f.agree ?? (f.floatPredicted !== undefined ? f.floatPredicted === f.predicted : undefined),
      topKAgreement: f.topKAgreement,
    };
  }

  private view(index: number, subStep: number): LayerView {
    const s = this.state(index);
    const sub = subStep >= 0 ? s.subSteps?.[subStep] : undefined;
    const t = sub?.output ?? s.output;
    return { index, name: s.layer.name, label: sub ? `${s.layer.name} · ${sub.label}` : s.layer.name, ...downsampleView(t) };
  }
}
