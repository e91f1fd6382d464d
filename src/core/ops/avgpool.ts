/**
 * avgpool: 2-D average pooling, floor or ceil output size (ONNX AveragePool).
 * countIncludePad (ONNX count_include_pad) divides by the window's cells inside
 * the padded input (1) or inside the input (0).
 */
import { pool2d } from '../exec/ops/pool';
import { readAttrs, type AttrSchema } from './attrs';
import { describeWindow, onnxPool, padError, tfPool, WINDOW_ATTRS, windowCost, windowExportAttrs, windowShape } from './pool-window';
import type { OpSpec } from './types';

const ATTRS = {
  ...WINDOW_ATTRS,
  countIncludePad: { kind: 'int', min: 0, max: 1, default: 0, help: '1: divide by the full window, 0: by the cells inside the input' },
} as const satisfies AttrSchema;

export const avgpool: OpSpec = {
  summary: '2-D average pooling, floor or ceil mode (ONNX AveragePool)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (layer, inputs) => windowShape(layer, inputs),
  run: (layer, [x], outShape) => pool2d('avg', x, readAttrs(layer, ATTRS), outShape),
  cost: windowCost,
  onnx: {
    import: { AveragePool: onnxPool('avgpool') },
    export: {
      opType: 'AveragePool',
      build: (layer, e) => ({
        inputs: [e.input(0)],
        attributes: [...windowExportAttrs(layer, e), e.int('count_include_pad', readAttrs(layer, ATTRS).countIncludePad)],
      }),
    },
  },
  // Unpadded floor mode only, where count_include_pad makes no difference.
  tf: { check: padError, forward: (layer, ctx, [x]) => tfPool('avg', layer, ctx, x) },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: true },
  describe: describeWindow,
};
