/**
 * transpose: permutes the axes of each sample, out.shape[i] = in.shape[perm[i]]
 * (ONNX Transpose); perm covers every axis and keeps the batch first (perm[0] = 0).
 */
import type { Layer } from '../graph/types';
import { tensor, type Tensor } from '../tensor';
import { failLayer, readAttrs, type AttrSchema } from './attrs';
import { fmt } from './geometry';
import type { OnnxConverter } from './onnx-api';
import { toNchw, toNhwc } from './tf-api';
import type { OpSpec } from './types';

const ATTRS = { perm: { kind: 'ints', min: 0, help: 'output axis i is input axis perm[i], batch included (perm[0] must be 0)' } } as const satisfies AttrSchema;

function permOf(layer: Layer, rank: number): number[] {
  const perm = readAttrs(layer, ATTRS).perm;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) failLayer(layer, `${fmt(perm)} is not a permutation of the ${rank} axes of the input`, 'perm');
  if (perm[0] !== 0) failLayer(layer, `${fmt(perm)} moves the batch axis; perm[0] must be 0`, 'perm');
  return perm;
}

/** Generic N-D transpose: walks the output in order, stepping the input offset by the permuted strides. */
function transposeKernel(x: Tensor, perm: number[], outShape: number[]): Tensor {
  const y = tensor(outShape);
  const rank = perm.length;
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= x.shape[i];
  }
  const step = perm.map((p) => inStrides[p]);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < y.data.length; i++) {
    y.data[i] = x.data[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += step[d];
      if (idx[d] < outShape[d]) break;
      src -= step[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return y;
}

const onnxTranspose: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  const rank = ctx.shapeOf(node, 0).length;
  // The default perm reverses the axes, which moves the batch.
  const perm = a.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm[0] !== 0) ctx.fail(node, `perm [${perm}] moves the batch axis 0; only permutations of the non-batch axes are supported`);
  ctx.addLayer(node, 'transpose', [x], { perm }, {});
};

export const transpose: OpSpec = {
  summary: 'permute the non-batch axes (ONNX Transpose)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: {},
  shape(layer, [x]) {
    return permOf(layer, x.length).map((p) => x[p]);
  },
  run: (layer, [x], outShape) => transposeKernel(x, permOf(layer, x.shape.length), outShape),
  cost: { notCounted: 'data movement only: no arithmetic' },
  onnx: {
    import: { Transpose: onnxTranspose },
    export: { opType: 'Transpose', build: (layer, e) => ({ inputs: [e.input(0)], attributes: [e.ints('perm', permOf(layer, e.inputShape(0).length))] }) },
  },
  tf: {
    // Permute in the IR's NCHW order, then return to NHWC for a rank-4 result.
    forward(layer, ctx, [x]) {
      const nchw = toNchw(ctx.tf, x);
      return toNhwc(ctx.tf, ctx.tf.transpose(nchw, permOf(layer, nchw.rank)));
    },
  },
  engine: { kind: 'reference' },
  qat: { trainable: [], ternary: false, passThrough: true },
};
