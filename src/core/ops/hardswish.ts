/** hardswish: y = x · max(0, min(1, x/6 + 1/2)) (ONNX HardSwish, opset 14; MobileNet-v3's activation). */
import { unary } from '../exec/ops/elementwise';
import type { OpSpec } from './types';

export const hardswish: OpSpec = {
  summary: 'y = x · max(0, min(1, x/6 + 1/2)) (ONNX HardSwish)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (_layer, [x]) => [...x],
  run: (_layer, [x]) => unary(x, (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))),
  cost: { notCounted: 'activation: a multiply-add, two comparisons and a multiply per element, below the cost model\'s resolution' },
  onnx: {
    import: { HardSwish: (ctx, node) => void ctx.addLayer(node, 'hardswish', [ctx.dynamic(node, 0)], {}, {}) },
    export: { opType: 'HardSwish', build: (_layer, e) => ({ inputs: [e.input(0)], attributes: [] }) },
  },
  tf: { forward: (_layer, ctx, [x]) => ctx.tf.mul(x, ctx.tf.clipByValue(ctx.tf.add(ctx.tf.div(x, 6), 0.5), 0, 1)) },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: false },
};
