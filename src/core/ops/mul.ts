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
import { broadcastBinary } from '../exec/ops/broadcast';
import { sizeOf, type Tensor } from '../tensor';
import { failLayer } from './attrs';
import { broadcastShapes, fmt } from './geometry';
import { alignedConstant, constantSide, type OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

/** The second operand's shape: the second input, or the constant. */
function operand(layer: Layer, inputs: number[][], scale: number[] | undefined): number[] {
  if (inputs.length === 2 && scale) failLayer(layer, "takes either a second input or a 'scale' weight, not both");
  const y = inputs[1] ?? scale;
  if (!y) failLayer(layer, "needs a second input or a 'scale' weight");
  if (!inputs[1] && y[0] !== 1) failLayer(layer, `constant 'scale' ${fmt(y)} must have 1 in its leading (batch) dim`);
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
  const c = alignedConstant(ctx, node, constIdx, ctx.shapeOf(node, 1 - constIdx), 'constant');
  const name = ctx.addTensor(node.input?.[constIdx] as string, c);
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
  run: (_layer, xs, outShape, w) => broadcastBinary(xs[0], xs[1] ?? (w('scale') as Tensor), outShape, (a, b) => a * b),
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
