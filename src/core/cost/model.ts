/**
 * Per-layer and whole-model cost of a ternary network under a technology profile
 * (docs/cost-model.md). Counts are per sample (batch 1); what a layer costs is
 * its op's rule (the spec's `cost`, src/core/ops). A layer's MAC kind is from its
 * weight precision (weightQuant present → ternary) and whether its input is
 * ternarized (actQuant present): both → tt, one → tf, neither → ff.
 */
import { isPacked, type Layer, type StoredTensor, type TnnModel } from '../graph/types';
import { sizeOf } from '../tensor';
import { countPackedTrits } from '../format/index';
import { inferShapes, OPS, specOf } from '../ops/index';
import type { CostNumbers, CostOptions, LayerCost, MacCounts, MacKind, ModelCost, OpCost, TechProfile, WeightBits } from './types';

const OP_OF_KIND: Record<MacKind, 'macTT' | 'macTF' | 'macFF'> = { tt: 'macTT', tf: 'macTF', ff: 'macFF' };

/** Value name → shape, batch included (1). */
export type ShapeMap = Map<string, number[]>;

/** A weight role's shape, the packed trits' logical shape for a ternary layer's weight. */
function weightShapeOf(model: TnnModel, layer: Layer, role: string): number[] | undefined {
  const name = role === 'weight' && layer.weightQuant ? layer.weightQuant.trits : layer.weights[role];
  return name === undefined ? undefined : model.tensors.get(name)?.shape;
}

/** 5 trits per byte in the `.tnn` packing: ⌈n/5⌉ bytes, i.e. 1.6 bits per trit. */
export function packedTritBits(trits: number): number {
  return Math.ceil(trits / 5) * 8;
}

function macKindOf(layer: Layer): MacKind {
  const w = layer.weightQuant !== undefined;
  const a = layer.actQuant !== undefined;
  return w && a ? 'tt' : w || a ? 'tf' : 'ff';
}

function countZeros(t: StoredTensor): number {
  if (isPacked(t)) return countPackedTrits(t.bytes, t.count).zero;
  let z = 0;
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) z++;
  return z;
}

/** Zero weights among the MAC weights of a conv/dense layer, or undefined when unknown. */
function zeroWeights(model: TnnModel, layer: Layer, opts: CostOptions): number | undefined {
  if (layer.weightQuant) {
    const stats = model.layerStats?.[layer.name]?.trits ?? opts.tritCounts?.[layer.name];
    if (stats) return stats.zero;
    const t = model.tensors.get(layer.weightQuant.trits);
    return t ? countZeros(t) : undefined;
  }
  const t = layer.weights.weight !== undefined ? model.tensors.get(layer.weights.weight) : undefined;
  return t ? countZeros(t) : undefined;
}

function paramCounts(model: TnnModel, layer: Layer): { ternary: number; macFloat: number; otherFloat: number } {
  let ternary = 0, macFloat = 0, otherFloat = 0;
  const size = (name: string | undefined) => {
    const t = name !== undefined ? model.tensors.get(name) : undefined;
    return t ? sizeOf(t.shape) : 0;
  };
  const wq = layer.weightQuant;
  if (wq) {
    ternary = size(wq.trits);
    otherFloat += 2; // the two scales αp, αn (seed paper Eq. 4–5) stored as float32
  }
  for (const [role, name] of Object.entries(layer.weights)) {
    if (wq && (name === wq.trits || name === wq.latent || role === 'weight')) continue; // latent weights are not needed at inference
    if (role === macWeightRole(layer)) macFloat += size(name);
    else otherFloat += size(name);
  }
  return { ternary, macFloat, otherFloat };
}

function macWeightRole(layer: Layer): string | undefined {
  const rule = OPS[layer.op].cost;
  return 'notCounted' in rule ? undefined : rule.macWeight;
}

function weightBitsOf(p: { ternary: number; macFloat: number; otherFloat: number }): WeightBits {
  const floatBits = 32 * (p.macFloat + p.otherFloat);
  return {
    packed: packedTritBits(p.ternary) + floatBits,
    twoBit: 2 * p.ternary + floatBits,
    int8: 8 * (p.ternary + p.macFloat) + 32 * p.otherFloat, // biases/BN stay 32-bit, as in int8 deployments
    float32: 32 * (p.ternary + p.macFloat + p.otherFloat),
  };
}

function emptyMacs(): MacCounts {
  return { tt: 0, tf: 0, ff: 0, total: 0 };
}

function cost(op: OpCost, n: number, field: 'energyPj' | 'transistors'): number {
  return n * op[field].value;
}

