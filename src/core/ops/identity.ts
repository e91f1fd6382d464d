/**
 * identity: y = x. The ONNX importer folds Identity/Dropout into value aliases, and
 * a Cast of an activation to float32 (what every IR activation already is) too.
 */
import { ONNX_ELEMENT_TYPES, type OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

const FLOAT = 1;

const onnxCast: OnnxConverter = (ctx, node, a) => {
  const to = a.int('to', 0);
  a.accept('saturate'); // float8 targets only
  if (to !== FLOAT) ctx.fail(node, `Cast of an activation to ${ONNX_ELEMENT_TYPES[to] ?? `element type ${to}`} is not supported: activations are float32 (only Cast to FLOAT, an identity)`);
  ctx.bindAlias(node.output?.[0] as string, ctx.dynamic(node, 0));
};

export const identity: OpSpec = {
  summary: 'y = x (ONNX Identity)',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: {},
  shape: (_layer, [x]) => [...x],
  run: (_layer, [x], outShape) => ({ shape: outShape, data: x.data }),
  cost: { notCounted: 'no arithmetic' },
  onnx: { import: { Cast: onnxCast }, export: { opType: 'Identity', build: (_layer, e) => ({ inputs: [e.input(0)], attributes: [] }) } },
  tf: { forward: (_layer, _ctx, [x]) => x },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: true },
};
