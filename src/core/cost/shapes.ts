/**
 * Per-sample output-shape inference over the graph IR (NCHW, batch excluded), so
 * the cost model can count MACs without running the model. Conv/pool output size
 * follows the ONNX rule: floor((in + padBegin + padEnd − dilation·(k−1) − 1) / stride) + 1.
 */
import type { Graph, Layer, StoredTensor } from '../graph/types';
import { ExecutionError } from '../errors';
import { sizeOf } from '../tensor';

export type ShapeMap = Map<string, number[]>;

function numList(layer: Layer, key: string, fallback: number[]): number[] {
  const v = layer.attrs[key];
  if (v === undefined) return fallback;
  if (Array.isArray(v) && v.every((x) => Number.isFinite(x))) return v;
  if (typeof v === 'number') return fallback.map(() => v);
  throw new ExecutionError(`layer ${layer.name}: attribute ${key} must be a list of numbers, got ${JSON.stringify(v)}`);
}

function num(layer: Layer, key: string, fallback: number): number {
  const v = layer.attrs[key];
  if (v === undefined) return fallback;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new ExecutionError(`layer ${layer.name}: attribute ${key} must be a number, got ${JSON.stringify(v)}`);
}

/** One spatial output size (ONNX Conv/Pool with floor rounding). */
export function convOutSize(inSize: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation = 1): number {
  return Math.floor((inSize + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

function expectRank(layer: Layer, shape: number[], rank: number): void {
  if (shape.length !== rank)
    throw new ExecutionError(`layer ${layer.name} (${layer.op}): input ${layer.inputs[0]} has shape [${shape}], expected rank ${rank} per sample`);
}

function weightShape(layer: Layer, tensors: Map<string, StoredTensor>): number[] {
  const name = layer.weightQuant?.trits ?? layer.weights.weight;
  const t = name !== undefined ? tensors.get(name) ?? (layer.weights.weight ? tensors.get(layer.weights.weight) : undefined) : undefined;
  if (!t) throw new ExecutionError(`layer ${layer.name} (${layer.op}): weight tensor ${name ?? '(none named)'} not found`);
  return t.shape;
}

/** Output shape of one layer given its per-sample input shapes. */
export function layerOutputShape(layer: Layer, inputs: number[][], tensors: Map<string, StoredTensor>): number[] {
  const x = inputs[0];
  switch (layer.op) {
    case 'conv2d': {
      expectRank(layer, x, 3);
      const w = weightShape(layer, tensors);
      if (w.length !== 4) throw new ExecutionError(`layer ${layer.name}: conv weight has shape [${w}], expected [O, I/group, kH, kW]`);
      const [s, pads, d, group] = [numList(layer, 'strides', [1, 1]), numList(layer, 'pads', [0, 0, 0, 0]), numList(layer, 'dilations', [1, 1]), num(layer, 'group', 1)];
      if (x[0] !== w[1] * group)
        throw new ExecutionError(`layer ${layer.name}: input has ${x[0]} channels, weight expects ${w[1]}×group ${group} = ${w[1] * group}`);
      return [w[0], convOutSize(x[1], w[2], s[0], pads[0], pads[2], d[0]), convOutSize(x[2], w[3], s[1], pads[1], pads[3], d[1])];
    }
    case 'dense': {
      const w = weightShape(layer, tensors);
      const inFeatures = sizeOf(x);
      if (w.length !== 2 || w[1] !== inFeatures)
        throw new ExecutionError(`layer ${layer.name}: dense weight [${w}] does not accept ${inFeatures} input features (expected [out, ${inFeatures}])`);
      return [w[0]];
    }
    case 'maxpool':
    case 'avgpool': {
      expectRank(layer, x, 3);
      const k = numList(layer, 'kernel', [1, 1]);
      const s = numList(layer, 'strides', k);
      const p = numList(layer, 'pads', [0, 0, 0, 0]);
      return [x[0], convOutSize(x[1], k[0], s[0], p[0], p[2]), convOutSize(x[2], k[1], s[1], p[1], p[3])];
    }
    case 'globalavgpool':
      expectRank(layer, x, 3);
      return [x[0], 1, 1];
    case 'flatten': {
      // axis counts the batch dimension (ONNX); per-sample dims before it stay.
      const axis = num(layer, 'axis', 1);
      if (axis < 1) throw new ExecutionError(`layer ${layer.name}: flatten axis ${axis} < 1 would merge the batch dimension`);
      return [...x.slice(0, axis - 1), sizeOf(x.slice(axis - 1))];
    }
    case 'reshape': {
      const target = numList(layer, 'shape', []);
      const known = target.filter((d) => d !== -1);
      const total = sizeOf(x);
      const out = target.map((d) => (d === -1 ? total / sizeOf(known) : d));
      if (sizeOf(out) !== total || !out.every(Number.isInteger))
        throw new ExecutionError(`layer ${layer.name}: cannot reshape [${x}] (${total} elements) to [${target}]`);
      return out;
    }
    case 'add': {
      const y = inputs[1];
      if (y && sizeOf(y) !== sizeOf(x)) throw new ExecutionError(`layer ${layer.name}: add inputs [${x}] and [${y}] differ in shape`);
      return [...x];
    }
    default:
      // Element-wise ops (batchnorm, activations, softmax, identity) keep their shape.
      return [...x];
  }
}

/** Shapes of every value in the graph (per sample, batch excluded). */
export function inferShapes(graph: Graph, tensors: Map<string, StoredTensor>): ShapeMap {
  const shapes: ShapeMap = new Map();
  for (const input of graph.inputs) shapes.set(input.name, [...input.shape]);
  for (const layer of graph.layers) {
    const ins = layer.inputs.map((name) => {
      const s = shapes.get(name);
      if (!s) throw new ExecutionError(`layer ${layer.name} (${layer.op}): input value ${name} is not produced by an earlier layer or graph input`);
      return s;
    });
    if (!ins.length) throw new ExecutionError(`layer ${layer.name} (${layer.op}): has no inputs`);
    const out = layerOutputShape(layer, ins, tensors);
    if (out.some((d) => !(d > 0))) throw new ExecutionError(`layer ${layer.name} (${layer.op}): inferred output shape [${out}] has an empty dimension`);
    for (const o of layer.outputs) shapes.set(o, out);
  }
  return shapes;
}
