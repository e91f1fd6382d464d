/**
 * Shape rules of every IR op, shared by the reference executor (to validate each
 * layer before computing it) and by the importers (to resolve SAME padding,
 * Reshape zeros and to reject graphs whose shapes do not infer). Shapes here
 * include the batch dimension (dim 0).
 */
import { ExecutionError } from '../errors';
import type { Graph, Layer } from '../graph/types';
import { sizeOf } from '../tensor';

const fmt = (s: readonly number[]): string => `[${s.join(',')}]`;

function fail(layer: Layer, detail: string): never {
  throw new ExecutionError(`layer '${layer.name}' (${layer.op}): ${detail}`);
}

export function numAttr(layer: Layer, key: string, dflt: number): number {
  const v = layer.attrs[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number') fail(layer, `attribute '${key}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function listAttr(layer: Layer, key: string, dflt: number[]): number[] {
  const v = layer.attrs[key];
  if (v === undefined) return dflt;
  if (!Array.isArray(v)) fail(layer, `attribute '${key}' must be a list of numbers, got ${JSON.stringify(v)}`);
  return v;
}

/** Output size of a sliding window (floor mode, as ONNX with ceil_mode=0). */
export function windowOut(inSize: number, k: number, stride: number, padBegin: number, padEnd: number, dilation = 1): number {
  return Math.floor((inSize + padBegin + padEnd - ((k - 1) * dilation + 1)) / stride) + 1;
}

/** Normalizes a possibly negative axis against a rank; undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** Resolves a per-sample reshape target (may hold one -1 and zeros = copy input dim) against an input shape with batch. */
export function resolveReshape(layer: Layer, input: readonly number[]): number[] {
  const target = listAttr(layer, 'shape', []);
  const perSample = sizeOf(input.slice(1));
  const out = target.map((d, i) => (d === 0 ? input[i + 1] : d));
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => d === undefined || d < -1)) fail(layer, `invalid reshape target ${fmt(target)} for input ${fmt(input)}`);
  if (unknown === 1) {
    const known = sizeOf(out.filter((d) => d !== -1));
    if (known === 0 || perSample % known !== 0) fail(layer, `cannot reshape input ${fmt(input)} to per-sample ${fmt(target)}`);
    out[out.indexOf(-1)] = perSample / known;
  }
  if (sizeOf(out) !== perSample) fail(layer, `cannot reshape input ${fmt(input)} (${perSample} per sample) to per-sample ${fmt(target)}`);
  return [input[0], ...out];
}

/**
 * The output shape of one layer. `weightShape(role)` gives the shape of a weight
 * tensor (dequantized shape for ternary ones) or undefined when absent.
 */