/** Cost of one layer given the graph's inferred shapes. */
export function layerCost(model: TnnModel, layer: Layer, profile: TechProfile, shapes: ShapeMap, opts: CostOptions = {}): LayerCost {
  const inShapes = layer.inputs.map((n) => shapes.get(n) ?? []);
  const outShape = shapes.get(layer.outputs[0]) ?? inShapes[0] ?? [];
  const macs = emptyMacs();
  let additions = 0;
  let macKind: MacKind | null = null;
  let macWeights = 0;
  const rule = specOf(layer).cost;
  if (!('notCounted' in rule)) {
    const work = rule.count({ layer, inShapes, outShape, weightShape: (role) => weightShapeOf(model, layer, role) });
    additions = work.additions;
    if (work.macs > 0) {
      macKind = rule.macKind === 'float' ? 'ff' : macKindOf(layer);
      macs[macKind] = work.macs;
    }
    if (rule.macWeight !== undefined) macWeights = sizeOf(weightShapeOf(model, layer, rule.macWeight) ?? [0]);
  }
  macs.total = macs.tt + macs.tf + macs.ff;

  const zeros = macWeights ? zeroWeights(model, layer, opts) : undefined;
  const sw = zeros !== undefined && macWeights ? zeros / macWeights : null;
  const measuredA = opts.activationSparsity?.[layer.name];
  const sa = macWeights && measuredA !== undefined ? measuredA : null;
  // Expected MACs with a zero operand, weights and activations independent (assumption).
  const skippableMacs = macWeights ? Math.round(macs.total * (1 - (1 - (sw ?? 0)) * (1 - (sa ?? 0)))) : 0;

  const params = paramCounts(model, layer);
  const weightBits = weightBitsOf(params);
  const { ops } = profile;
  let energyPj = cost(ops.add, additions, 'energyPj');
  let transistorOps = cost(ops.add, additions, 'transistors');
  for (const k of ['tt', 'tf', 'ff'] as const) {
    energyPj += cost(ops[OP_OF_KIND[k]], macs[k], 'energyPj');
    transistorOps += cost(ops[OP_OF_KIND[k]], macs[k], 'transistors');
  }
  const skipSaving = macKind && macWeights ? cost(ops[OP_OF_KIND[macKind]], skippableMacs, 'energyPj') : 0;
  return {
    name: layer.name,
    op: layer.op,
    outputShape: outShape.slice(1), // per sample
    macKind,
    peTransistors: macKind ? ops[OP_OF_KIND[macKind]].transistors.value : 0,
    macs,
    additions,
    params: { ternary: params.ternary, float: params.macFloat + params.otherFloat },
    weightBits,
    memoryBits: weightBits[profile.weightEncoding],
    zeroSkip: { weightZeroFraction: sw, activationZeroFraction: sa, skippableMacs },
    energyPj,
    energySkipPj: energyPj - skipSaving,
    transistorOps,
  };
}

/** Sum layer costs; zero fractions of the total are weighted by MAC weights / MACs. */
export function sumCosts(layers: readonly CostNumbers[]): CostNumbers {
  const t: CostNumbers = {
    macs: emptyMacs(),
    additions: 0,
    params: { ternary: 0, float: 0 },
    weightBits: { packed: 0, twoBit: 0, int8: 0, float32: 0 },
    memoryBits: 0,
    zeroSkip: { weightZeroFraction: null, activationZeroFraction: null, skippableMacs: 0 },
    energyPj: 0,
    energySkipPj: 0,
    transistorOps: 0,
  };
  let macsW = 0, zeroW = 0, macsA = 0, zeroA = 0;
  for (const l of layers) {
    for (const k of ['tt', 'tf', 'ff', 'total'] as const) t.macs[k] += l.macs[k];
    t.additions += l.additions;
    t.params.ternary += l.params.ternary;
    t.params.float += l.params.float;
    for (const k of ['packed', 'twoBit', 'int8', 'float32'] as const) t.weightBits[k] += l.weightBits[k];
    t.memoryBits += l.memoryBits;
    t.zeroSkip.skippableMacs += l.zeroSkip.skippableMacs;
    t.energyPj += l.energyPj;
    t.energySkipPj += l.energySkipPj;
    t.transistorOps += l.transistorOps;
    if (l.zeroSkip.weightZeroFraction !== null) { macsW += l.macs.total; zeroW += l.zeroSkip.weightZeroFraction * l.macs.total; }
    if (l.zeroSkip.activationZeroFraction !== null) { macsA += l.macs.total; zeroA += l.zeroSkip.activationZeroFraction * l.macs.total; }
  }
  if (macsW) t.zeroSkip.weightZeroFraction = zeroW / macsW;
  if (macsA) t.zeroSkip.activationZeroFraction = zeroA / macsA;
  return t;
}

/** Cost of every layer and the total under `profile`. */
export function modelCost(model: TnnModel, profile: TechProfile, opts: CostOptions = {}): ModelCost {
  const shapes = inferShapes(model.graph, (layer, role) => weightShapeOf(model, layer, role), 1);
  const layers = model.graph.layers.map((l) => layerCost(model, l, profile, shapes, opts));
  return { profile: { id: profile.id, name: profile.name, weightEncoding: profile.weightEncoding }, layers, totals: sumCosts(layers) };
}
