/** maxpool: 2-D max pooling, floor or ceil output size (ONNX MaxPool without dilations); padded cells are ignored. */
import { pool2d } from '../exec/ops/pool';
import { readAttrs } from './attrs';
import { describeWindow, maxPadError, onnxPool, tfPool, WINDOW_ATTRS, windowCost, windowExportAttrs, windowShape } from './pool-window';
import type { OpSpec } from './types';

export const maxpool: OpSpec = {
  summary: '2-D max pooling, floor or ceil mode (ONNX MaxPool)',
  attrs: WINDOW_ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (layer, inputs) => windowShape(layer, inputs),
  run: (layer, [x], outShape) => pool2d('max', x, readAttrs(layer, WINDOW_ATTRS), outShape),
  cost: windowCost,
  onnx: {
    import: { MaxPool: onnxPool('maxpool') },
    export: { opType: 'MaxPool', build: (layer, e) => ({ inputs: [e.input(0)], attributes: windowExportAttrs(layer, e) }) },
  },
  tf: { check: maxPadError, forward: (layer, ctx, [x]) => tfPool('max', layer, ctx, x) },
  engine: {
    kind: 'reference',
    // Floor-mode max pooling has a SIMD kernel (the same comparisons in the same order as pool2d; pads are −∞ cells).
    kernel(layer, k) {
      const { kernel, strides, pads, ceilMode } = readAttrs(layer, WINDOW_ATTRS);
      if (ceilMode) return undefined;
      return ([x], outShape) => k.maxPool(x, { kernel, strides, pads }, outShape);
    },
    epilogue(layer) {
      const { kernel, strides, pads, ceilMode } = readAttrs(layer, WINDOW_ATTRS);
      return ceilMode ? undefined : { stage: 'maxpool', kernel, strides, pads };
    },
  },
  qat: { trainable: [], ternary: false, passThrough: true },
  describe: describeWindow,
};
