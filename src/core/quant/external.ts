/**
 * Externally computed quantization (the PyTorch package's sidecar, see
 * external-sidecar.ts) applied to a FloatModel imported from ONNX by our one
 * importer → TnnModel. The ONNX holds the float-equivalent graph with the latent
 * weights; every RPReLU appears there as the ReLU it replaced.
 *
 * Checks beyond the field validation:
 * - each entry's weight is the weight of exactly one conv2d/dense layer, and its
 *   trits have that weight's shape;
 * - the trits obey the thresholds (seed paper Eq. 6: +1 iff w > Δp, −1 iff w < Δn)
 *   for every deterministic entry; stochastic post-training trits (Eq. 7) only
 *   need sign(w) = trit where nonzero;
 * - post-training entries ('ptq') are re-derived with our own quantizers from the
 *   latent weights: thresholds, scales, γ, μ, σ within 1e-6 relative, trits equal;
 * - an RPReLU is placed on the ReLU that feeds the layer (through pooling/flatten),
 *   with one value per channel; layers sharing that ReLU must agree on it.
 * The source FloatModel is never modified.
 */
import { basename } from 'node:path';
import { packTrits } from '../format/index';
import { inferShapes } from '../ops/index';
import type { FloatModel, Layer, LayerQuantStats, Provenance, StoredTensor, TnnModel, WeightQuant } from '../graph/types';
import type { Tensor } from '../tensor';
import { TOOL_VERSION } from '../version';
import { applyThresholds, QuantError } from './common';
import { quantizeWeights } from './methods';
import { quantizerSpec } from './registry';
import { quantStats } from './stats';
import type { QuantSidecar, SidecarEntry, SidecarRprelu, SidecarWeights } from './external-sidecar';

export { parseQuantSidecar, SIDECAR_FORMAT, SIDECAR_VERSION, type QuantSidecar } from './external-sidecar';

/** Relative tolerance for re-derived post-training numbers (the issue's 1e-6). */
export const REDERIVE_TOLERANCE = 1e-6;
const PASS_THROUGH = new Set(['maxpool', 'avgpool', 'flatten', 'reshape', 'identity']);
const QUANTITIES = ['thresholds.pos', 'thresholds.neg', 'scale.pos', 'scale.neg', 'gamma', 'mu', 'sigma'] as const;
type Quantity = (typeof QUANTITIES)[number];

export interface AssembleReport {
  layers: number;
  ternaryWeights: number;
  ternaryActivations: number;
  rprelu: number;
  /** Trits checked against the thresholds (deterministic entries) or signs (stochastic ptq). */
  tritsChecked: number;
  /** Post-training entries re-derived with Tritscope's quantizers, and the largest relative differences seen. */
  rederived: { layers: number; trits: number; tritMismatches: number; maxRelDiff: Record<Quantity, number> };
}

export interface ExternalOptions {
  /** Names the ONNX file in errors and provenance. */
  modelFile?: string;
  tolerance?: number;
}

const relDiff = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

