/** hardsigmoid: y = max(0, min(1, α·x + β)) (ONNX HardSigmoid; PyTorch's Hardsigmoid exports α = 1/6, β = 1/2). */
import { unary } from '../exec/ops/elementwise';
import { readAttrs, type AttrSchema } from './attrs';
import type { OpSpec } from './types';

const ATTRS = {
  alpha: { kind: 'float', default: 0.2, help: 'slope α' },
  beta: { kind: 'float', default: 0.5, help: 'offset β' },
} as const satisfies AttrSchema;

export const hardsigmoid: OpSpec = {
  summary: 'piecewise-linear sigmoid y = max(0, min(1, α·x + β)) (ONNX HardSigmoid)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (_layer, [x]) => [...x],
  run(layer, [x]) {
    const { alpha, beta } = readAttrs(layer, ATTRS);
    return unary(x, (v) => Math.max(0, Math.min(1, alpha * v + beta)));
  },
  cost: { notCounted: 'activation: a multiply-add and two comparisons per element, below the cost model\'s resolution' },
  onnx: {
    import: { HardSigmoid: (ctx, node, a) => void ctx.addLayer(node, 'hardsigmoid', [ctx.dynamic(node, 0)], { alpha: a.float('alpha', 0.2), beta: a.float('beta', 0.5) }, {}) },
    export: {
      opType: 'HardSigmoid',
      build(layer, e) {
        const { alpha, beta } = readAttrs(layer, ATTRS);
        return { inputs: [e.input(0)], attributes: [e.float('alpha', alpha), e.float('beta', beta)] };
      },
    },
  },
  tf: {
    forward(layer, ctx, [x]) {
      const { alpha, beta } = readAttrs(layer, ATTRS);
      return ctx.tf.clipByValue(ctx.tf.add(ctx.tf.mul(x, alpha), beta), 0, 1);
    },
  },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: false },
};
