/**
 * conv2d: 2-D convolution (ONNX Conv), NCHW input, OIHW weight with I = C/group,
 * optional bias [O]. y[n,o,i,j] = b[o] + Σ_{c,ky,kx} x[n, g·I+c, i·s0−pt+ky·d0, j·s1−pl+kx·d1] · w[o,c,ky,kx].
 */
import type * as tfjs from '@tensorflow/tfjs';
import { conv2d as convKernel } from '../exec/ops/conv';
import type { Layer } from '../graph/types';
import { sizeOf, type Tensor } from '../tensor';
import { failLayer, nonNegInts, posInts, readAttrs, type AttrSchema } from './attrs';
import { fmt, needRank, windowOut } from './geometry';
import { pair, resolvePads, type OnnxConverter } from './onnx-api';
import type { ConvGeometry, OpSpec } from './types';

const ATTRS = {
  strides: posInts(2, [1, 1], 'window step along H and W'),
  pads: nonNegInts(4, [0, 0, 0, 0], 'zero padding: top, left, bottom, right'),
  dilations: posInts(2, [1, 1], 'spacing between kernel taps along H and W'),
  group: { kind: 'int', min: 1, default: 1, help: 'channel groups (group = C is a depthwise conv)' },
} as const satisfies AttrSchema;

export function convGeometry(layer: Layer): ConvGeometry {
  const a = readAttrs(layer, ATTRS);
  return { strides: a.strides, pads: a.pads, dilations: a.dilations, group: a.group };
}

const onnxConv: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const xs = ctx.shapeOf(node, 0);
  if (xs.length !== 4) ctx.fail(node, `only 2-D convolution (NCHW input) is supported, input shape is [${xs}]`);
  const w = ctx.constFloat(node, 1, 'weight');
  if (w.shape.length !== 4) ctx.fail(node, `weight must be OIHW (rank 4), got dims [${w.shape}]`);
  const kernel = a.ints('kernel_shape');
  if (kernel && kernel.join(',') !== w.shape.slice(2).join(',')) ctx.fail(node, `attribute 'kernel_shape' [${kernel}] differs from the weight's spatial dims [${w.shape.slice(2)}]`);
  const strides = pair(ctx, node, a, 'strides', [1, 1]);
  const dilations = pair(ctx, node, a, 'dilations', [1, 1]);
  const pads = resolvePads(ctx, node, a, xs.slice(2), w.shape.slice(2), strides, dilations);
  const weights: Record<string, string> = { weight: ctx.addTensor(node.input?.[1] as string, w) };
  if (node.input?.[2]) weights.bias = ctx.addTensor(node.input[2], ctx.constFloat(node, 2, 'bias'));
  ctx.addLayer(node, 'conv2d', [x], { strides, pads, dilations, group: a.int('group', 1) }, weights);
};

