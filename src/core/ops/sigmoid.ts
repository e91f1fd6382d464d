/** sigmoid: y = 1 / (1 + e^(−x)) (ONNX Sigmoid; EfficientNet's SiLU is x · sigmoid(x), a Sigmoid then a Mul). */
import { tensor } from '../tensor';
import type { OpSpec } from './types';

export const sigmoid: OpSpec = {
  summary: 'logistic function y = 1/(1 + e^(−x)) (ONNX Sigmoid)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (_layer, [x]) => [...x],
  run: (_layer, [x]) => {
    // A plain loop, not unary(): EfficientNet's SiLUs pass every activation through here.
    const y = tensor(x.shape);
    for (let i = 0; i < x.data.length; i++) y.data[i] = 1 / (1 + Math.exp(-x.data[i]));
    return y;
  },
  cost: { notCounted: 'activation: an exponential per element, outside the MAC/addition model (docs/cost-model.md)' },
  onnx: {
    import: { Sigmoid: (ctx, node) => void ctx.addLayer(node, 'sigmoid', [ctx.dynamic(node, 0)], {}, {}) },
    export: { opType: 'Sigmoid', build: (_layer, e) => ({ inputs: [e.input(0)], attributes: [] }) },
  },
  tf: { forward: (_layer, ctx, [x]) => ctx.tf.sigmoid(x) },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: false },
};
