/**
 * prelu: y = x for x ≥ 0, slope·x otherwise (ONNX PRelu). The slope is per channel
 * (axis 1, shape [C]), shared ([1]), or any constant that broadcasts numpy-style over
 * the input without varying over the batch (stored right-aligned with a leading 1,
 * e.g. [1,1,W] for an ONNX slope [W] beside [N,H,W]).
 */
import { broadcastBinary } from '../exec/ops/broadcast';
import { prelu as preluKernel } from '../exec/ops/elementwise';
import type { Layer } from '../graph/types';
import type { Tensor } from '../tensor';
import { failLayer } from './attrs';
import { broadcastShapes, checkPerChannel, fmt } from './geometry';
import { alignedConstant, type OnnxConverter } from './onnx-api';
import type { TfTensor } from './tf-api';
import type { OpSpec } from './types';

/** A slope of the input's rank is the broadcast form; anything shorter is per channel or shared. */
const broadcastForm = (x: readonly number[], slope: readonly number[]): boolean => slope.length === x.length && x.length > 1;

const onnxPrelu: OnnxConverter = (ctx, node) => {
  const x = ctx.dynamic(node, 0);
  const xs = ctx.shapeOf(node, 0);
  // Before opset 7 a [C] slope meant per channel (Caffe2); from 7 on it broadcasts numpy-style (along the last axis).
  if (ctx.opset < 7) ctx.fail(node, `PRelu of opset ${ctx.opset} (slope broadcasting before numpy rules) is not supported; re-export with opset ≥ 7`);
  const slope = alignedConstant(ctx, node, 1, xs, 'slope');
  const name = node.input?.[1] as string;
  const c = xs.length > 1 ? xs[1] : 1;
  const perChannel = slope.shape.every((d, i) => d === 1 || i === 1);
  // Compact forms the TF.js translation and QAT broadcast over the channel axis: [1] (shared) or [C].
  const stored = slope.data.length === 1 ? { shape: [1], data: slope.data } : perChannel && slope.data.length === c ? { shape: [c], data: slope.data } : slope;
  ctx.addLayer(node, 'prelu', [x], {}, { slope: ctx.addTensor(name, stored) });
};

function checkSlope(layer: Layer, x: number[], s: number[] | undefined): void {
  if (!s || !broadcastForm(x, s)) return checkPerChannel(layer, x, 'slope', s);
  const out = s[0] === 1 ? broadcastShapes(x, s) : undefined;
  if (!out || fmt(out) !== fmt(x)) failLayer(layer, `slope ${fmt(s)} does not broadcast to the input ${fmt(x)} (leading 1, each dim equal or 1)`);
}

export const prelu: OpSpec = {
  summary: 'parametric ReLU with a per-channel, shared or broadcast slope (ONNX PRelu)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: { slope: 'required' },
  shape(layer, [x], ws) {
    checkSlope(layer, x, ws('slope'));
    return [...x];
  },
  run(_layer, [x], outShape, w) {
    const s = w('slope') as Tensor;
    return broadcastForm(x.shape, s.shape) ? broadcastBinary(x, s, outShape, (v, a) => (v >= 0 ? v : v * a)) : preluKernel(x, s.data);
  },
  cost: { notCounted: 'activation: a comparison and a conditional multiply per element, below the cost model\'s resolution' },
  onnx: {
    import: { PRelu: onnxPrelu },
    export: {
      opType: 'PRelu',
      build(_layer, e) {
        const s = e.weightShape('slope') ?? [1];
        const x = e.inputShape(0);
        if (broadcastForm(x, s)) return { inputs: [e.input(0), e.weight('slope')], attributes: [] };
        const n = s.reduce((a, b) => a * b, 1);
        // ONNX PRelu broadcasts numpy-style: a per-channel slope must be [C,1,…] (one 1 per axis after the channel).
        return { inputs: [e.input(0), e.weight('slope', n > 1 ? [n, ...new Array<number>(Math.max(0, x.length - 2)).fill(1)] : [n])], attributes: [] };
      },
    },
  },
  tf: {
    // A [C] (or [1]) slope broadcasts over the last axis, the channel axis in NHWC and in [N, C]; a rank-4 broadcast slope goes NHWC.
    toTf: (tf, _role, t) => (t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t),
    fromTf: (tf, _role, t) => (t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t),
    forward(_layer, ctx, [x]) {
      let s = ctx.param('slope') as TfTensor;
      // Outside NHWC and [N, C], the channel is not the last axis: a [C] slope becomes [C,1,…] (numpy-aligned at axis 1).
      if (s.rank === 1 && s.size > 1 && x.rank !== 2 && x.rank !== 4) s = ctx.tf.reshape(s, [s.size, ...new Array<number>(x.rank - 2).fill(1)]);
      return ctx.tf.prelu(x, s as Parameters<typeof ctx.tf.prelu>[1]);
    },
  },
  engine: { kind: 'reference' },
  qat: { trainable: ['slope'], ternary: false, passThrough: false },
};
