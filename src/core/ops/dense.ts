/** dense: y = x·Wᵀ + b over the last axis (ONNX Gemm with transB=1, or MatMul by a constant), W is [out, in]. */
import type * as tfjs from '@tensorflow/tfjs';
import { dense as denseKernel } from '../exec/ops/conv';
import { sizeOf, type Tensor } from '../tensor';
import { failLayer } from './attrs';
import { fmt } from './geometry';
import { transpose2d, type OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

const gemm: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  // transA would make the activation's second dim the rows of the result: the batch would change.
  if (a.int('transA', 0)) ctx.fail(node, "attribute 'transA' is 1: the activation A must be [batch, in] (a transposed A moves the batch axis)");
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
    // Numpy broadcasting of C to [M, out]: right-aligned, so a rank-2 C's first dim runs along the rows (the batch).
    const cols = c.shape.length ? c.shape[c.shape.length - 1] : 1;
    if (c.shape.length > 2 || (c.shape.length === 2 && c.shape[0] !== 1)) ctx.fail(node, `C of dims [${c.shape}] varies along the rows (the batch axis); only a C that broadcasts over the rows ([${out}], [1,${out}], [1,1] or a scalar) is supported`);
    if (cols !== out && cols !== 1) ctx.fail(node, `C of dims [${c.shape}] does not broadcast to [M,${out}]`);
    const bias = new Float32Array(out).map((_, i) => beta * c.data[cols === 1 ? 0 : i]);
    weights.bias = ctx.addTensor(node.input[2], { shape: [out], data: bias });
  }
  ctx.addLayer(node, 'dense', [x], {}, weights);
};

const matmul: OnnxConverter = (ctx, node) => {
  const x = ctx.dynamic(node, 0);
  const b = ctx.constFloat(node, 1, 'B (weight)');
  if (b.shape.length !== 2) ctx.fail(node, `only a constant 2-D weight is supported as B, got dims [${b.shape}]`);
  ctx.addLayer(node, 'dense', [x], {}, { weight: ctx.addTensor(`${node.input?.[1]}.t`, transpose2d(b)) });
};

export const dense: OpSpec = {
  summary: 'fully connected layer y = x·Wᵀ + b over the last axis (ONNX Gemm transB=1 / MatMul)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: { weight: 'required', bias: 'optional' },
  biasAxis: 'last',
  shape(layer, [x], ws) {
    const w = ws('weight');
    if (!w || w.length !== 2) failLayer(layer, `weight must be [out,in], got ${w ? fmt(w) : 'none'}`);
    if (x[x.length - 1] !== w[1]) failLayer(layer, `input shape ${fmt(x)} has ${x[x.length - 1]} features, weight ${fmt(w)} expects ${w[1]}`);
    const b = ws('bias');
    if (b && sizeOf(b) !== w[0]) failLayer(layer, `bias has ${sizeOf(b)} elements, expected ${w[0]}`);
    return [...x.slice(0, -1), w[0]];
  },
  run: (_layer, [x], outShape, w) => denseKernel(x, w('weight') as Tensor, w('bias')?.data, outShape),
  // One MAC per weight for each row: out elements × in features; the bias one addition per output.
  cost: {
    macWeight: 'weight',
    macKind: 'layer',
    count: ({ layer, outShape, weightShape }) => ({
      macs: sizeOf(outShape) * ((weightShape('weight') ?? [0, 0])[1] ?? 0),
      additions: layer.weights.bias !== undefined ? sizeOf(outShape) : 0,
    }),
  },
  onnx: {
    import: { Gemm: gemm, MatMul: matmul },
    export: {
      opType: 'Gemm',
      build(layer, e) {
        if (e.inputShape(0).length !== 2) e.fail(`Gemm needs a rank-2 input, got [${e.inputShape(0)}]`);
        const inputs = [e.input(0), e.weight('weight'), ...(layer.weights.bias ? [e.weight('bias')] : [])];
        return { inputs, attributes: [e.float('alpha', 1), e.float('beta', 1), e.int('transB', 1)] };
      },
    },
  },
  tf: {
    toTf: (tf, role, t) => (role === 'weight' ? tf.transpose(t) : t), // [out,in] → [in,out]
    fromTf: (tf, role, t) => (role === 'weight' ? tf.transpose(t) : t),
    forward(layer, ctx, [x]) {
      if (x.rank !== 2) failLayer(layer, `the TF.js translation expects a rank-2 input, got rank ${x.rank}`);
      const y = ctx.tf.matMul(x as tfjs.Tensor2D, ctx.param('weight') as tfjs.Tensor2D);
      const bias = ctx.param('bias');
      return bias ? ctx.tf.add(y, bias) : y;
    },
  },
  engine: { kind: 'matmul', geometry: () => undefined },
  qat: { trainable: ['weight', 'bias'], ternary: true, passThrough: false },
  describe(_layer, ws) {
    const w = ws('weight');
    return w && w.length === 2 ? `${w[1]}→${w[0]}` : '';
  },
};