export function layerOutputShape(layer: Layer, inputs: number[][], weightShape: (role: string) => number[] | undefined): number[] {
  const x = inputs[0];
  if (!x) fail(layer, 'has no input');
  const needRank = (r: number): void => {
    if (x.length !== r) fail(layer, `expects a rank-${r} input, got shape ${fmt(x)}`);
  };
  const perChannel = (role: string, optional = false): void => {
    const s = weightShape(role);
    if (!s) {
      if (optional) return;
      fail(layer, `missing weight '${role}'`);
    }
    const c = x.length > 1 ? x[1] : 1;
    const n = sizeOf(s);
    if (n !== c && n !== 1) fail(layer, `weight '${role}' has ${n} elements, expected ${c} (one per channel) or 1`);
  };
  switch (layer.op) {
    case 'conv2d': {
      needRank(4);
      const w = weightShape('weight');
      if (!w || w.length !== 4) fail(layer, `weight must be OIHW (rank 4), got ${w ? fmt(w) : 'none'}`);
      const group = numAttr(layer, 'group', 1);
      const [s0, s1] = listAttr(layer, 'strides', [1, 1]);
      const [pt, pl, pb, pr] = listAttr(layer, 'pads', [0, 0, 0, 0]);
      const [d0, d1] = listAttr(layer, 'dilations', [1, 1]);
      if (x[1] !== w[1] * group) fail(layer, `input has ${x[1]} channels, weight ${fmt(w)} with group ${group} expects ${w[1] * group}`);
      if (w[0] % group !== 0) fail(layer, `output channels ${w[0]} not divisible by group ${group}`);
      const b = weightShape('bias');
      if (b && sizeOf(b) !== w[0]) fail(layer, `bias has ${sizeOf(b)} elements, expected ${w[0]}`);
      const oh = windowOut(x[2], w[2], s0, pt, pb, d0);
      const ow = windowOut(x[3], w[3], s1, pl, pr, d1);
      if (oh < 1 || ow < 1) fail(layer, `kernel ${fmt(w.slice(2))} larger than padded input ${fmt(x)}`);
      return [x[0], w[0], oh, ow];
    }
    case 'dense': {
      const w = weightShape('weight');
      if (!w || w.length !== 2) fail(layer, `weight must be [out,in], got ${w ? fmt(w) : 'none'}`);
      if (x[x.length - 1] !== w[1]) fail(layer, `input shape ${fmt(x)} has ${x[x.length - 1]} features, weight ${fmt(w)} expects ${w[1]}`);
      const b = weightShape('bias');
      if (b && sizeOf(b) !== w[0]) fail(layer, `bias has ${sizeOf(b)} elements, expected ${w[0]}`);
      return [...x.slice(0, -1), w[0]];
    }
    case 'batchnorm':
      for (const r of ['gamma', 'beta', 'mean', 'var']) perChannel(r);
      return [...x];
    case 'prelu':
      perChannel('slope');
      return [...x];
    case 'rprelu':
      for (const r of ['slope', 'shiftIn', 'shiftOut']) perChannel(r);
      return [...x];
    case 'relu':
    case 'leakyrelu':
    case 'clip':
    case 'identity':
      return [...x];
    case 'softmax':
      if (normAxis(numAttr(layer, 'axis', -1), x.length) === undefined) fail(layer, `axis ${layer.attrs.axis} out of range for shape ${fmt(x)}`);
      return [...x];
    case 'maxpool':
    case 'avgpool': {
      needRank(4);
      const [k0, k1] = listAttr(layer, 'kernel', []);
      if (!k0 || !k1) fail(layer, `attribute 'kernel' must hold 2 sizes`);
      const [s0, s1] = listAttr(layer, 'strides', [k0, k1]);
      const [pt, pl, pb, pr] = listAttr(layer, 'pads', [0, 0, 0, 0]);
      const oh = windowOut(x[2], k0, s0, pt, pb);
      const ow = windowOut(x[3], k1, s1, pl, pr);
      if (oh < 1 || ow < 1) fail(layer, `kernel [${k0},${k1}] larger than padded input ${fmt(x)}`);
      return [x[0], x[1], oh, ow];
    }
    case 'globalavgpool':
      needRank(4);
      return [x[0], x[1], 1, 1];
    case 'flatten': {
      const axis = normAxis(numAttr(layer, 'axis', 1), x.length + 1);
      if (axis === undefined) fail(layer, `axis ${layer.attrs.axis} out of range for shape ${fmt(x)}`);
      return [sizeOf(x.slice(0, axis)), sizeOf(x.slice(axis))];
    }
    case 'reshape':
      return resolveReshape(layer, x);
    case 'add': {
      const y = inputs[1];
      if (!y) fail(layer, 'needs two inputs');
      if (fmt(x) !== fmt(y)) fail(layer, `input shapes differ: ${fmt(x)} vs ${fmt(y)} (only equal shapes are supported)`);
      return [...x];
    }
    default:
      return fail(layer, `unknown op '${String(layer.op)}'`);
  }
}

/** Infers every value's shape for a given batch size from graph.inputs[0]. */
export function inferShapes(graph: Graph, weightShape: (layer: Layer, role: string) => number[] | undefined, batch = 1): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const input = graph.inputs[0];
  if (!input) throw new ExecutionError(`graph '${graph.name}' has no input`);
  shapes.set(input.name, [batch, ...input.shape]);
  for (const layer of graph.layers) {
    const ins = layer.inputs.map((n) => {
      const s = shapes.get(n);
      if (!s) fail(layer, `input value '${n}' is not produced by the graph input or an earlier layer`);
      return s;
    });
    const out = layerOutputShape(layer, ins, (role) => weightShape(layer, role));
    for (const o of layer.outputs) shapes.set(o, out);
  }
  return shapes;
}
