/** leakyrelu: y = x for x ≥ 0, α·x otherwise (ONNX LeakyRelu). */
import { unary } from '../exec/ops/elementwise';
import { readAttrs, type AttrSchema } from './attrs';
import type { OpSpec } from './types';

const ATTRS = { alpha: { kind: 'float', default: 0.01, help: 'slope for x < 0' } } as const satisfies AttrSchema;

export const leakyrelu: OpSpec = {
  summary: 'leaky ReLU y = x (x ≥ 0), α·x (x < 0) (ONNX LeakyRelu)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (_layer, [x]) => [...x],
  run(layer, [x]) {
    const { alpha } = readAttrs(layer, ATTRS);
    return unary(x, (v) => (v >= 0 ? v : v * alpha));
  },
  cost: { notCounted: 'activation: a comparison and a conditional multiply per element, below the cost model\'s resolution' },
  onnx: {
    import: { LeakyRelu: (ctx, node, a) => void ctx.addLayer(node, 'leakyrelu', [ctx.dynamic(node, 0)], { alpha: a.float('alpha', 0.01) }, {}) },
    export: { opType: 'LeakyRelu', build: (layer, e) => ({ inputs: [e.input(0)], attributes: [e.float('alpha', readAttrs(layer, ATTRS).alpha)] }) },
  },
  tf: { forward: (layer, ctx, [x]) => ctx.tf.leakyRelu(x, readAttrs(layer, ATTRS).alpha) },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: false },
};
