/**
 * concat: joins activations of equal shape except along `axis` (ONNX Concat),
 * e.g. the channel axis of Inception / DenseNet branches. The batch axis (0)
 * cannot be joined: every input carries the same batch.
 */
import type { Layer } from '../graph/types';
import { sizeOf, tensor, type Tensor } from '../tensor';
import { failLayer, readAttrs, type AttrSchema } from './attrs';
import { fmt, normAxis } from './geometry';
import type { OnnxConverter } from './onnx-api';
import { tfAxis } from './tf-api';
import type { OpSpec } from './types';

const ATTRS = { axis: { kind: 'int', default: 1, help: 'the axis joined along, batch counted (1 = channels of NCHW); may be negative' } } as const satisfies AttrSchema;

function axisOf(layer: Layer, rank: number): number {
  const axis = normAxis(readAttrs(layer, ATTRS).axis, rank);
  if (axis === undefined || axis === 0) failLayer(layer, `${layer.attrs.axis ?? 1} is ${axis === 0 ? 'the batch axis' : `out of range for rank ${rank}`}; only a non-batch axis can be joined`, 'axis');
  return axis;
}

/** Copies each input's slab of `shape[axis]·inner` values per outer index into place. */
function concatKernel(xs: Tensor[], axis: number, outShape: number[]): Tensor {
  const y = tensor(outShape);
  const outer = sizeOf(outShape.slice(0, axis)), inner = sizeOf(outShape.slice(axis + 1));
  const rowOut = outShape[axis] * inner;
  let offset = 0;
  for (const x of xs) {
    const row = x.shape[axis] * inner;
    for (let o = 0; o < outer; o++) y.data.set(x.data.subarray(o * row, (o + 1) * row), o * rowOut + offset);
    offset += row;
  }
  return y;
}

const onnxConcat: OnnxConverter = (ctx, node, a) => {
  // All-constant Concats (shape arithmetic) were folded before this; a constant beside activations is not supported.
  const inputs = (node.input ?? []).map((name, i) => {
    if (ctx.isConst(name)) ctx.fail(node, `input ${i} '${name}' is a constant; only Concat of activations (or of constants only, folded) is supported`);
    return ctx.dynamic(node, i);
  });
  if (!a.has('axis')) ctx.fail(node, "attribute 'axis' is required");
  const rank = ctx.shapeOf(node, 0).length;
  const axis = a.int('axis', 1);
  ctx.addLayer(node, 'concat', inputs, { axis: axis < 0 ? axis + rank : axis }, {});
};

export const concat: OpSpec = {
  summary: 'join activations along a non-batch axis (ONNX Concat)',
  attrs: ATTRS,
  inputs: { min: 1, max: Number.POSITIVE_INFINITY },
  weights: {},
  shape(layer, inputs) {
    const [x] = inputs;
    const axis = axisOf(layer, x.length);
    const out = [...x];
    for (const y of inputs.slice(1)) {
      if (y.length !== x.length || y.some((d, i) => i !== axis && d !== x[i])) failLayer(layer, `input shapes ${inputs.map(fmt).join(', ')} differ outside axis ${axis}`);
      out[axis] += y[axis];
    }
    return out;
  },
  run: (layer, xs, outShape) => concatKernel(xs, axisOf(layer, outShape.length), outShape),
  cost: { notCounted: 'data movement only: no arithmetic' },
  onnx: {
    import: { Concat: onnxConcat },
    export: { opType: 'Concat', build: (layer, e) => ({ inputs: layer.inputs.map((_, i) => e.input(i)), attributes: [e.int('axis', axisOf(layer, e.outputShape.length))] }) },
  },
  tf: { forward: (layer, ctx, xs) => ctx.tf.concat(xs, tfAxis(axisOf(layer, xs[0].rank), xs[0].rank)) },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: false },
};
