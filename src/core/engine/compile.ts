/**
 * Load-time compilation of a TnnModel for the packed engine: validates every
 * layer, repacks ternary weights into bit-planes, resolves float tensors, and
 * plans which batchnorm/relu layers fuse into the preceding conv/dense
 * epilogue for `run()` (the stepper runs layers one by one instead).
 */
import { ExecutionError } from '../errors';
import { ternarizeActivation } from '../exec/reference';
import { unpackTrits } from '../format/index';
import { isPacked, type Layer, type TnnModel } from '../graph/types';
import { inferShapes, layerOutputShape, OP_TYPES, OPS, specOf, type EngineKernelSet, type EpilogueStage, type LayerRun } from '../ops/index';
import { sizeOf, type Tensor } from '../tensor';
import { makeBatchNorm, plainEpilogue, type Epilogue } from './epilogue';
import type { Kernels } from './kernels';
import { MatmulLayer, type MatmulTrace } from './matmul';
import { maxPool } from './pool';

/** Ops lowered to a GEMM on the packed kernels: the only ones that may carry ternary weights here. */
const MATMUL_OPS = OP_TYPES.filter((op) => OPS[op].engine.kind === 'matmul');

export interface CompiledLayer {
  layer: Layer;
  index: number;
  matmul?: MatmulLayer;
  /** Bias-only epilogue (stepper, unfused). */
  epilogue: Epilogue;
  /** For run(): epilogue with the fused batchnorm/relu/maxpool, and how many following layers it absorbs. */
  fused?: { epilogue: Epilogue; absorbs: number };
  /** A dedicated kernel the op lowers to (e.g. unpadded max pooling); the reference kernel otherwise. */
  run?: LayerRun;
  /** Whether a conv (spatial) matmul: only those absorb a following max pooling. */
  spatial: boolean;
  kernels: Kernels;
  weight(role: string): Tensor | undefined;
}

export interface CompiledModel {
  model: TnnModel;
  layers: CompiledLayer[];
  runtimeWeightBytes: number;
  fp32WeightBytes: number;
}

function fail(layer: Layer, detail: string): never {
  throw new ExecutionError(`packed engine: layer '${layer.name}' (${layer.op}): ${detail}`);
}

function floatTensor(model: TnnModel, layer: Layer, role: string): Tensor | undefined {
  const name = layer.weights[role];
  if (name === undefined) return undefined;
  const t = model.tensors.get(name);
  if (!t) fail(layer, `weight '${role}' names tensor '${name}', which is missing`);
  if (isPacked(t)) fail(layer, `weight '${role}' (tensor '${name}') is packed trits but the layer has no weightQuant; expected a float tensor`);
  return t;
}

function ternaryTrits(model: TnnModel, layer: Layer): { trits: Int8Array; shape: number[] } {
  const wq = layer.weightQuant;
  if (!wq) fail(layer, 'has no weightQuant');
  const t = model.tensors.get(wq.trits);
  if (!t) fail(layer, `trits tensor '${wq.trits}' is missing`);
  if (!isPacked(t)) fail(layer, `tensor '${wq.trits}' is a float tensor; expected packed trits (5 per byte)`);
  if (t.count !== sizeOf(t.shape)) fail(layer, `trits tensor '${wq.trits}' holds ${t.count} trits, shape [${t.shape.join(',')}] needs ${sizeOf(t.shape)}`);
  let trits: Int8Array;
  try {
    trits = unpackTrits(t.bytes, t.count);
  } catch (e) {
    fail(layer, `trits tensor '${wq.trits}': ${(e as Error).message}`);
  }
  if (!(wq.scale.pos >= 0 && wq.scale.neg >= 0)) fail(layer, `weightQuant scales must be finite and ≥ 0, got pos ${wq.scale.pos}, neg ${wq.scale.neg}`);
  return { trits, shape: t.shape };
}

/** Consumers per value name, to decide whether an intermediate can be fused away. */
function consumerCounts(layers: readonly Layer[], outputs: readonly string[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const l of layers) for (const i of l.inputs) n.set(i, (n.get(i) ?? 0) + 1);
  for (const o of outputs) n.set(o, (n.get(o) ?? 0) + 1);
  return n;
}