function uniqueName(base: string, taken: Map<string, unknown>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}.${i}`;
  return name;
}

function pick(w: Pick<WeightQuant, 'thresholds' | 'scale' | 'gamma' | 'mu' | 'sigma'>, q: Quantity): number | null | undefined {
  switch (q) {
    case 'thresholds.pos': return w.thresholds.pos;
    case 'thresholds.neg': return w.thresholds.neg;
    case 'scale.pos': return w.scale.pos;
    case 'scale.neg': return w.scale.neg;
    default: return w[q];
  }
}

class Assembler {
  readonly tensors: Map<string, StoredTensor>;
  readonly layers: Layer[];
  readonly stats: Record<string, LayerQuantStats> = {};
  readonly report: AssembleReport;
  private readonly producers = new Map<string, Layer>();
  private readonly shapes: Map<string, number[]>;
  private readonly rpreluOf = new Map<string, SidecarRprelu>();

  constructor(private readonly float: FloatModel, private readonly side: QuantSidecar, private readonly opts: Required<ExternalOptions>) {
    this.layers = structuredClone(float.graph.layers);
    this.tensors = new Map<string, StoredTensor>(float.tensors);
    for (const l of this.layers) for (const o of l.outputs) this.producers.set(o, l);
    this.shapes = inferShapes(float.graph, (l, role) => float.tensors.get(l.weights[role])?.shape);
    const maxRelDiff = Object.fromEntries(QUANTITIES.map((q) => [q, 0])) as Record<Quantity, number>;
    this.report = { layers: 0, ternaryWeights: 0, ternaryActivations: 0, rprelu: 0, tritsChecked: 0, rederived: { layers: 0, trits: 0, tritMismatches: 0, maxRelDiff } };
  }

  private fail(e: SidecarEntry, field: string, detail: string): never {
    throw new QuantError(`${this.side.file}: ${e.field}${field ? `.${field}` : ''}: ${detail}`);
  }

  private layerFor(e: SidecarEntry): Layer {
    const hits = this.layers.filter((l) => (l.op === 'conv2d' || l.op === 'dense') && l.weights.weight === e.weight);
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) this.fail(e, 'weight', `'${e.weight}' is the weight of ${hits.length} layers (${hits.map((l) => l.name).join(', ')}); shared weights cannot carry one quantization each`);
    const known = this.layers.filter((l) => l.op === 'conv2d' || l.op === 'dense').map((l) => l.weights.weight);
    return this.fail(e, 'weight', `'${e.weight}' is not the weight of any Conv/Gemm in ${this.opts.modelFile} (weights there: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''})`);
  }

  apply(e: SidecarEntry): void {
    const layer = this.layerFor(e);
    this.report.layers++;
    if (e.weights) this.applyWeights(e, layer, e.weights);
    if (e.actQuant) {
      layer.actQuant = { ...e.actQuant };
      this.report.ternaryActivations++;
    }
    if (e.inputRprelu) this.applyRprelu(e, layer, e.inputRprelu);
  }

  private applyWeights(e: SidecarEntry, layer: Layer, w: SidecarWeights): void {
    const latent = this.float.tensors.get(e.weight) as Tensor;
    if (latent.shape.join(',') !== w.shape.join(',')) this.fail(e, 'trits', `shape [${w.shape.join(',')}] differs from weight '${e.weight}' [${latent.shape.join(',')}] in ${this.opts.modelFile}`);
    this.checkTrits(e, latent.data, w);
    const wq: WeightQuant = {
      method: w.method,
      thresholds: { ...w.thresholds },
      scale: { ...w.scale },
      gamma: w.gamma,
      ...(w.mu !== undefined ? { mu: w.mu } : {}),
      ...(w.sigma !== undefined ? { sigma: w.sigma } : {}),
      trits: uniqueName(`${e.weight}.trits`, this.tensors),
      latent: e.weight,
      options: { ...w.options, origin: w.origin },
    };
    if (w.origin === 'ptq') this.rederive(e, latent.data, w);
    this.tensors.set(wq.trits, { kind: 'trits', shape: [...w.shape], count: w.trits.length, bytes: packTrits(w.trits) });
    layer.weights.weight = wq.trits;
    layer.weightQuant = wq;
    this.stats[layer.name] = quantStats(latent.data, w.trits, wq);
    this.report.ternaryWeights++;
  }

  /** Eq. 6 for deterministic entries (float32 weights against the stored numbers, ties to 0); Eq. 7's sign rule for stochastic PTQ. */
  private checkTrits(e: SidecarEntry, latent: Float32Array, w: SidecarWeights): void {
    const t = w.trits;
    if (quantizerSpec(w.method).sampled && w.origin === 'ptq') {
      for (let i = 0; i < t.length; i++) {
        if (t[i] !== 0 && Math.sign(latent[i]) !== t[i]) this.fail(e, 'trits', `trit [${i}] is ${t[i]} for weight ${latent[i]}: stochastic ternarization (Eq. 7) keeps the sign`);
      }
    } else {
      const expect = applyThresholds(latent, w.thresholds.pos, w.thresholds.neg);
      let bad = -1, count = 0;
      for (let i = 0; i < t.length; i++) if (t[i] !== expect[i]) { count++; if (bad < 0) bad = i; }
      if (count) this.fail(e, 'trits', `${count} of ${t.length} trits disobey the thresholds (Eq. 6), first [${bad}]: weight ${latent[bad]}, trit ${t[bad]}, thresholds (${w.thresholds.neg}, ${w.thresholds.pos}) give ${expect[bad]}`);
    }
    this.report.tritsChecked += t.length;
  }

  /** Post-training entries claim to be one of our quantizers: recompute it from the latent weights. */
  private rederive(e: SidecarEntry, latent: Float32Array, w: SidecarWeights): void {
    const num = (k: string) => (typeof w.options[k] === 'number' ? (w.options[k] as number) : undefined);
    // The sidecar names options as the Python package does (factor, t); the registry's keys are twnFactor, ttqT, gamma.
    const given: Record<string, number | undefined> = { gamma: w.gamma ?? undefined, twnFactor: num('factor'), ttqT: num('t') };
    const known = new Set(quantizerSpec(w.method).options.map((o) => o.key));
    const options = Object.fromEntries(Object.entries(given).filter(([k, v]) => v !== undefined && known.has(k)));
    const ours = quantizeWeights(w.method, latent, { seed: num('seed'), options, name: `${this.side.file}: ${e.field}` });
    const r = this.report.rederived;
    for (const q of QUANTITIES) {
      const a = pick(ours.quant, q), b = pick(w, q);
      if ((a ?? null) === null && (b ?? null) === null) continue;
      if (typeof a !== 'number' || typeof b !== 'number') this.fail(e, q, `is ${b ?? 'absent'}; Tritscope's ${w.method} gives ${a ?? 'none'}`);
      const d = relDiff(a, b);
      if (d > this.opts.tolerance) this.fail(e, q, `${b} differs from Tritscope's ${w.method} (${a}) by ${d.toExponential(2)} relative (tolerance ${this.opts.tolerance})`);
      r.maxRelDiff[q] = Math.max(r.maxRelDiff[q], d);
    }
    let mismatches = 0;
    for (let i = 0; i < ours.trits.length; i++) if (ours.trits[i] !== w.trits[i]) mismatches++;
    if (mismatches) this.fail(e, 'trits', `${mismatches} of ${w.trits.length} trits differ from Tritscope's ${w.method}`);
    r.layers++;
    r.trits += w.trits.length;
  }

  /** Turns the ReLU feeding `layer` (through pass-through ops) into the IR's rprelu. */
  private applyRprelu(e: SidecarEntry, layer: Layer, r: SidecarRprelu): void {
    let p = this.producers.get(layer.inputs[0]);
    while (p && PASS_THROUGH.has(p.op)) p = this.producers.get(p.inputs[0]);
    if (!p || (p.op !== 'relu' && !this.rpreluOf.has(p.name))) this.fail(e, 'inputRprelu', `the input of layer '${layer.name}' comes from ${p ? `layer '${p.name}' (${p.op})` : 'the graph input'}, not from the ReLU an RPReLU replaces`);
    const earlier = this.rpreluOf.get(p.name);
    if (earlier) {
      const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
      if (!same(earlier.slope, r.slope) || !same(earlier.shiftIn, r.shiftIn) || !same(earlier.shiftOut, r.shiftOut)) this.fail(e, 'inputRprelu', `layer '${p.name}' feeds several ternary layers whose entries disagree on its RPReLU parameters`);
      return;
    }
    const shape = this.shapes.get(p.outputs[0]) ?? [];
    const channels = shape[1];
    if (r.slope.length !== channels) this.fail(e, 'inputRprelu', `${r.slope.length} values per parameter, but '${p.name}' has ${channels ?? '?'} channels (shape [${shape.join(',')}])`);
    p.op = 'rprelu';
    p.weights = {};
    for (const [role, data] of [['slope', r.slope], ['shiftIn', r.shiftIn], ['shiftOut', r.shiftOut]] as const) {
      const name = uniqueName(`${p.name}.${role}`, this.tensors);
      this.tensors.set(name, { shape: [data.length], data: Float32Array.from(data) });
      p.weights[role] = name;
    }
    this.rpreluOf.set(p.name, r);
    this.report.rprelu++;
  }
}

