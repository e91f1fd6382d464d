/** One converter per supported ONNX op: ONNX node → IR layer(s) in the ImportContext. */
import { sizeOf, type Tensor } from '../../tensor';
import type { ImportContext } from './context';
import { Attrs } from './reader';
import { BATCH_DIM } from './shape-folding';
import type { OnnxNode } from './schema';

type Converter = (ctx: ImportContext, node: OnnxNode, a: Attrs) => void;

const FLOAT_MAX = 3.4028234663852886e38; // Clip's open bounds; IR attrs must stay JSON-serializable

function transpose2d(t: Tensor): Tensor {
  const [r, c] = t.shape;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return { shape: [c, r], data: out };
}

/** Explicit [top,left,bottom,right] pads from auto_pad or pads (ONNX order is begins then ends). */
function resolvePads(ctx: ImportContext, node: OnnxNode, a: Attrs, inHW: number[], kernel: number[], strides: number[], dil: number[]): number[] {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = a.ints('pads') ?? [0, 0, 0, 0];
    if (pads.length !== 4) ctx.fail(node, `pads must hold 4 values for 2-D ops, got [${pads}]`);
    return pads;
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') ctx.fail(node, `auto_pad '${autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  const begin: number[] = [], end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const out = Math.ceil(inHW[i] / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - inHW[i]);
    const small = Math.floor(total / 2);
    // SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
    begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
    end.push(autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return [begin[0], begin[1], end[0], end[1]];
}

function pair(ctx: ImportContext, node: OnnxNode, a: Attrs, key: string, dflt: number[]): number[] {
  const v = a.ints(key) ?? dflt;
  if (v.length !== 2) ctx.fail(node, `attribute '${key}' must hold 2 values (only 2-D ops are supported), got [${v}]`);
  return v;
}

const conv: Converter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const xs = ctx.shapeOf(node, 0);
  if (xs.length !== 4) ctx.fail(node, `only 2-D convolution (NCHW input) is supported, input shape is [${xs}]`);
  const w = ctx.constFloat(node, 1, 'weight');
  if (w.shape.length !== 4) ctx.fail(node, `weight must be OIHW (rank 4), got dims [${w.shape}]`);
  const strides = pair(ctx, node, a, 'strides', [1, 1]);
  const dilations = pair(ctx, node, a, 'dilations', [1, 1]);
  const pads = resolvePads(ctx, node, a, xs.slice(2), w.shape.slice(2), strides, dilations);
  const weights: Record<string, string> = { weight: ctx.addTensor(node.input?.[1] as string, w) };
  if (node.input?.[2]) weights.bias = ctx.addTensor(node.input[2], ctx.constFloat(node, 2, 'bias'));
  ctx.addLayer(node, 'conv2d', [x], { strides, pads, dilations, group: a.int('group', 1) }, weights);
};

const gemm: Converter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  if (a.int('transA', 0)) ctx.fail(node, 'transA=1 is not supported (the activation must be [N, in])');
  const b = ctx.constFloat(node, 1, 'B (weight)');
  if (b.shape.length !== 2) ctx.fail(node, `B must be 2-D, got dims [${b.shape}]`);
  const alpha = a.float('alpha', 1), beta = a.float('beta', 1);
  // The IR wants [out, in]: transB=1 already is, transB=0 ([in, out]) is transposed.
  let w = a.int('transB', 0) ? b : transpose2d(b);
  if (alpha !== 1) w = { shape: w.shape, data: w.data.map((v) => v * alpha) };
  const weights: Record<string, string> = { weight: ctx.addTensor(w === b ? (node.input?.[1] as string) : `${node.input?.[1]}.t`, w) };
  if (node.input?.[2]) {
    const c = ctx.constFloat(node, 2, 'C (bias)');
    const out = w.shape[0];
    if (c.data.length !== out && c.data.length !== 1) ctx.fail(node, `C has dims [${c.shape}]; only a bias of ${out} values (or a scalar) is supported`);
    const bias = new Float32Array(out).map((_, i) => beta * c.data[c.data.length === 1 ? 0 : i]);
    weights.bias = ctx.addTensor(node.input[2], { shape: [out], data: bias });
  }
  ctx.addLayer(node, 'dense', [x], {}, weights);
};

const matmul: Converter = (ctx, node) => {
  const x = ctx.dynamic(node, 0);
  const b = ctx.constFloat(node, 1, 'B (weight)');
  if (b.shape.length !== 2) ctx.fail(node, `only a constant 2-D weight is supported as B, got dims [${b.shape}]`);
  ctx.addLayer(node, 'dense', [x], {}, { weight: ctx.addTensor(`${node.input?.[1]}.t`, transpose2d(b)) });
};

