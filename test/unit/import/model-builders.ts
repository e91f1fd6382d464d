/** Small FloatModels with seeded random weights, shared by the importer and executor tests. */
import type { AttrValue, FloatModel, Layer, OpType } from '../../../src/core/graph/types';
import { mulberry32 } from '../../../src/core/rng';
import type { Tensor } from '../../../src/core/tensor';

export class ModelBuilder {
  readonly layers: Layer[] = [];
  readonly tensors = new Map<string, Tensor>();
  private last: string;
  private readonly rnd: () => number;

  constructor(private readonly name: string, private readonly inputShape: number[], seed = 1) {
    this.last = 'input';
    this.rnd = mulberry32(seed);
  }

  randn(shape: number[], scale = 0.5, offset = 0): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    return { shape, data: Float32Array.from({ length: n }, () => offset + (this.rnd() * 2 - 1) * scale) };
  }

  /** Adds a layer reading the previous output (or `inputs`); weights are given as tensors. */
  add(name: string, op: OpType, attrs: Record<string, AttrValue> = {}, weights: Record<string, Tensor> = {}, inputs?: string[]): string {
    const w: Record<string, string> = {};
    for (const [role, t] of Object.entries(weights)) {
      const tn = `${name}.${role === 'gamma' ? 'weight' : role === 'beta' ? 'bias' : role === 'mean' ? 'running_mean' : role === 'var' ? 'running_var' : role}`;
      this.tensors.set(tn, t);
      w[role] = tn;
    }
    this.layers.push({ name, op, inputs: inputs ?? [this.last], outputs: [name], attrs, weights: w });
    this.last = name;
    return name;
  }

  build(): FloatModel {
    return {
      graph: { name: this.name, inputs: [{ name: 'input', shape: this.inputShape }], outputs: [this.last], layers: this.layers },
      tensors: this.tensors,
      source: { file: '(built)', sha256: '', format: 'synthetic' },
    };
  }
}

/** conv+bn+relu+maxpool → conv(stride 2, pads)+relu+avgpool → flatten → gemm → relu → gemm → softmax. */
export function smallCnn(seed = 1): FloatModel {
  const b = new ModelBuilder('small_cnn', [1, 12, 12], seed);
  b.add('conv1', 'conv2d', { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 }, { weight: b.randn([4, 1, 3, 3]), bias: b.randn([4]) });
  b.add('bn1', 'batchnorm', { epsilon: 1e-5 }, { gamma: b.randn([4], 0.3, 1), beta: b.randn([4]), mean: b.randn([4], 0.2), var: b.randn([4], 0.2, 0.8) });
  b.add('relu1', 'relu');
  b.add('pool1', 'maxpool', { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] });
  b.add('conv2', 'conv2d', { strides: [2, 2], pads: [1, 0, 1, 1], dilations: [1, 1], group: 1 }, { weight: b.randn([6, 4, 3, 3]), bias: b.randn([6]) });
  b.add('relu2', 'relu');
  b.add('pool2', 'avgpool', { kernel: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1], countIncludePad: 0 });
  b.add('flatten', 'flatten', { axis: 1 });
  b.add('fc1', 'dense', {}, { weight: b.randn([10, 54]), bias: b.randn([10]) });
  b.add('relu3', 'relu');
  b.add('fc2', 'dense', {}, { weight: b.randn([5, 10]), bias: b.randn([5]) });
  b.add('softmax', 'softmax', { axis: -1 });
  return b.build();
}

/** Depthwise + grouped conv, PReLU, LeakyReLU, Clip, residual Add, GlobalAveragePool, Reshape. */
export function branchyCnn(seed = 2): FloatModel {
  const b = new ModelBuilder('branchy', [4, 9, 9], seed);
  b.add('dw', 'conv2d', { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 4 }, { weight: b.randn([8, 1, 3, 3]), bias: b.randn([8]) });
  b.add('prelu', 'prelu', {}, { slope: b.randn([8], 0.2, 0.25) });
  const g = b.add('grouped', 'conv2d', { strides: [1, 1], pads: [2, 2, 2, 2], dilations: [2, 2], group: 2 }, { weight: b.randn([8, 4, 3, 3]) });
  b.add('leaky', 'leakyrelu', { alpha: 0.1 });
  b.add('clip', 'clip', { min: -0.5, max: 0.75 });
  b.add('residual', 'add', {}, {}, ['clip', g]);
  b.add('gap', 'globalavgpool');
  b.add('reshape', 'reshape', { shape: [-1] });
  b.add('fc', 'dense', {}, { weight: b.randn([3, 8]), bias: b.randn([3]) });
  return b.build();
}
