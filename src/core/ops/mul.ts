/**
 * mul: element-wise product with numpy broadcasting (ONNX Mul), of two
 * activations (squeeze-excitation's [N,C,1,1] × [N,C,H,W] gate) or of an
 * activation and a constant `scale` (a per-channel or scalar scale). The
 * constant is stored right-aligned to the activation's rank with a leading 1
 * for the batch (a [C,1,1] ONNX constant becomes [1,C,1,1]), so every consumer
 * broadcasts two tensors of equal rank: out[i] = a[i mod a] · b[i mod b] per axis.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Layer } from '../graph/types';
import { sizeOf, tensor, type Tensor } from '../tensor';
import { failLayer } from './attrs';
import { broadcastShapes, broadcastStrides, fmt } from './geometry';
import { constantSide, type OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

/** The second operand's shape: the second input, or the constant. */
function operand(layer: Layer, inputs: number[][], scale: number[] | undefined): number[] {
  if (inputs.length === 2 && scale) failLayer(layer, "takes either a second input or a 'scale' weight, not both");
  const y = inputs[1] ?? scale;
  if (!y) failLayer(layer, "needs a second input or a 'scale' weight");
  if (!inputs[1] && y[0] !== 1) failLayer(layer, `constant 'scale' ${fmt(y)} must have 1 in its leading (batch) dim`);
  return y;
}

/** Broadcast product over equal-rank operands, walking the output in row-major order with per-operand strides. */
function mulKernel(a: Tensor, b: Tensor, outShape: number[]): Tensor {
  const y = tensor(outShape);
  const sa = broadcastStrides(a.shape, outShape), sb = broadcastStrides(b.shape, outShape);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let ia = 0, ib = 0;
  for (let i = 0; i < y.data.length; i++) {
    y.data[i] = a.data[ia] * b.data[ib];
    // Odometer increment of the output index, moving each operand's offset by its (0 when broadcast) stride.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return y;
}

const onnxMul: OnnxConverter = (ctx, node) => {
  const constIdx = constantSide(ctx, node);
  if (constIdx < 0) {
    const [a, b] = [ctx.shapeOf(node, 0), ctx.shapeOf(node, 1)];
    if (a.length !== b.length) ctx.fail(node, `activations of ranks ${a.length} and ${b.length} ([${a}] and [${b}]); only equal ranks are supported`);
    ctx.addLayer(node, 'mul', [ctx.dynamic(node, 0), ctx.dynamic(node, 1)], {}, {});
    return;
  }
  const x = ctx.dynamic(node, 1 - constIdx);
  const xs = ctx.shapeOf(node, 1 - constIdx);
  const c = ctx.constFloat(node, constIdx, 'scale');
  if (c.shape.length > xs.length) ctx.fail(node, `constant of dims [${c.shape}] has a higher rank than the activation [${xs}]`);
  // Right-align with the activation (numpy broadcasting); a constant must not vary over the batch.
  const shape = [...new Array<number>(xs.length - c.shape.length).fill(1), ...c.shape];
  if (shape[0] !== 1) ctx.fail(node, `constant of dims [${c.shape}] varies along the batch axis; only constants broadcast over the batch are supported`);
  const name = ctx.addTensor(node.input?.[constIdx] as string, { shape, data: c.data });
  ctx.addLayer(node, 'mul', [x], {}, { scale: name });
};

export const mul: OpSpec = {
  summary: 'element-wise product with numpy broadcasting, of two activations or by a constant (ONNX Mul)',
  attrs: {},
  inputs: { min: 1, max: 2 },
  weights: { scale: 'optional' },
  shape(layer, inputs, ws) {
    const x = inputs[0];
    const y = operand(layer, inputs, ws('scale'));
    const out = broadcastShapes(x, y);
    if (!out) failLayer(layer, `shapes ${fmt(x)} and ${fmt(y)} do not broadcast (equal rank, each dim equal or 1)`);
    return out;
  },
  run: (_layer, xs, outShape, w) => mulKernel(xs[0], xs[1] ?? (w('scale') as Tensor), outShape),
  // One float multiply per output element, costed as a float MAC (as batchnorm's a·x + b).
  cost: { macKind: 'float', count: ({ outShape }) => ({ macs: sizeOf(outShape), additions: 0 }) },
  onnx: {
    import: { Mul: onnxMul },
    export: { opType: 'Mul', build: (layer, e) => ({ inputs: [e.input(0), layer.inputs.length === 2 ? e.input(1) : e.weight('scale')], attributes: [] }) },
  },
  tf: {
    // The constant has the activation's rank: a rank-4 one goes NHWC like the activation it multiplies.
    toTf: (tf, _role, t) => (t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t),
    fromTf: (tf, _role, t) => (t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t),
    forward: (_layer, ctx, xs) => ctx.tf.mul(xs[0], (xs[1] ?? ctx.param('scale')) as tfjs.Tensor),
  },
  engine: { kind: 'reference' },
  // The constant is model structure (e.g. HardSwish's 1/6), not a learned scale: QAT keeps it frozen.
  qat: { trainable: [], ternary: false, passThrough: false },
};