/** Add: a constant after a bias-less Conv/MatMul becomes its bias; two activations become an `add` layer. */
const addOp: Converter = (ctx, node) => {
  const [i0, i1] = node.input ?? [];
  const constIdx = ctx.isConst(i0) ? 0 : ctx.isConst(i1) ? 1 : -1;
  if (constIdx < 0) {
    ctx.addLayer(node, 'add', [ctx.dynamic(node, 0), ctx.dynamic(node, 1)], {}, {});
    return;
  }
  const dynIdx = 1 - constIdx;
  const x = ctx.dynamic(node, dynIdx);
  const p = ctx.producer.get(x);
  const c = ctx.constFloat(node, constIdx, 'bias');
  if (!p || (p.op !== 'dense' && p.op !== 'conv2d') || p.weights.bias || ctx.readers.get(node.input?.[dynIdx] as string) !== 1) return ctx.fail(node, 'adding a constant is supported only as the bias of a preceding Conv/MatMul/Gemm that has none and feeds only this Add');
  const outShape = ctx.shapes.get(x) as number[];
  const channels = p.op === 'dense' ? outShape[outShape.length - 1] : outShape[1];
  const channelAxis = p.op === 'dense' ? outShape.length - 1 : 1;
  // Right-align the constant's dims with the output's (numpy broadcasting): only the channel axis may be > 1.
  const offset = outShape.length - c.shape.length;
  const ok = offset >= 0 && c.shape.every((d, i) => d === 1 || (i + offset === channelAxis && d === channels));
  if (!ok) ctx.fail(node, `constant of dims [${c.shape}] is not a per-channel bias for output [${outShape}]`);
  const bias = new Float32Array(channels).map((_, i) => c.data[c.data.length === 1 ? 0 : i]);
  p.weights.bias = ctx.addTensor(node.input?.[constIdx] as string, { shape: [channels], data: bias });
  ctx.bindAlias(node.output?.[0] as string, x);
};

const batchNorm: Converter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  if ((node.output ?? []).slice(1).some((o) => o && ctx.readers.get(o))) ctx.fail(node, 'training-mode outputs (running mean/var) are not supported');
  const roles = ['gamma', 'beta', 'mean', 'var'];
  const weights: Record<string, string> = {};
  roles.forEach((r, i) => (weights[r] = ctx.addTensor(node.input?.[i + 1] as string, ctx.constFloat(node, i + 1, r))));
  ctx.addLayer(node, 'batchnorm', [x], { epsilon: a.float('epsilon', 1e-5) }, weights);
};

const prelu: Converter = (ctx, node) => {
  const x = ctx.dynamic(node, 0);
  const slope = ctx.constFloat(node, 1, 'slope');
  const xs = ctx.shapeOf(node, 0);
  const c = xs.length > 1 ? xs[1] : 1;
  if (slope.data.length !== c && slope.data.length !== 1) ctx.fail(node, `slope of dims [${slope.shape}] must be per channel (${c} values) or a scalar`);
  if (slope.data.length === c && c > 1 && slope.shape.length > 0) {
    // Per-channel slopes must sit on the channel axis once right-aligned with the input.
    const axis = slope.shape.findIndex((d) => d === c) + (xs.length - slope.shape.length);
    if (axis !== 1) ctx.fail(node, `slope of dims [${slope.shape}] does not broadcast along the channel axis of input [${xs}]`);
  }
  const name = ctx.addTensor(node.input?.[1] as string, { shape: [slope.data.length], data: slope.data });
  ctx.addLayer(node, 'prelu', [x], {}, { slope: name });
};

const clip: Converter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  // Opset < 11 carries min/max as attributes; from 11 on as optional constant inputs.
  const lo = ctx.opset < 11 ? a.float('min', -FLOAT_MAX) : (ctx.optionalScalar(node, 1, 'min') ?? -FLOAT_MAX);
  const hi = ctx.opset < 11 ? a.float('max', FLOAT_MAX) : (ctx.optionalScalar(node, 2, 'max') ?? FLOAT_MAX);
  ctx.addLayer(node, 'clip', [x], { min: lo, max: hi }, {});
};

