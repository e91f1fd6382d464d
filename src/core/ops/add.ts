/**
 * add: y = a + b of two activations of equal shape (ONNX Add; a residual join), or
 * of an activation and a constant `addend` broadcast numpy-style (stored
 * right-aligned with a leading 1 for the batch, as mul's constant). A constant Add
 * right after a conv/dense without a bias folds into that bias instead.
 */
import { broadcastBinary } from '../exec/ops/broadcast';
import { add as addKernel } from '../exec/ops/elementwise';
import { sizeOf, type Tensor } from '../tensor';
import { failLayer } from './attrs';
import { broadcastShapes, fmt } from './geometry';
import { alignedConstant, constantSide, type OnnxConverter } from './onnx-api';
import type { TfTensor } from './tf-api';
import type { OpSpec } from './types';

/** Two activations become an `add` layer; a constant becomes the bias of the preceding layer that takes one, else an addend. */
const onnxAdd: OnnxConverter = (ctx, node) => {
  const constIdx = constantSide(ctx, node);
  if (constIdx < 0) {
    ctx.addLayer(node, 'add', [ctx.dynamic(node, 0), ctx.dynamic(node, 1)], {}, {});
    return;
  }
  const dynIdx = 1 - constIdx;
  const x = ctx.dynamic(node, dynIdx);
  const outShape = ctx.shapeOf(node, dynIdx);
  const c = alignedConstant(ctx, node, constIdx, outShape, 'constant');
  const p = ctx.producer.get(x);
  const axis = p && ctx.readers.get(node.input?.[dynIdx] as string) === 1 ? ctx.freeBiasAxis(p) : undefined;
  // Only the bias axis may be > 1 for the constant to become the producer's bias.
  if (p && axis !== undefined && c.shape.every((d, i) => d === 1 || i === axis)) {
    const channels = outShape[axis];
    const bias = new Float32Array(channels).map((_, i) => c.data[c.data.length === 1 ? 0 : i]);
    p.weights.bias = ctx.addTensor(node.input?.[constIdx] as string, { shape: [channels], data: bias });
    ctx.bindAlias(node.output?.[0] as string, x);
    return;
  }
  ctx.addLayer(node, 'add', [x], {}, { addend: ctx.addTensor(node.input?.[constIdx] as string, c) });
};

export const add: OpSpec = {
  summary: 'element-wise sum of two activations of equal shape, or of an activation and a broadcast constant (ONNX Add)',
  attrs: {},
  inputs: { min: 1, max: 2 },
  weights: { addend: 'optional' },
  shape(layer, inputs, ws) {
    const [x, y] = inputs;
    const c = ws('addend');
    if (y && c) failLayer(layer, "takes either a second input or an 'addend' weight, not both");
    if (y) {
      if (fmt(x) !== fmt(y)) failLayer(layer, `input shapes differ: ${fmt(x)} vs ${fmt(y)} (only equal shapes are supported)`);
      return [...x];
    }
    if (!c) failLayer(layer, "needs a second input or an 'addend' weight");
    const out = c[0] === 1 ? broadcastShapes(x, c) : undefined;
    if (!out || fmt(out) !== fmt(x)) failLayer(layer, `constant 'addend' ${fmt(c)} does not broadcast to the input ${fmt(x)} (equal rank, leading 1, each dim equal or 1)`);
    return out;
  },
  run: (_layer, [a, b], outShape, w) => (b ? addKernel(a, b) : broadcastBinary(a, w('addend') as Tensor, outShape, (u, v) => u + v)),
  cost: { macKind: 'layer', count: ({ outShape }) => ({ macs: 0, additions: sizeOf(outShape) }) },
  onnx: {
    import: { Add: onnxAdd },
    export: { opType: 'Add', build: (layer, e) => ({ inputs: [e.input(0), layer.inputs.length === 2 ? e.input(1) : e.weight('addend')], attributes: [] }) },
  },
  tf: {
    // The addend has the activation's rank: a rank-4 one goes NHWC like the activation.
    toTf: (tf, _role, t) => (t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t),
    fromTf: (tf, _role, t) => (t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t),
    forward: (_layer, ctx, [a, b]) => ctx.tf.add(a, b ?? (ctx.param('addend') as TfTensor)),
  },
  // Two activations: the residual stage of a conv epilogue (the engine checks the other operand is ready).
  engine: { kind: 'reference', epilogue: (layer) => (layer.inputs.length === 2 ? { stage: 'residual' } : undefined) },
  qat: { trainable: [], ternary: false, passThrough: false },
};
