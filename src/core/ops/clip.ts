/** clip: y = min(max(x, min), max) (ONNX Clip; ReLU6 is clip [0, 6]). */
import { unary } from '../exec/ops/elementwise';
import { readAttrs, type AttrSchema } from './attrs';
import { FLOAT_MAX, type OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

const ATTRS = {
  min: { kind: 'float', default: -Infinity, help: 'lower bound' },
  max: { kind: 'float', default: Infinity, help: 'upper bound' },
} as const satisfies AttrSchema;

const onnxClip: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  // Opset < 11 carries min/max as attributes; from 11 on as optional constant inputs.
  const lo = ctx.opset < 11 ? a.float('min', -FLOAT_MAX) : (ctx.optionalScalar(node, 1, 'min') ?? -FLOAT_MAX);
  const hi = ctx.opset < 11 ? a.float('max', FLOAT_MAX) : (ctx.optionalScalar(node, 2, 'max') ?? FLOAT_MAX);
  ctx.addLayer(node, 'clip', [x], { min: lo, max: hi }, {});
};

export const clip: OpSpec = {
  summary: 'clamp to [min, max] (ONNX Clip)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (_layer, [x]) => [...x],
  run(layer, [x]) {
    const { min: lo, max: hi } = readAttrs(layer, ATTRS);
    return unary(x, (v) => (v < lo ? lo : v > hi ? hi : v));
  },
  cost: { notCounted: 'activation: two comparisons per element, below the cost model\'s resolution' },
  onnx: {
    import: { Clip: onnxClip },
    export: {
      opType: 'Clip',
      build(layer, e) {
        const a = readAttrs(layer, ATTRS);
        // Open bounds are written as ±FLT_MAX, as the importer reads them.
        const bound = (v: number): number => Math.min(FLOAT_MAX, Math.max(-FLOAT_MAX, v));
        return { inputs: [e.input(0), e.floatConst('min', [], [bound(a.min)]), e.floatConst('max', [], [bound(a.max)])], attributes: [] };
      },
    },
  },
  tf: {
    forward(layer, ctx, [x]) {
      const a = readAttrs(layer, ATTRS);
      return ctx.tf.clipByValue(x, a.min, a.max);
    },
  },
  engine: {
    kind: 'reference',
    epilogue: (layer) => {
      const a = readAttrs(layer, ATTRS);
      return { stage: 'clip', lo: a.min, hi: a.max };
    },
  },
  qat: { trainable: [], ternary: false, passThrough: false },
};
