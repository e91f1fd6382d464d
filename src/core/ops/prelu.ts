/** prelu: y = x for x ≥ 0, slope·x otherwise, slope per channel (axis 1) or shared (ONNX PRelu). */
import { prelu as preluKernel } from '../exec/ops/elementwise';
import type { Tensor } from '../tensor';
import { checkPerChannel } from './geometry';
import type { OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

const onnxPrelu: OnnxConverter = (ctx, node) => {
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

export const prelu: OpSpec = {
  summary: 'parametric ReLU with a per-channel or shared slope (ONNX PRelu)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: { slope: 'required' },
  shape(layer, [x], ws) {
    checkPerChannel(layer, x, 'slope', ws('slope'));
    return [...x];
  },
  run: (_layer, [x], _out, w) => preluKernel(x, (w('slope') as Tensor).data),
  cost: { notCounted: 'activation: a comparison and a conditional multiply per element, below the cost model\'s resolution' },
  onnx: {
    import: { PRelu: onnxPrelu },
    export: {
      opType: 'PRelu',
      build(_layer, e) {
        const n = e.weightShape('slope')?.reduce((a, b) => a * b, 1) ?? 1;
        // ONNX PRelu broadcasts numpy-style: a per-channel slope must be [C,1,1] for NCHW.
        return { inputs: [e.input(0), e.weight('slope', n > 1 && e.inputShape(0).length === 4 ? [n, 1, 1] : [n])], attributes: [] };
      },
    },
  },
  // A [C] (or [1]) slope broadcasts over the last axis, the channel axis in NHWC and in [N, C].
  tf: { forward: (_layer, ctx, [x]) => ctx.tf.prelu(x, ctx.param('slope') as Parameters<typeof ctx.tf.prelu>[1]) },
  engine: { kind: 'reference' },
  qat: { trainable: ['slope'], ternary: false, passThrough: false },
};
