/** identity: y = x. The ONNX importer folds Identity/Dropout into value aliases, so no converter makes this layer. */
import type { OpSpec } from './types';

export const identity: OpSpec = {
  summary: 'y = x (ONNX Identity)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (_layer, [x]) => [...x],
  run: (_layer, [x], outShape) => ({ shape: outShape, data: x.data }),
  cost: { notCounted: 'no arithmetic' },
  onnx: { import: {}, export: { opType: 'Identity', build: (_layer, e) => ({ inputs: [e.input(0)], attributes: [] }) } },
  tf: { forward: (_layer, _ctx, [x]) => x },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: true },
};
