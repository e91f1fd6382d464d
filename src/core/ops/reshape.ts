/**
 * reshape: a per-sample target shape (batch excluded), one entry may be −1
 * (inferred) and 0 copies the input dim (ONNX Reshape that keeps the batch).
 */
import type { Layer } from '../graph/types';
import { sizeOf } from '../tensor';
import { failLayer, readAttrs, type AttrSchema } from './attrs';
import { fmt } from './geometry';
import { BATCH_DIM, type OnnxConverter } from './onnx-api';
import { toNchw, toNhwc } from './tf-api';
import type { OpSpec } from './types';

const ATTRS = { shape: { kind: 'ints', min: -1, help: 'per-sample target shape; 0 copies the input dim, one −1 is inferred' } } as const satisfies AttrSchema;

/** Resolves the target against an input shape with batch: [batch, ...target with 0s and −1 filled]. */
export function resolveReshape(layer: Layer, input: readonly number[]): number[] {
  const target = readAttrs(layer, ATTRS).shape;
  const perSample = sizeOf(input.slice(1));
  const out = target.map((d, i) => (d === 0 ? input[i + 1] : d));
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => d === undefined)) failLayer(layer, `invalid reshape target ${fmt(target)} for input ${fmt(input)}`, 'shape');
  if (unknown === 1) {
    const known = sizeOf(out.filter((d) => d !== -1));
    if (known === 0 || perSample % known !== 0) failLayer(layer, `cannot reshape input ${fmt(input)} to per-sample ${fmt(target)}`, 'shape');
    out[out.indexOf(-1)] = perSample / known;
  }
  if (sizeOf(out) !== perSample) failLayer(layer, `cannot reshape input ${fmt(input)} (${perSample} per sample) to per-sample ${fmt(target)}`, 'shape');
  return [input[0], ...out];
}

const onnxReshape: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const xs = ctx.shapeOf(node, 0);
  const target = (ctx.opset < 5 ? (a.ints('shape') ?? []) : ctx.constInts(node, 1, 'shape')).map((d, i) => (d === BATCH_DIM && i === 0 ? 0 : d));
  if (target.includes(BATCH_DIM)) ctx.fail(node, 'the batch size may only be the leading dim of the target shape');
  if (a.int('allowzero', 0) && target.includes(0)) ctx.fail(node, 'allowzero=1 with a 0 in the target shape is not supported');
  if (target.length === 0) ctx.fail(node, 'target shape is empty');
  // The first target dim is the batch: 0 (copy), -1, or the batch size 1 of a traced model.
  const [first, ...rest] = target;
  const perSample = sizeOf(xs.slice(1));
  if (first === -1 && rest.includes(-1)) ctx.fail(node, `target shape [${target}] has two -1 entries`);
  const resolved = rest.map((d, i) => (d === 0 ? xs[i + 1] : d));
  if (first !== 0 && first !== -1 && first !== 1) ctx.fail(node, `target shape [${target}] changes the batch dimension; only 0, -1 or 1 are supported there`);
  if (first === -1 && sizeOf(resolved) !== perSample) ctx.fail(node, `target shape [${target}] does not keep the batch dimension of input [${xs}]`);
  const layer = ctx.addLayer(node, 'reshape', [x], { shape: resolved }, {});
  layer.attrs.shape = (ctx.shapes.get(layer.outputs[0]) as number[]).slice(1); // -1 resolved, for simpler consumers
};

export const reshape: OpSpec = {
  summary: 'reshape each sample (ONNX Reshape keeping the batch dim)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (layer, [x]) => resolveReshape(layer, x),
  run: (_layer, [x], outShape) => ({ shape: outShape, data: x.data }),
  cost: { notCounted: 'a view of the same data: no arithmetic' },
  onnx: {
    import: { Reshape: onnxReshape },
    // PyTorch's layout: the target (batch −1) from a Constant node.
    export: { opType: 'Reshape', build: (_layer, e) => ({ inputs: [e.input(0), e.int64Constant([-1, ...e.outputShape.slice(1)])], attributes: [] }) },
  },
  tf: {
    // The IR order is NCHW's: leave NHWC before reshaping, and return to it for a rank-4 result.
    forward(layer, ctx, [x]) {
      const nchw = toNchw(ctx.tf, x);
      return toNhwc(ctx.tf, ctx.tf.reshape(nchw, resolveReshape(layer, nchw.shape)));
    },
  },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: true },
};
