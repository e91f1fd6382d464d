/**
 * Whole-model post-training quantization: FloatModel → TnnModel. Ternarizes the
 * conv2d/dense weights (all but the first and last weight layers by default, as
 * in the seed paper §4.1), keeps every other tensor float32, packs the trits,
 * optionally keeps latent float weights, calibrates activations for W+A models
 * and records provenance and per-layer statistics. Never mutates the source model.
 */
import { basename } from 'node:path';
import { loadDataset } from '../data/index';
import { packTrits } from '../format/index';
import type { AttrValue, FloatModel, Layer, LayerQuantStats, StoredTensor, TnnModel } from '../graph/types';
import { OPS } from '../ops/index';
import { throwIfInterrupted } from '../errors';
import { TOOL_VERSION } from '../version';
import { calibrateActivations, fitActQuant, fitActQuantL2, yieldToEvents } from './calibrate';
import { QuantError, type QuantResult } from './common';
import { evaluateAccuracy, sampleBatch, checkSamplesFit, type LabeledSamples } from './evaluate';
import { quantizerSpec, type KnownMethod } from './registry';
import { resolveOptions, type OptionValue, type OptionValues, type QuantizerSpec } from './spec';
import { quantStats } from './stats';

export interface QuantizeProgress {
  step: number;
  steps: number;
  message: string;
}

export interface QuantizeModelOptions {
  method: KnownMethod;
  /** Weight layers kept float: 'first,last' (default), 'none', or names (the tokens 'first'/'last' allowed). */
  keepFloat?: string | string[];
  activations?: 'float' | 'ternary';
  /** Data set spec (`fashion-mnist:test`, …) for calibration and accuracies; loaded unless `dataset` is given. */
  data?: string;
  /** Already loaded samples (takes precedence over loading `data`). */
  dataset?: LabeledSamples;
  seed?: number;
  /** Keep the float weights of ternarized layers as latent tensors (default true). */
  storeLatent?: boolean;
  /** Activation thresholds: 'uniform' (equal trit populations, seed paper Eq. 9; default) or 'l2' (least-squares). */
  actThresholds?: 'uniform' | 'l2';
  /** Samples used for activation calibration (default 256). */
  calibrationSamples?: number;
  /** Samples used for the accuracies in provenance (default 1000). */
  evalSamples?: number;
  /** The method's own options by key (its QuantizerSpec.options: `twnFactor`, `gamma`, …); unset ones take their defaults. */
  options?: Readonly<Record<string, OptionValue | undefined>>;
  onProgress?: (p: QuantizeProgress) => void;
  signal?: AbortSignal;
}

/** Layers whose op may hold ternary weights (its spec's qat.ternary: conv2d, dense) and that carry a weight tensor, in graph order. */
export function weightLayers(layers: readonly Layer[]): Layer[] {
  return layers.filter((l) => OPS[l.op].qat.ternary && l.weights.weight !== undefined);
}

/** Resolves --keep-float into the set of layer names that stay float. */
export function resolveKeepFloat(spec: string | string[] | undefined, layers: readonly Layer[], modelName: string): Set<string> {
  const candidates = weightLayers(layers);
  const tokens = spec === undefined ? ['first', 'last'] : Array.isArray(spec) ? spec : spec.split(',').map((s) => s.trim()).filter(Boolean);
  const keep = new Set<string>();
  if (tokens.length === 1 && tokens[0] === 'none') return keep;
  for (const t of tokens) {
    if (t === 'first') { if (candidates.length) keep.add(candidates[0].name); }
    else if (t === 'last') { if (candidates.length) keep.add(candidates[candidates.length - 1].name); }
    else if (t === 'none') throw new QuantError(`keep-float: 'none' cannot be combined with other entries (got '${tokens.join(',')}')`);
    else if (!layers.some((l) => l.name === t)) {
      throw new QuantError(`keep-float: model '${modelName}' has no layer '${t}' (weight layers: ${candidates.map((l) => l.name).join(', ') || 'none'})`);
    } else keep.add(t);
  }
  return keep;
}

/**
 * One layer's post-training ternarization, exactly as quantizeModel does it (same
 * quantizer context, so stochastic methods draw the same trits): the sensitivity
 * sweep quantizes each layer once through this and assembles models from the pieces.
 */
export function ternarizeLayer(spec: QuantizerSpec, options: OptionValues, layer: Layer, wName: string, w: Float32Array, seed: number): QuantResult {
  return spec.ptq(w, options, { seed, name: `layer '${layer.name}' tensor '${wName}'` });
}

function cloneGraph<T>(g: T): T {
  return structuredClone(g);
}

