/**
 * batchnorm: inference batch normalization per channel (axis 1, ONNX
 * BatchNormalization): y = γ·(x − μ)/√(σ² + ε) + β with the running statistics.
 */
import { batchnorm as bnKernel } from '../exec/ops/elementwise';
import { sizeOf, type Tensor } from '../tensor';
import { readAttrs, type AttrSchema } from './attrs';
import { checkPerChannel } from './geometry';
import type { OnnxConverter } from './onnx-api';
import type { OpSpec } from './types';

const ATTRS = { epsilon: { kind: 'float', min: 0, default: 1e-5, help: 'ε added to the variance' } } as const satisfies AttrSchema;
const ROLES = ['gamma', 'beta', 'mean', 'var'] as const;

const onnxBatchNorm: OnnxConverter = (ctx, node, a) => {
  const x = ctx.dynamic(node, 0);
  // Training mode normalizes with the batch's own statistics, not the running ones: a different op.
  if (a.int('training_mode', 0) !== 0) ctx.fail(node, "attribute 'training_mode' is 1: training-mode batch normalization (batch statistics) is not supported; export the model in eval mode");
  if (a.has('is_test') && a.int('is_test', 0) === 0) ctx.fail(node, "attribute 'is_test' is 0 (training mode, opset < 7): not supported; export the model in eval mode");
  if (a.int('spatial', 1) !== 1) ctx.fail(node, "attribute 'spatial' is 0 (statistics per element, opset < 9): only per-channel statistics are supported");
  a.accept('momentum'); // updates the running statistics while training only
  if ((node.output ?? []).slice(1).some((o) => o && ctx.readers.get(o))) ctx.fail(node, 'training-mode outputs (running mean/var) are not supported');
  const weights: Record<string, string> = {};
  ROLES.forEach((r, i) => (weights[r] = ctx.addTensor(node.input?.[i + 1] as string, ctx.constFloat(node, i + 1, r))));
  ctx.addLayer(node, 'batchnorm', [x], { epsilon: a.float('epsilon', 1e-5) }, weights);
};

const req = (t: Tensor | undefined): Float32Array => (t as Tensor).data;

export const batchnorm: OpSpec = {
  summary: 'batch normalization with running statistics, per channel (ONNX BatchNormalization)',
  attrs: ATTRS,
  inputs: { min: 1, max: 1 },
  weights: { gamma: 'required', beta: 'required', mean: 'required', var: 'required' },
  shape(layer, [x], ws) {
    for (const r of ROLES) checkPerChannel(layer, x, r, ws(r));
    return [...x];
  },
  run: (layer, [x], _out, w) => bnKernel(x, req(w('gamma')), req(w('beta')), req(w('mean')), req(w('var')), readAttrs(layer, ATTRS).epsilon),
  // Folded to one float multiply-add per element: y = a·x + b.
  cost: { macKind: 'float', count: ({ outShape }) => ({ macs: sizeOf(outShape), additions: 0 }) },
  onnx: {
    import: { BatchNormalization: onnxBatchNorm },
    export: {
      opType: 'BatchNormalization',
      build: (layer, e) => ({
        inputs: [e.input(0), ...ROLES.map((r) => e.weight(r))],
        attributes: [e.float('epsilon', readAttrs(layer, ATTRS).epsilon), e.float('momentum', 0.9)],
      }),
    },
  },
  tf: {
    forward(layer, ctx, [x]) {
      const tf = ctx.tf;
      const eps = readAttrs(layer, ATTRS).epsilon;
      const [gamma, beta, mean, variance] = ROLES.map((r) => ctx.param(r) as ReturnType<typeof tf.tensor>);
      if (!ctx.training) return tf.batchNorm(x, mean, variance, beta, gamma, eps);
      // Training: normalize with the batch's statistics and track the running ones (momentum 0.9).
      const moments = tf.moments(x, x.rank === 4 ? [0, 1, 2] : [0]);
      const k = 0.9;
      ctx.assign?.('mean', tf.add(tf.mul(mean, k), tf.mul(moments.mean, 1 - k)));
      ctx.assign?.('var', tf.add(tf.mul(variance, k), tf.mul(moments.variance, 1 - k)));
      return tf.batchNorm(x, moments.mean, moments.variance, beta, gamma, eps);
    },
  },
  engine: {
    kind: 'reference',
    epilogue: (layer, w) => ({ stage: 'batchnorm', gamma: req(w('gamma')), beta: req(w('beta')), mean: req(w('mean')), var: req(w('var')), epsilon: readAttrs(layer, ATTRS).epsilon }),
  },
  qat: { trainable: ['gamma', 'beta'], ternary: false, passThrough: false },
};
