/** globalavgpool: mean over H and W per channel, [N,C,H,W] → [N,C,1,1] (ONNX GlobalAveragePool). */
import { globalAvgPool } from '../exec/ops/pool';
import { needRank } from './geometry';
import type { OpSpec } from './types';

export const globalavgpool: OpSpec = {
  summary: 'mean over the spatial axes, keeping them as 1×1 (ONNX GlobalAveragePool)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: {},
  shape(layer, [x]) {
    needRank(layer, x, 4);
    return [x[0], x[1], 1, 1];
  },
  run: (_layer, [x]) => globalAvgPool(x),
  // H·W − 1 additions per channel (the division is not counted).
  cost: { macKind: 'layer', count: ({ inShapes: [x] }) => ({ macs: 0, additions: x[0] * x[1] * Math.max(0, x[2] * x[3] - 1) }) },
  onnx: {
    import: { GlobalAveragePool: (ctx, node) => void ctx.addLayer(node, 'globalavgpool', [ctx.dynamic(node, 0)], {}, {}) },
    export: { opType: 'GlobalAveragePool', build: (_layer, e) => ({ inputs: [e.input(0)], attributes: [] }) },
  },
  tf: { forward: (_layer, ctx, [x]) => ctx.tf.mean(x, [1, 2], true) },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: false },
};
