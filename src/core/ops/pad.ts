/**
 * pad: pads each sample (ONNX Pad) in constant, reflect or edge mode. `pads` lists
 * the begin pads of every axis, then the end pads (ONNX order, batch included and
 * 0 there). Reflect mirrors without repeating the border (numpy 'reflect'); edge
 * repeats the border value.
 */
import type { Layer } from '../graph/types';
import { tensor, type Tensor } from '../tensor';
import { failLayer, readAttrs, type AttrSchema } from './attrs';
import { fmt } from './geometry';
import type { OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

const MODES = ['constant', 'reflect', 'edge'] as const;
const ATTRS = {
  pads: { kind: 'ints', min: 0, help: 'begin pads of every axis, then end pads (batch included, 0 there)' },
  mode: { kind: 'int', min: 0, max: 2, default: 0, help: '0 constant, 1 reflect, 2 edge' },
  value: { kind: 'float', default: 0, help: 'the fill value of constant mode' },
} as const satisfies AttrSchema;

function padsOf(layer: Layer, x: readonly number[]): { begin: number[]; end: number[]; mode: number; value: number } {
  const a = readAttrs(layer, ATTRS);
  const r = x.length;
  if (a.pads.length !== 2 * r) failLayer(layer, `${fmt(a.pads)} must hold ${2 * r} values (begin and end of each of ${r} axes)`, 'pads');
  const begin = a.pads.slice(0, r), end = a.pads.slice(r);
  if (begin[0] || end[0]) failLayer(layer, `${fmt(a.pads)} pads the batch axis; only non-batch axes can be padded`, 'pads');
  if (a.mode === 1 && x.some((d, i) => begin[i] >= d || end[i] >= d)) failLayer(layer, `reflect pads ${fmt(a.pads)} must each be smaller than their axis of ${fmt(x)}`, 'pads');
  return { begin, end, mode: a.mode, value: a.value };
}

/** Output coordinate → input coordinate along one axis, −1 where constant mode fills. */
function axisMap(n: number, begin: number, out: number, mode: number): Int32Array {
  const m = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    let i = o - begin;
    if (i < 0 || i >= n) {
      if (mode === 0) i = -1;
      else if (mode === 2) i = i < 0 ? 0 : n - 1;
      else i = i < 0 ? -i : 2 * (n - 1) - i; // reflect; pads < n keep this inside
    }
    m[o] = i;
  }
  return m;
}

function padKernel(layer: Layer, x: Tensor, outShape: number[]): Tensor {
  const { begin, mode, value } = padsOf(layer, x.shape);
  const rank = x.shape.length;
  const maps = outShape.map((o, d) => axisMap(x.shape[d], begin[d], o, mode));
  const strides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= x.shape[d];
  }
  const y = tensor(outShape);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < y.data.length; i++) {
    let src = 0;
    for (let d = 0; d < rank && src >= 0; d++) {
      const j = maps[d][idx[d]];
      src = j < 0 ? -1 : src + j * strides[d];
    }
    y.data[i] = src < 0 ? value : x.data[src];
    for (let d = rank - 1; d >= 0 && ++idx[d] === outShape[d]; d--) idx[d] = 0;
  }
  return y;
}

const onnxPad: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const xs = ctx.shapeOf(node, 0);
  const modeName = a.string('mode', 'constant');
  const mode = (MODES as readonly string[]).indexOf(modeName);
  if (mode < 0) ctx.fail(node, `attribute 'mode' is '${modeName}'; supported: ${MODES.join(', ')}`);
  let pads: number[];
  let value = 0;
  if (ctx.opset < 11) {
    pads = a.ints('pads') ?? [];
    value = a.float('value', 0);
  } else {
    pads = ctx.constInts(node, 1, 'pads');
    value = ctx.optionalScalar(node, 2, 'constant_value') ?? 0;
    // Opset 18: pads may cover only the listed axes.
    if (node.input?.[3]) {
      const axes = ctx.constInts(node, 3, 'axes').map((v) => (v < 0 ? v + xs.length : v));
      if (pads.length !== 2 * axes.length) ctx.fail(node, `pads [${pads}] must hold 2 values per axis of axes [${axes}]`);
      const full = new Array<number>(2 * xs.length).fill(0);
      axes.forEach((ax, i) => {
        full[ax] = pads[i];
        full[xs.length + ax] = pads[axes.length + i];
      });
      pads = full;
    }
  }
  if (pads.length !== 2 * xs.length) ctx.fail(node, `pads [${pads}] must hold ${2 * xs.length} values for input [${xs}]`);
  if (pads.some((p) => p < 0)) ctx.fail(node, `negative pads [${pads}] (cropping) are not supported`);
  if (pads[0] || pads[xs.length]) ctx.fail(node, `pads [${pads}] pad the batch axis 0; only non-batch axes can be padded`);
  ctx.addLayer(node, 'pad', [x], { pads, mode, value }, {});
};

export const pad: OpSpec = {
  summary: 'pad each sample in constant, reflect or edge mode (ONNX Pad)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape(layer, [x]) {
    const { begin, end } = padsOf(layer, x);
    return x.map((d, i) => d + begin[i] + end[i]);
  },
  run: (layer, [x], outShape) => padKernel(layer, x, outShape),
  cost: { notCounted: 'data movement only: no arithmetic' },
  onnx: {
    import: { Pad: onnxPad },
    export: {
      opType: 'Pad',
      build(layer, e) {
        const a = readAttrs(layer, ATTRS);
        return { inputs: [e.input(0), e.int64Constant(a.pads), e.floatConst('constant_value', [], [a.value])], attributes: [e.string('mode', MODES[a.mode])] };
      },
    },
  },
  tf: {
    check: (layer) => (readAttrs(layer, ATTRS).mode === 2 ? 'edge padding is not supported by the TF.js translation' : undefined),
    forward(layer, ctx, [x]) {
      const { begin, end, mode, value } = padsOf(layer, x.rank === 4 ? [0, 3, 1, 2].map((i) => x.shape[i] as number) : x.shape);
      // Pads are given per IR (NCHW) axis; a rank-4 activation is NHWC inside TF.js.
      const order = x.rank === 4 ? [0, 2, 3, 1] : begin.map((_, i) => i);
      const p = order.map((d) => [begin[d], end[d]] as [number, number]);
      return mode === 1 ? ctx.tf.mirrorPad(x, p, 'reflect') : ctx.tf.pad(x, p, value);
    },
  },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: true },
};