/** Applies a parsed sidecar to an imported float model; returns the `.tnn` model and what was checked. */
export function applyExternalQuant(float: FloatModel, side: QuantSidecar, options: ExternalOptions = {}): { model: TnnModel; report: AssembleReport } {
  const opts = { modelFile: options.modelFile ?? float.source.file, tolerance: options.tolerance ?? REDERIVE_TOLERANCE };
  const a = new Assembler(float, side, opts);
  for (const e of side.entries) a.apply(e);
  const methods = [...new Set(side.entries.flatMap((e) => (e.weights ? [e.weights.method] : [])))];
  const p = side.provenance;
  const provenance: Provenance = {
    ...p,
    sourceFile: basename(opts.modelFile),
    sourceSha256: float.source.sha256,
    method: typeof p.method === 'string' ? p.method : methods.join(',') || 'activations-only',
    options: (p.options as Record<string, string | number | boolean>) ?? {},
    assembledFrom: basename(side.file),
    toolVersion: TOOL_VERSION,
    date: new Date().toISOString(),
  };
  const graph = { ...structuredClone(float.graph), layers: a.layers };
  if (side.labels) graph.labels = [...side.labels];
  return { model: { graph, tensors: a.tensors, provenance, layerStats: a.stats }, report: a.report };
}