export function compileModel(model: TnnModel, kernels: Kernels): CompiledModel {
  const graph = model.graph;
  for (const layer of graph.layers) {
    if (layer.weightQuant && specOf(layer).engine.kind !== 'matmul') fail(layer, `ternary weights are only supported on ${MATMUL_OPS.join(' and ')} layers`);
  }
  const ternary = new Map<Layer, { trits: Int8Array; shape: number[] }>();
  for (const layer of graph.layers) if (layer.weightQuant) ternary.set(layer, ternaryTrits(model, layer));
  const weightShape = (layer: Layer, role: string): number[] | undefined =>
    role === 'weight' && layer.weightQuant ? ternary.get(layer)?.shape : floatTensor(model, layer, role)?.shape;
  inferShapes(graph, weightShape, 1); // rejects graphs whose shapes do not chain, before any packing

  let runtimeWeightBytes = 0, fp32WeightBytes = 0;
  // No ternarized activations anywhere: float paths may round differently from the reference (see MatmulLayer).
  const approximate = !graph.layers.some((l) => l.actQuant);
  const layers: CompiledLayer[] = graph.layers.map((layer, index) => {
    const cache = new Map<string, Tensor | undefined>();
    const weight = (role: string): Tensor | undefined => {
      if (!cache.has(role)) cache.set(role, floatTensor(model, layer, role));
      return cache.get(role);
    };
    const c: CompiledLayer = { layer, index, epilogue: plainEpilogue(layer.weightQuant ? weight('bias')?.data : undefined), weight, kernels, spatial: false };
    const lowering = specOf(layer).engine;
    if (lowering.kind === 'reference') {
      c.run = lowering.kernel?.(layer, kernelSet(kernels));
    } else {
      const tw = ternary.get(layer);
      const conv = lowering.geometry(layer);
      c.spatial = conv !== undefined;
      const fw = tw ? undefined : weight('weight');
      if (!tw && !fw) fail(layer, "missing weight 'weight'");
      c.matmul = new MatmulLayer(kernels, layer, tw ? tw.shape : (fw as Tensor).shape,
        { trits: tw?.trits, float: fw?.data, bias: weight('bias')?.data }, conv, approximate);
      runtimeWeightBytes += c.matmul.runtimeBytes;
      fp32WeightBytes += c.matmul.fp32Bytes;
    }
    return c;
  });
  kernels.heap.sealPersistent();
  planFusion(layers, consumerCounts(graph.layers, graph.outputs));
  return { model, layers, runtimeWeightBytes, fp32WeightBytes };
}

/** The engine's dedicated kernels as op modules see them. */
function kernelSet(kernels: Kernels): EngineKernelSet {
  return { maxPool: (x, window, outShape) => maxPool(kernels, x, window, outShape) };
}

/**
 * Epilogue stages in the order the epilogue applies them (epilogue.ts); a chain fuses only in
 * this order. A relu after the residual add is its own step (`reluAfterAdd`).
 */
const STAGE_ORDER = { batchnorm: 0, relu: 1, clip: 2, residual: 3, reluAfterAdd: 4, maxpool: 5 } as const;

/**
 * A residual add can fuse when its other operand exists before the head runs (a graph input
 * or an earlier layer's output, as in ResNet's blocks): that operand's name, else undefined.
 */
function residualOperand(next: Layer, prevOut: string, producer: Map<string, number>, head: number): string | undefined {
  if (next.inputs.length !== 2 || next.inputs[0] === next.inputs[1]) return undefined;
  const other = next.inputs[1 - next.inputs.indexOf(prevOut)];
  const from = producer.get(other);
  return from === undefined || from < head ? other : undefined;
}