export async function quantizeModel(float: FloatModel, opts: QuantizeModelOptions): Promise<TnnModel> {
  const spec = quantizerSpec(opts.method);
  const methodOptions = resolveOptions(spec, opts.options);
  const graph = cloneGraph(float.graph);
  const keep = resolveKeepFloat(opts.keepFloat, graph.layers, graph.name);
  const targets = weightLayers(graph.layers).filter((l) => !keep.has(l.name));
  const activations = opts.activations ?? 'float';
  const storeLatent = opts.storeLatent ?? true;
  const ds = opts.dataset ?? (opts.data !== undefined ? loadDataset(opts.data) : undefined);
  if (activations === 'ternary' && !ds) throw new QuantError(`activations: ternary activations need calibration data (--data)`);
  if (ds) checkSamplesFit(float, ds);

  const steps = targets.length + (activations === 'ternary' ? 1 : 0) + (ds ? 2 : 0);
  let step = 0;
  const progress = (message: string) => opts.onProgress?.({ step: ++step, steps, message });
  // Each layer's ternarization is synchronous: yield before it so that a SIGINT/SIGTERM handler can abort between layers.
  const checkAbort = async () => {
    await yieldToEvents();
    throwIfInterrupted(opts.signal, `quantization of '${graph.name}'`);
  };

  // Every float tensor is carried over as is (shared, never written to).
  const tensors = new Map<string, StoredTensor>(float.tensors);
  const layerStats: Record<string, LayerQuantStats> = {};
  for (const layer of targets) {
    await checkAbort();
    const wName = layer.weights.weight;
    const w = float.tensors.get(wName);
    if (!w) throw new QuantError(`${float.source.file}: layer '${layer.name}': weight tensor '${wName}' is missing`);
    const { trits, quant } = ternarizeLayer(spec, methodOptions, layer, wName, w.data, opts.seed ?? 0);
    const tritsName = uniqueName(`${wName}.trits`, tensors);
    tensors.set(tritsName, { kind: 'trits', shape: [...w.shape], count: trits.length, bytes: packTrits(trits) });
    // Kept, the float weights stay under their own name as the latent tensor.
    if (!storeLatent && !graphUses(graph.layers, wName, layer)) tensors.delete(wName);
    layer.weights.weight = tritsName;
    layer.weightQuant = { ...quant, trits: tritsName, ...(storeLatent ? { latent: wName } : {}) };
    layerStats[layer.name] = quantStats(w.data, trits, quant);
    progress(`ternarized ${layer.name} (${layer.op}, ${trits.length} weights)`);
  }

  const model: TnnModel = { graph, tensors, provenance: { toolVersion: TOOL_VERSION, date: '' }, layerStats };
  if (activations === 'ternary' && ds) {
    await checkAbort();
    // Calibrate on the last samples: accuracy is measured on the first ones, so
    // the two do not overlap unless the data set is smaller than both together.
    const n = Math.min(ds.n, opts.calibrationSamples ?? 256);
    await calibrateActivations(model, sampleBatch(ds, ds.n - n, n), { fit: opts.actThresholds === 'l2' ? fitActQuantL2 : fitActQuant, signal: opts.signal });
    progress(`calibrated input activations of ${targets.length} layers on ${n} samples`);
  }

  const options: Record<string, AttrValue> = {
    keepFloat: [...keep].join(',') || 'none',
    activations,
    storeLatent,
  };
  if (opts.seed !== undefined) options.seed = opts.seed;
  // The method options the caller set (defaults are the method's and stay implicit, as before the registry).
  for (const [k, v] of Object.entries(opts.options ?? {})) if (v !== undefined) options[k] = v;
  if (activations === 'ternary') {
    options.calibrationSamples = Math.min(ds?.n ?? 0, opts.calibrationSamples ?? 256);
    options.actThresholds = opts.actThresholds ?? 'uniform';
  }
  model.provenance = {
    sourceFile: basename(float.source.file),
    sourceSha256: float.source.sha256,
    method: opts.method,
    options,
    ...(opts.data ? { dataset: opts.data } : ds ? { dataset: ds.name } : {}),
    toolVersion: TOOL_VERSION,
    date: new Date().toISOString(),
  };
  // Class names from the data set, so `run` and the debugger can say "Ankle boot", not "9".
  if (ds?.labelNames && !graph.labels) graph.labels = [...ds.labelNames];
  if (ds) {
    const evalOpts = { limit: opts.evalSamples ?? 1000, signal: opts.signal };
    const fa = await evaluateAccuracy(float, ds, evalOpts);
    progress(`float accuracy ${(fa.top1 * 100).toFixed(2)} % on ${fa.n} samples`);
    const ta = await evaluateAccuracy(model, ds, evalOpts);
    progress(`ternary accuracy ${(ta.top1 * 100).toFixed(2)} % on ${ta.n} samples`);
    model.provenance.floatAccuracy = fa.top1;
    model.provenance.ternaryAccuracy = ta.top1;
    model.provenance.evalSamples = fa.n;
  }
  await checkAbort();
  return model;
}

function uniqueName(base: string, taken: Map<string, unknown>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}.${i}`;
  return name;
}

/** Whether another layer (or another role) still reads tensor `name` (weight sharing). */
function graphUses(layers: readonly Layer[], name: string, except: Layer): boolean {
  return layers.some((l) => Object.entries(l.weights).some(([role, t]) => t === name && !(l === except && role === 'weight')));
}
