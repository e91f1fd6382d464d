/**
 * Load-time compilation of a TnnModel for the packed engine: validates every
 * layer, repacks ternary weights into bit-planes, resolves float tensors, and
 * plans which batchnorm/relu layers fuse into the preceding conv/dense
 * epilogue for `run()` (the stepper runs layers one by one instead).
 */
import { ExecutionError } from '../errors';
import { runFloatLayer, ternarizeActivation } from '../exec/reference';
import { inferShapes, layerOutputShape, listAttr, numAttr } from '../exec/shapes';
import { unpackTrits } from '../format/index';
import { isPacked, type Layer, type OpType, type TnnModel } from '../graph/types';
import { sizeOf, type Tensor } from '../tensor';
import { makeBatchNorm, plainEpilogue, type Epilogue } from './epilogue';
import type { Kernels } from './kernels';
import { MatmulLayer, type MatmulTrace } from './matmul';
import { maxPool } from './pool';

export const SUPPORTED_OPS: readonly OpType[] = [
  'conv2d', 'dense', 'batchnorm', 'relu', 'prelu', 'rprelu', 'leakyrelu', 'clip', 'maxpool', 'avgpool',
  'globalavgpool', 'flatten', 'reshape', 'add', 'softmax', 'identity',
];

export interface CompiledLayer {
  layer: Layer;
  index: number;
  matmul?: MatmulLayer;
  /** Bias-only epilogue (stepper, unfused). */
  epilogue: Epilogue;
  /** For run(): epilogue with the fused batchnorm/relu, and how many following layers it absorbs. */
  fused?: { epilogue: Epilogue; absorbs: number };
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
    if (!SUPPORTED_OPS.includes(layer.op)) fail(layer, `op '${String(layer.op)}' is not supported (expected one of ${SUPPORTED_OPS.join(', ')})`);
    if (layer.weightQuant && layer.op !== 'conv2d' && layer.op !== 'dense') fail(layer, 'ternary weights are only supported on conv2d and dense layers');
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
    const c: CompiledLayer = { layer, index, epilogue: plainEpilogue(layer.weightQuant ? weight('bias')?.data : undefined), weight, kernels };
    if (layer.op === 'conv2d' || layer.op === 'dense') {
      const tw = ternary.get(layer);
      const conv = layer.op === 'conv2d'
        ? { strides: listAttr(layer, 'strides', [1, 1]), pads: listAttr(layer, 'pads', [0, 0, 0, 0]), dilations: listAttr(layer, 'dilations', [1, 1]), group: numAttr(layer, 'group', 1) }
        : undefined;
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

/**
 * `next` adds prev's output (read by nobody else) to a value that exists before layer `head` runs:
 * the name of that value, else undefined.
 */
function residualOperand(next: CompiledLayer, prev: CompiledLayer, consumers: Map<string, number>, producer: Map<string, number>, head: number): string | undefined {
  const l = next.layer, out = prev.layer.outputs;
  if (l.op !== 'add' || l.actQuant || l.inputs.length !== 2 || l.outputs.length !== 1 || out.length !== 1 || consumers.get(out[0]) !== 1) return undefined;
  const at = l.inputs.indexOf(out[0]);
  if (at < 0 || l.inputs[0] === l.inputs[1]) return undefined;
  const other = l.inputs[1 - at];
  const from = producer.get(other);
  return from === undefined || from < head ? other : undefined;
}

/**
 * conv/dense → [batchnorm] → [relu] → [clip] → [add residual → [relu]] → [maxpool] chains whose intermediates nobody else
 * reads run as one epilogue in run().
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
    const channels = head.matmul.weightShape[0];
    const canFollow = (next: CompiledLayer | undefined, prev: CompiledLayer): next is CompiledLayer =>
      !!next && !next.layer.actQuant && next.layer.inputs.length === 1 && next.layer.outputs.length === 1 &&
      prev.layer.outputs.length === 1 && next.layer.inputs[0] === prev.layer.outputs[0] && consumers.get(prev.layer.outputs[0]) === 1;
    let prev = head;
    let next: CompiledLayer | undefined = layers[i + 1];
    if (canFollow(next, prev) && next.layer.op === 'batchnorm') {
      const w = (r: string): Float32Array => (next as CompiledLayer).weight(r)?.data as Float32Array;
      epi.bn = makeBatchNorm(w('gamma'), w('beta'), w('mean'), w('var'), numAttr(next.layer, 'epsilon', 1e-5), channels);
      absorbs++;
      prev = next;
      next = layers[i + 1 + absorbs];
    }
    if (canFollow(next, prev) && next.layer.op === 'relu') {
      epi.relu = true;
      absorbs++;
      prev = next;
      next = layers[i + 1 + absorbs];
    }
    if (canFollow(next, prev) && next.layer.op === 'clip') {
      epi.clip = { lo: Math.fround(numAttr(next.layer, 'min', -Infinity)), hi: Math.fround(numAttr(next.layer, 'max', Infinity)) };
      absorbs++;
      prev = next;
      next = layers[i + 1 + absorbs];
    }
    // → add(residual) → [relu], the residual computed before this layer runs (ResNet's blocks)
    const residual = next && residualOperand(next, prev, consumers, producer, i);
    if (next && residual !== undefined) {
      epi.residualOf = residual;
      absorbs++;
      prev = next;
      next = layers[i + 1 + absorbs];
      if (canFollow(next, prev) && next.layer.op === 'relu') {
        epi.reluAfterAdd = true;
        absorbs++;
        prev = next;
        next = layers[i + 1 + absorbs];
      }
    }
    // conv → [bn] → [relu] → maxpool: pooled straight from engine memory
    if (head.layer.op === 'conv2d' && canFollow(next, prev) && next.layer.op === 'maxpool') {
      const kernel = listAttr(next.layer, 'kernel', []);
      epi.pool = { kernel, strides: listAttr(next.layer, 'strides', kernel), pads: listAttr(next.layer, 'pads', [0, 0, 0, 0]) };
      absorbs++;
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
  // Max pooling has a SIMD kernel; every other non-matmul op is the reference executor's own code.
  if (layer.op === 'maxpool') {
    const kernel = listAttr(layer, 'kernel', []);
    return maxPool(c.kernels, xs[0], { kernel, strides: listAttr(layer, 'strides', kernel), pads: listAttr(layer, 'pads', [0, 0, 0, 0]) }, outShape);
  }
  return runFloatLayer(layer, xs, outShape, (role) => c.weight(role));
}
