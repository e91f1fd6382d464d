/** relu: y = max(x, 0) (ONNX Relu). */
import { unary } from '../exec/ops/elementwise';
import type { OpSpec } from './types';

export const relu: OpSpec = {
  summary: 'rectified linear unit y = max(x, 0) (ONNX Relu)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (_layer, [x]) => [...x],
  run: (_layer, [x]) => unary(x, (v) => (v > 0 ? v : 0)),
  cost: { notCounted: 'activation: a comparison per element, below the cost model\'s resolution (docs/cost-model.md)' },
  onnx: {
    import: { Relu: (ctx, node) => void ctx.addLayer(node, 'relu', [ctx.dynamic(node, 0)], {}, {}) },
    export: { opType: 'Relu', build: (_layer, e) => ({ inputs: [e.input(0)], attributes: [] }) },
  },
  tf: { forward: (_layer, ctx, [x]) => ctx.tf.relu(x) },
  engine: { kind: 'reference', epilogue: () => ({ stage: 'relu' }) },
  qat: { trainable: [], ternary: false, passThrough: false, rectifier: true },
};
