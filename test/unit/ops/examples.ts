/**
 * One small float model per IR op, ending in that op (typed by OpType, so a new
 * op without an example does not compile). test/unit/ops/op-table.test.ts runs
 * each through every path of the op table: shape, reference kernel, cost, ONNX
 * export → onnxruntime-web and → import, TF.js, the packed engine and QAT.
 */
import type { FloatModel, OpType } from '../../../src/core/graph/types';
import { ModelBuilder } from '../import/model-builders';

function build(name: string, shape: number[], add: (b: ModelBuilder) => void): FloatModel {
  const b = new ModelBuilder(name, shape, name.length * 7 + 3);
  add(b);
  return b.build();
}

export const OP_EXAMPLES: Record<OpType, () => FloatModel> = {
  conv2d: () => build('conv2d', [2, 5, 5], (b) => b.add('op', 'conv2d', { strides: [2, 1], pads: [1, 0, 1, 2], dilations: [1, 1], group: 1 }, { weight: b.randn([3, 2, 3, 2]), bias: b.randn([3]) })),
  dense: () => build('dense', [6], (b) => b.add('op', 'dense', {}, { weight: b.randn([4, 6]), bias: b.randn([4]) })),
  batchnorm: () => build('batchnorm', [3, 4, 4], (b) => b.add('op', 'batchnorm', { epsilon: 1e-3 }, { gamma: b.randn([3], 0.3, 1), beta: b.randn([3]), mean: b.randn([3]), var: b.randn([3], 0.2, 0.8) })),
  relu: () => build('relu', [3, 2, 2], (b) => b.add('op', 'relu')),
  prelu: () => build('prelu', [3, 2, 2], (b) => b.add('op', 'prelu', {}, { slope: b.randn([3], 0.3) })),
  rprelu: () => build('rprelu', [3, 2, 2], (b) => b.add('op', 'rprelu', {}, { slope: b.randn([3], 0.3), shiftIn: b.randn([3], 0.2), shiftOut: b.randn([3], 0.2) })),
  leakyrelu: () => build('leakyrelu', [5], (b) => b.add('op', 'leakyrelu', { alpha: 0.2 })),
  clip: () => build('clip', [3, 2, 2], (b) => b.add('op', 'clip', { min: -0.3, max: 0.4 })),
  maxpool: () => build('maxpool', [2, 6, 5], (b) => b.add('op', 'maxpool', { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] })),
  avgpool: () => build('avgpool', [2, 5, 5], (b) => b.add('op', 'avgpool', { kernel: [3, 2], strides: [1, 2], pads: [0, 0, 0, 0], countIncludePad: 0 })),
  globalavgpool: () => build('globalavgpool', [3, 4, 5], (b) => b.add('op', 'globalavgpool')),
  flatten: () => build('flatten', [3, 2, 2], (b) => b.add('op', 'flatten', { axis: 1 })),
  reshape: () => build('reshape', [3, 2, 2], (b) => b.add('op', 'reshape', { shape: [2, 6] })),
  add: () => build('add', [3, 2, 2], (b) => {
    b.add('r', 'relu');
    b.add('op', 'add', {}, {}, ['r', 'input']);
  }),
  softmax: () => build('softmax', [3, 2, 2], (b) => b.add('op', 'softmax', { axis: 1 })),
  identity: () => build('identity', [4], (b) => b.add('op', 'identity')),
  // Two branches joined along the channels, as Inception / DenseNet do.
  concat: () => build('concat', [2, 4, 4], (b) => {
    b.add('c', 'conv2d', { pads: [1, 1, 1, 1] }, { weight: b.randn([3, 2, 3, 3]) }, ['input']);
    b.add('r', 'relu', {}, {}, ['input']);
    b.add('op', 'concat', { axis: 1 }, {}, ['c', 'r', 'input']);
  }),
  // Squeeze-excitation's gate: [N,C,1,1] × [N,C,H,W].
  mul: () => build('mul', [3, 4, 4], (b) => {
    b.add('g', 'globalavgpool', {}, {}, ['input']);
    b.add('op', 'mul', {}, {}, ['input', 'g']);
  }),
  sigmoid: () => build('sigmoid', [3, 2, 2], (b) => b.add('op', 'sigmoid')),
  hardsigmoid: () => build('hardsigmoid', [3, 2, 2], (b) => b.add('op', 'hardsigmoid', { alpha: 1 / 6, beta: 0.5 })),
  // Scaled so that both bends (x = ±3) fall inside the inputs.
  hardswish: () => build('hardswish', [3, 2, 2], (b) => {
    b.add('s', 'mul', {}, { scale: b.randn([1, 1, 1, 1], 0, 4) }, ['input']);
    b.add('op', 'hardswish', {}, {}, ['s']);
  }),
  transpose: () => build('transpose', [2, 3, 4], (b) => b.add('op', 'transpose', { perm: [0, 2, 3, 1] })),
  pad: () => build('pad', [2, 3, 4], (b) => b.add('op', 'pad', { pads: [0, 0, 1, 2, 0, 1, 0, 1], mode: 1, value: 0 })),
};