/** Applies `stage` to `epi`; the new position in STAGE_ORDER, or undefined when it cannot follow `order`. */
function absorb(epi: Epilogue, stage: EpilogueStage, order: number, ctx: { channels: number; spatial: boolean; residual?: string }): number | undefined {
  switch (stage.stage) {
    case 'batchnorm':
      if (order >= STAGE_ORDER.batchnorm) return undefined;
      epi.bn = makeBatchNorm(stage.gamma, stage.beta, stage.mean, stage.var, stage.epsilon, ctx.channels);
      return STAGE_ORDER.batchnorm;
    case 'relu':
      if (order === STAGE_ORDER.residual) {
        epi.reluAfterAdd = true;
        return STAGE_ORDER.reluAfterAdd;
      }
      if (order >= STAGE_ORDER.relu) return undefined;
      epi.relu = true;
      return STAGE_ORDER.relu;
    case 'clip':
      if (order >= STAGE_ORDER.clip) return undefined;
      epi.clip = { lo: Math.fround(stage.lo), hi: Math.fround(stage.hi) };
      return STAGE_ORDER.clip;
    case 'residual':
      if (order >= STAGE_ORDER.residual || ctx.residual === undefined) return undefined;
      epi.residualOf = ctx.residual;
      return STAGE_ORDER.residual;
    case 'maxpool':
      if (order >= STAGE_ORDER.maxpool || !ctx.spatial) return undefined;
      epi.pool = { kernel: stage.kernel, strides: stage.strides, pads: stage.pads };
      return STAGE_ORDER.maxpool;
  }
}

/**
 * conv/dense → [batchnorm] → [relu] → [clip] → [add residual → [relu]] → [maxpool, after a conv]
 * chains whose intermediates nobody else reads run as one epilogue in run(); each op says which
 * stage it can be (its spec's engine.epilogue).
 */
function planFusion(layers: CompiledLayer[], consumers: Map<string, number>): void {
  // value name → index of the layer producing it (graph inputs are absent: available from the start)
  const producer = new Map<string, number>();
  layers.forEach((c, i) => c.layer.outputs.forEach((o) => producer.set(o, i)));
  for (let i = 0; i < layers.length; i++) {
    const head = layers[i];
    if (!head.matmul) continue; // float and ternary conv/dense alike
    const epi: Epilogue = { ...head.epilogue };
    let absorbs = 0;
    let prev = head;
    let order = -1;
    for (;;) {
      const next: CompiledLayer | undefined = layers[i + 1 + absorbs];
      const prevOut = prev.layer.outputs.length === 1 ? prev.layer.outputs[0] : undefined;
      // next reads prev's only output, which nobody else reads, and produces one value
      if (!next || next.layer.actQuant || next.layer.outputs.length !== 1 || prevOut === undefined ||
          !next.layer.inputs.includes(prevOut) || consumers.get(prevOut) !== 1) break;
      const lowering = specOf(next.layer).engine;
      const stage = lowering.kind === 'reference' ? lowering.epilogue?.(next.layer, (r) => next.weight(r)) : undefined;
      if (!stage || (stage.stage !== 'residual' && next.layer.inputs.length !== 1)) break;
      const residual = stage.stage === 'residual' ? residualOperand(next.layer, prevOut, producer, i) : undefined;
      const at = absorb(epi, stage, order, { channels: head.matmul.weightShape[0], spatial: head.spatial, residual });
      if (at === undefined) break;
      order = at;
      absorbs++;
      prev = next;
    }
    if (absorbs) head.fused = { epilogue: epi, absorbs };
  }
}

/** The output shape of a layer for the given inputs (the reference executor's shape rules). */
export function outputShape(c: CompiledLayer, xs: Tensor[]): number[] {
  const shapes = xs.map((x) => x.shape);
  return layerOutputShape(c.layer, shapes, (role) => (role === 'weight' && c.matmul ? c.matmul.weightShape : c.weight(role)?.shape));
}

/** Runs one graph layer (the stepper's unit; run() passes a fused epilogue), filling `trace` for ternary layers when given. */
export function runLayer(c: CompiledLayer, inputs: Tensor[], trace?: MatmulTrace, epilogue?: Epilogue): Tensor {
  const layer = c.layer;
  let xs = inputs;
  const outShape = outputShape(c, xs);
  if (layer.actQuant && !c.matmul?.ternary) xs = xs.map((x) => ternarizeActivation(x, layer.actQuant!));
  if (c.matmul) return c.matmul.run(xs[0], outShape, epilogue ?? c.epilogue, c.matmul.ternary ? trace : undefined);
  if (c.run) return c.run(xs, outShape);
  return specOf(layer).run(layer, xs, outShape, (role) => c.weight(role));
}
