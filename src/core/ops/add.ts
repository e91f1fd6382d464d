/** add: y = a + b of two activations of equal shape (ONNX Add; a constant Add after conv/dense folds into its bias). */
import { add as addKernel } from '../exec/ops/elementwise';
import { sizeOf } from '../tensor';
import { failLayer } from './attrs';
import { fmt } from './geometry';
import { constantSide, type OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

/** Two activations become an `add` layer; a constant becomes the bias of the preceding layer that takes one. */
const onnxAdd: OnnxConverter = (ctx, node) => {
  const constIdx = constantSide(ctx, node);
  if (constIdx < 0) {
    ctx.addLayer(node, 'add', [ctx.dynamic(node, 0), ctx.dynamic(node, 1)], {}, {});
    return;
  }
  const dynIdx = 1 - constIdx;
  const x = ctx.dynamic(node, dynIdx);
  const p = ctx.producer.get(x);
  const c = ctx.constFloat(node, constIdx, 'bias');
  const channelAxis = p && ctx.readers.get(node.input?.[dynIdx] as string) === 1 ? ctx.freeBiasAxis(p) : undefined;
  if (!p || channelAxis === undefined) return ctx.fail(node, 'adding a constant is supported only as the bias of a preceding Conv/MatMul/Gemm that has none and feeds only this Add');
  const outShape = ctx.shapes.get(x) as number[];
  const channels = outShape[channelAxis];
  // Right-align the constant's dims with the output's (numpy broadcasting): only the channel axis may be > 1.
  const offset = outShape.length - c.shape.length;
  const ok = offset >= 0 && c.shape.every((d, i) => d === 1 || (i + offset === channelAxis && d === channels));
  if (!ok) ctx.fail(node, `constant of dims [${c.shape}] is not a per-channel bias for output [${outShape}]`);
  const bias = new Float32Array(channels).map((_, i) => c.data[c.data.length === 1 ? 0 : i]);
  p.weights.bias = ctx.addTensor(node.input?.[constIdx] as string, { shape: [channels], data: bias });
  ctx.bindAlias(node.output?.[0] as string, x);
};

export const add: OpSpec = {
  summary: 'element-wise sum of two activations of equal shape (ONNX Add)',
  attrs: {},
  inputs: { min: 2, max: 2 },
  weights: {},
  shape(layer, [x, y]) {
    if (fmt(x) !== fmt(y)) failLayer(layer, `input shapes differ: ${fmt(x)} vs ${fmt(y)} (only equal shapes are supported)`);
    return [...x];
  },
  run: (_layer, [a, b]) => addKernel(a, b),
  cost: { macKind: 'layer', count: ({ outShape }) => ({ macs: 0, additions: sizeOf(outShape) }) },
  onnx: {
    import: { Add: onnxAdd },
    export: { opType: 'Add', build: (_layer, e) => ({ inputs: [e.input(0), e.input(1)], attributes: [] }) },
  },
  tf: { forward: (_layer, ctx, [a, b]) => ctx.tf.add(a, b) },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: false },
};
