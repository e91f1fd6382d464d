/**
 * reshape: a per-sample target shape (batch excluded), one entry may be −1
 * (inferred) and 0 copies the input dim (ONNX Reshape that keeps the batch).
 * ONNX Squeeze/Unsqueeze of an activation that leave the batch axis alone
 * become reshapes too (on constants they fold: import/onnx/shape-folding.ts).
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
  // The leading target dim must be the batch: 0 (copied), -1 (inferred), the batch size the file declares,
  // or 1 when it declares none (a model traced with batch 1 runs only at batch 1 anyway).
  const batch = ctx.declaredBatch;
  const keeps = first === 0 || first === -1 || first === batch || (first === 1 && batch === undefined);
  if (!keeps) ctx.fail(node, `target shape [${target}] changes the batch dimension${batch !== undefined ? ` (${batch})` : ''}; only a reshape that keeps the batch (leading 0, -1 or the batch size) is supported`);
  if (first === -1 && sizeOf(resolved) !== perSample) ctx.fail(node, `target shape [${target}] does not keep the batch dimension of input [${xs}]`);
  const layer = ctx.addLayer(node, 'reshape', [x], { shape: resolved }, {});
  layer.attrs.shape = (ctx.shapes.get(layer.outputs[0]) as number[]).slice(1); // -1 resolved, for simpler consumers
};

/** ONNX Squeeze/Unsqueeze of an activation as a per-sample reshape; axes may not touch the batch axis 0. */
const onnxSqueeze: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const xs = ctx.shapeOf(node, 0);
  const squeeze = node.op_type === 'Squeeze';
  const axes = ctx.opset >= 13 ? (node.input?.[1] ? ctx.constInts(node, 1, 'axes') : undefined) : a.ints('axes');
  if (!axes) return ctx.fail(node, `${squeeze ? 'Squeeze' : 'Unsqueeze'} without axes on an activation would also remove a batch of 1; only explicit axes are supported`);
  const rank = squeeze ? xs.length : xs.length + axes.length;
  const norm = axes.map((v) => (v < 0 ? v + rank : v));
  if (norm.some((v) => v < 0 || v >= rank) || new Set(norm).size !== norm.length) ctx.fail(node, `axes [${axes}] are out of range or repeated for a rank-${rank} ${squeeze ? 'input' : 'output'}`);
  if (norm.includes(0)) ctx.fail(node, `axes [${axes}] include the batch axis 0; only non-batch axes can be ${squeeze ? 'squeezed' : 'inserted'}`);
  let out: number[];
  if (squeeze) {
    const bad = norm.find((v) => xs[v] !== 1);
    if (bad !== undefined) ctx.fail(node, `axis ${bad} of input [${xs}] has size ${xs[bad]}; only size-1 axes can be squeezed`);
    out = xs.filter((_, i) => !norm.includes(i));
  } else {
    out = [];
    for (let i = 0, j = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : xs[j++]);
  }
  ctx.addLayer(node, 'reshape', [x], { shape: out.slice(1) }, {});
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
    import: { Reshape: onnxReshape, Squeeze: onnxSqueeze, Unsqueeze: onnxSqueeze },
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
