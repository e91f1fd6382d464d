/**
 * rprelu: RPReLU (Liu et al. 2020, ReActNet), y = prelu(x − shiftIn) + shiftOut,
 * all three per channel. QAT puts it in place of the ReLUs feeding ternary
 * layers (seed paper §4.1); ONNX has no such op.
 */
import { rprelu as rpreluKernel } from '../exec/ops/elementwise';
import type { Tensor } from '../tensor';
import { checkPerChannel } from './geometry';
import type { OpSpec } from './types';

const ROLES = ['slope', 'shiftIn', 'shiftOut'] as const;
const data = (t: Tensor | undefined): Float32Array => (t as Tensor).data;

export const rprelu: OpSpec = {
  summary: 'RPReLU (ReActNet): prelu(x − shiftIn) + shiftOut, per channel',
  attrs: {},
  inputs: { min: 1, max: 1 },
  weights: { slope: 'required', shiftIn: 'required', shiftOut: 'required' },
  shape(layer, [x], ws) {
    for (const r of ROLES) checkPerChannel(layer, x, r, ws(r));
    return [...x];
  },
  run: (_layer, [x], _out, w) => rpreluKernel(x, data(w('slope')), data(w('shiftIn')), data(w('shiftOut'))),
  cost: { notCounted: 'activation: two additions and a conditional multiply per element, below the cost model\'s resolution' },
  onnx: { import: {}, export: { notExported: 'ONNX has no RPReLU; export the float model (QAT adds RPReLU)' } },
  tf: {
    forward(_layer, ctx, [x]) {
      const tf = ctx.tf;
      const p = (r: string) => ctx.param(r) as ReturnType<typeof tf.tensor>;
      return tf.add(tf.prelu(tf.sub(x, p('shiftIn')), p('slope')), p('shiftOut'));
    },
  },
  engine: { kind: 'reference' },
  qat: { trainable: ROLES, ternary: false, passThrough: false },
};