function pool(kind: 'maxpool' | 'avgpool'): Converter {
  return (ctx, node, a) => {
    const x = ctx.dynamic(node, 0);
    const xs = ctx.shapeOf(node, 0);
    if (xs.length !== 4) ctx.fail(node, `only 2-D pooling (NCHW input) is supported, input shape is [${xs}]`);
    if (a.int('ceil_mode', 0)) ctx.fail(node, 'ceil_mode=1 is not supported');
    const dil = a.ints('dilations');
    if (dil && dil.some((d) => d !== 1)) ctx.fail(node, `dilations [${dil}] are not supported for pooling`);
    if (node.output?.[1] && ctx.readers.get(node.output[1])) ctx.fail(node, 'the Indices output is not supported');
    const kernel = pair(ctx, node, a, 'kernel_shape', []);
    const strides = pair(ctx, node, a, 'strides', [1, 1]);
    const pads = resolvePads(ctx, node, a, xs.slice(2), kernel, strides, [1, 1]);
    const attrs: Record<string, number | number[]> = { kernel, strides, pads };
    if (kind === 'avgpool') attrs.countIncludePad = a.int('count_include_pad', 0);
    ctx.addLayer(node, kind, [x], attrs, {});
  };
}

const flatten: Converter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const rank = ctx.shapeOf(node, 0).length;
  let axis = a.int('axis', 1);
  if (axis < 0) axis += rank;
  if (axis !== 1) ctx.fail(node, `Flatten axis ${a.int('axis', 1)} is not supported (only axis 1, which keeps the batch dimension)`);
  ctx.addLayer(node, 'flatten', [x], { axis: 1 }, {});
};

const reshape: Converter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const xs = ctx.shapeOf(node, 0);
  const target = (ctx.opset < 5 ? (a.ints('shape') ?? []) : ctx.constInts(node, 1, 'shape')).map((d, i) => (d === BATCH_DIM && i === 0 ? 0 : d));
  if (target.includes(BATCH_DIM)) ctx.fail(node, 'the batch size may only be the leading dim of the target shape');
  if (a.int('allowzero', 0) && target.includes(0)) ctx.fail(node, 'allowzero=1 with a 0 in the target shape is not supported');
  if (target.length === 0) ctx.fail(node, 'target shape is empty');
  // The first target dim is the batch: 0 (copy), -1, or the batch size 1 of a traced model.
  const [first, ...rest] = target;
  const perSample = sizeOf(xs.slice(1));
  if (first === -1 && rest.includes(-1)) ctx.fail(node, `target shape [${target}] has two -1 entries`);
  const resolved = rest.map((d, i) => (d === 0 ? xs[i + 1] : d));
  if (first !== 0 && first !== -1 && first !== 1) ctx.fail(node, `target shape [${target}] changes the batch dimension; only 0, -1 or 1 are supported there`);
  if (first === -1 && sizeOf(resolved) !== perSample) ctx.fail(node, `target shape [${target}] does not keep the batch dimension of input [${xs}]`);
  const layer = ctx.addLayer(node, 'reshape', [x], { shape: resolved }, {});
  layer.attrs.shape = (ctx.shapes.get(layer.outputs[0]) as number[]).slice(1); // -1 resolved, for simpler consumers
};

const softmax: Converter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const rank = ctx.shapeOf(node, 0).length;
  let axis = a.int('axis', ctx.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  // Before opset 13 Softmax flattened everything from `axis` on; that equals a per-axis softmax only on the last axis.
  if (ctx.opset < 13 && axis !== rank - 1) ctx.fail(node, `opset ${ctx.opset} Softmax with axis ${axis} on a rank-${rank} input is not supported (only the last axis)`);
  if (axis === 0) ctx.fail(node, 'softmax across the batch axis is not supported');
  ctx.addLayer(node, 'softmax', [x], { axis }, {});
};

const passThrough: Converter = (ctx, node) => {
  if (node.op_type === 'Dropout' && node.output?.[1] && ctx.readers.get(node.output[1])) ctx.fail(node, 'the Dropout mask output is not supported');
  ctx.bindAlias(node.output?.[0] as string, ctx.dynamic(node, 0));
};

export const ONNX_CONVERTERS: Record<string, Converter> = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  Add: addOp,
  BatchNormalization: batchNorm,
  Relu: (ctx, node) => void ctx.addLayer(node, 'relu', [ctx.dynamic(node, 0)], {}, {}),
  PRelu: prelu,
  LeakyRelu: (ctx, node, a) => void ctx.addLayer(node, 'leakyrelu', [ctx.dynamic(node, 0)], { alpha: a.float('alpha', 0.01) }, {}),
  Clip: clip,
  MaxPool: pool('maxpool'),
  AveragePool: pool('avgpool'),
  GlobalAveragePool: (ctx, node) => void ctx.addLayer(node, 'globalavgpool', [ctx.dynamic(node, 0)], {}, {}),
  Flatten: flatten,
  Reshape: reshape,
  Softmax: softmax,
  Identity: passThrough,
  Dropout: passThrough,
};
