/** flatten: [d0…dk−1, dk…] → [d0·…·dk−1, dk·…] at `axis` (ONNX Flatten); a view, no data moves in NCHW. */
import { sizeOf } from '../tensor';
import { readAttrs, type AttrSchema } from './attrs';
import { fmt, normAxis } from './geometry';
import { failLayer } from './attrs';
import { toNchw } from './tf-api';
import type { OpSpec } from './types';

const ATTRS = { axis: { kind: 'int', default: 1, help: 'first axis of the second output dim (counts the batch; may be negative)' } } as const satisfies AttrSchema;

function axisOf(layer: Parameters<OpSpec['shape']>[0], rank: number): number {
  const axis = normAxis(readAttrs(layer, ATTRS).axis, rank + 1);
  if (axis === undefined) failLayer(layer, `out of range for a rank-${rank} input`, 'axis');
  return axis;
}

export const flatten: OpSpec = {
  summary: 'flatten to 2-D at an axis (ONNX Flatten)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape(layer, [x]) {
    const axis = axisOf(layer, x.length);
    if (x.length === 0) failLayer(layer, `cannot flatten a scalar ${fmt(x)}`);
    return [sizeOf(x.slice(0, axis)), sizeOf(x.slice(axis))];
  },
  run: (_layer, [x], outShape) => ({ shape: outShape, data: x.data }),
  cost: { notCounted: 'a view of the same data: no arithmetic' },
  onnx: {
    import: {
      Flatten(ctx, node, a) {
        const x = ctx.dynamic(node, 0);
        const rank = ctx.shapeOf(node, 0).length;
        const xs = ctx.shapeOf(node, 0);
        let axis = a.int('axis', 1);
        if (axis < 0) axis += rank;
        // Output [d0·…·d(axis−1), rest] keeps the batch only when dims 1…axis−1 are all 1: then it equals axis 1.
        if (axis < 1 || axis > rank || xs.slice(1, axis).some((d) => d !== 1)) {
          ctx.fail(node, `Flatten at axis ${a.int('axis', 1)} of [${xs}] merges the batch with other dims; only a Flatten that keeps the batch dimension (axis 1, or dims 1…axis−1 of size 1) is supported`);
        }
        ctx.addLayer(node, 'flatten', [x], { axis: 1 }, {});
      },
    },
    export: { opType: 'Flatten', build: (layer, e) => ({ inputs: [e.input(0)], attributes: [e.int('axis', readAttrs(layer, ATTRS).axis)] }) },
  },
  tf: {
    // Back to NCHW first, so the features come out in the IR's (c, h, w) order the dense weights expect.
    forward(layer, ctx, [x]) {
      const nchw = toNchw(ctx.tf, x);
      const axis = axisOf(layer, nchw.rank);
      return ctx.tf.reshape(nchw, [sizeOf(nchw.shape.slice(0, axis)), sizeOf(nchw.shape.slice(axis))]);
    },
  },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: true },
};
