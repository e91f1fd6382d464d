/** softmax: y_i = exp(x_i − max x) / Σ_j exp(x_j − max x) along `axis` (ONNX Softmax, opset ≥ 13 semantics). */
import { softmax as softmaxKernel } from '../exec/ops/elementwise';
import { failLayer, readAttrs, type AttrSchema } from './attrs';
import { fmt, normAxis } from './geometry';
import type { OnnxConverter } from './onnx-api';
import { tfAxis } from './tf-api';
import type { OpSpec } from './types';

const ATTRS = { axis: { kind: 'int', default: -1, help: 'the axis normalized over (may be negative)' } } as const satisfies AttrSchema;

function axisOf(layer: Parameters<OpSpec['shape']>[0], shape: readonly number[]): number {
  const axis = normAxis(readAttrs(layer, ATTRS).axis, shape.length);
  if (axis === undefined) failLayer(layer, `${layer.attrs.axis} is out of range for shape ${fmt(shape)}`, 'axis');
  return axis;
}

const onnxSoftmax: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const rank = ctx.shapeOf(node, 0).length;
  let axis = a.int('axis', ctx.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  // Before opset 13 Softmax flattened everything from `axis` on; that equals a per-axis softmax only on the last axis.
  if (ctx.opset < 13 && axis !== rank - 1) ctx.fail(node, `opset ${ctx.opset} Softmax with axis ${axis} on a rank-${rank} input is not supported (only the last axis)`);
  if (axis === 0) ctx.fail(node, 'softmax across the batch axis is not supported');
  ctx.addLayer(node, 'softmax', [x], { axis }, {});
};

export const softmax: OpSpec = {
  summary: 'numerically stable softmax along an axis (ONNX Softmax)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  outputsProbabilities: true,
  shape(layer, [x]) {
    axisOf(layer, x);
    return [...x];
  },
  run: (layer, [x]) => softmaxKernel(x, axisOf(layer, x.shape)),
  cost: { notCounted: 'exponentials of the classifier head, outside the MAC/addition model (docs/cost-model.md)' },
  onnx: {
    import: { Softmax: onnxSoftmax },
    export: { opType: 'Softmax', build: (layer, e) => ({ inputs: [e.input(0)], attributes: [e.int('axis', readAttrs(layer, ATTRS).axis)] }) },
  },
  tf: {
    forward(layer, ctx, [x]) {
      // TF.js normalizes over the last axis only; the IR channel axis of an NCHW map is NHWC's last.
      if (tfAxis(axisOf(layer, x.shape), x.rank) !== x.rank - 1) failLayer(layer, 'the TF.js translation supports softmax over the channel / last axis only', 'axis');
      return ctx.tf.softmax(x);
    },
  },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: false },
};