export const conv2d: OpSpec = {
  summary: '2-D convolution (ONNX Conv): NCHW input, OIHW weight, optional bias',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: { weight: 'required', bias: 'optional' },
  biasAxis: 'channel',
  shape(layer, [x], ws) {
    needRank(layer, x, 4);
    const w = ws('weight');
    if (!w || w.length !== 4) failLayer(layer, `weight must be OIHW (rank 4), got ${w ? fmt(w) : 'none'}`);
    const { strides: [s0, s1], pads: [pt, pl, pb, pr], dilations: [d0, d1], group } = convGeometry(layer);
    if (x[1] !== w[1] * group) failLayer(layer, `input has ${x[1]} channels, weight ${fmt(w)} with group ${group} expects ${w[1] * group}`);
    if (w[0] % group !== 0) failLayer(layer, `output channels ${w[0]} not divisible by group ${group}`);
    const b = ws('bias');
    if (b && sizeOf(b) !== w[0]) failLayer(layer, `bias has ${sizeOf(b)} elements, expected ${w[0]}`);
    const oh = windowOut(x[2], w[2], s0, pt, pb, d0);
    const ow = windowOut(x[3], w[3], s1, pl, pr, d1);
    if (oh < 1 || ow < 1) failLayer(layer, `kernel ${fmt(w.slice(2))} larger than padded input ${fmt(x)}`);
    return [x[0], w[0], oh, ow];
  },
  run: (layer, [x], outShape, w) => convKernel(x, w('weight') as Tensor, w('bias')?.data, convGeometry(layer), outShape),
  // Each output element takes one MAC per weight of its filter, ∏ w[1..]; the bias one addition.
  cost: {
    macWeight: 'weight',
    macKind: 'layer',
    count: ({ layer, outShape, weightShape }) => ({
      macs: sizeOf(outShape) * sizeOf((weightShape('weight') ?? []).slice(1)),
      additions: layer.weights.bias !== undefined ? sizeOf(outShape) : 0,
    }),
  },
  onnx: {
    import: { Conv: onnxConv },
    export: {
      opType: 'Conv',
      build(layer, e) {
        const g = convGeometry(layer);
        const w = e.weightShape('weight') ?? [];
        const inputs = [e.input(0), e.weight('weight'), ...(layer.weights.bias ? [e.weight('bias')] : [])];
        return { inputs, attributes: [e.int('group', g.group), e.ints('dilations', g.dilations), e.ints('kernel_shape', w.slice(2)), e.ints('pads', g.pads), e.ints('strides', g.strides)] };
      },
    },
  },
  tf: {
    check(layer) {
      const g = convGeometry(layer);
      if (g.strides.some((s) => s !== 1) && g.dilations.some((d) => d !== 1)) return 'TF.js convolutions cannot combine strides > 1 with dilations > 1';
      return undefined;
    },
    checkTraining: (layer) => (convGeometry(layer).dilations.some((d) => d !== 1) ? 'TF.js has no gradient for dilated convolutions (dilations > 1), so QAT cannot train this layer' : undefined),
    toTf: (tf, role, t) => (role === 'weight' ? tf.transpose(t, [2, 3, 1, 0]) : t), // OIHW → HWIO
    fromTf: (tf, role, t) => (role === 'weight' ? tf.transpose(t, [3, 2, 0, 1]) : t), // HWIO → OIHW
    forward(layer, ctx, [x]) {
      const tf = ctx.tf;
      const { strides, pads: [t, l, b, r], dilations, group } = convGeometry(layer);
      const pad = t || l || b || r ? ([[0, 0], [t, b], [l, r], [0, 0]] as [number, number][]) : 'valid';
      const w = ctx.param('weight') as tfjs.Tensor4D; // HWIO, I = C / group
      const s = strides as [number, number], d = dilations as [number, number];
      let y: tfjs.Tensor4D;
      if (group === 1) y = tf.conv2d(x as tfjs.Tensor4D, w, s, pad as 'valid', 'NHWC', d);
      else if (w.shape[2] === 1) {
        // Depthwise (one input channel per group): HWIO [kh,kw,1,C·m] is TF's [kh,kw,C,m], output channel c·m + j in both.
        const dw = tf.reshape(w, [w.shape[0], w.shape[1], group, w.shape[3] / group]) as tfjs.Tensor4D;
        y = tf.depthwiseConv2d(x as tfjs.Tensor4D, dw, s, pad as 'valid', 'NHWC', d);
      } else {
        // Grouped: each slice of C/group input channels convolved with its O/group filters, joined along the channels.
        const xs = tf.split(x, group, 3) as tfjs.Tensor4D[], ws = tf.split(w, group, 3) as tfjs.Tensor4D[];
        y = tf.concat(xs.map((xi, i) => tf.conv2d(xi, ws[i], s, pad as 'valid', 'NHWC', d)), 3);
      }
      const bias = ctx.param('bias');
      return bias ? tf.add(y, bias) : y;
    },
  },
  engine: { kind: 'matmul', geometry: convGeometry },
  qat: { trainable: ['weight', 'bias'], ternary: true, passThrough: false },
  describe(layer, ws) {
    const w = ws('weight');
    return w && w.length === 4 ? `${w[1] * convGeometry(layer).group}→${w[0]} ${w[2]}×${w[3]}` : '';
  },
};
