/** Small synthetic float models and data sets for quantization tests. */
import type { FloatModel, Layer } from '../../../src/core/graph/types';
import type { Tensor } from '../../../src/core/tensor';
import { gaussian, xorshift } from './helpers';

const t = (shape: number[], data: Float32Array): Tensor => ({ shape, data });

/**
 * conv1(1→4, 3×3) → relu → conv2(4→6, 3×3) → relu → flatten → fc1(96→16) → relu → fc2(16→4).
 * Input [1, 8, 8]. Weights Gaussian with a small positive mean so thresholds are asymmetric.
 */
export function tinyCnn(seed = 1): FloatModel {
  const layers: Layer[] = [
    { name: 'conv1', op: 'conv2d', inputs: ['input'], outputs: ['c1'], attrs: { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }, weights: { weight: 'conv1.weight', bias: 'conv1.bias' } },
    { name: 'relu1', op: 'relu', inputs: ['c1'], outputs: ['r1'], attrs: {}, weights: {} },
    { name: 'conv2', op: 'conv2d', inputs: ['r1'], outputs: ['c2'], attrs: { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }, weights: { weight: 'conv2.weight', bias: 'conv2.bias' } },
    { name: 'relu2', op: 'relu', inputs: ['c2'], outputs: ['r2'], attrs: {}, weights: {} },
    { name: 'flatten', op: 'flatten', inputs: ['r2'], outputs: ['f'], attrs: { axis: 1 }, weights: {} },
    { name: 'fc1', op: 'dense', inputs: ['f'], outputs: ['d1'], attrs: {}, weights: { weight: 'fc1.weight', bias: 'fc1.bias' } },
    { name: 'relu3', op: 'relu', inputs: ['d1'], outputs: ['r3'], attrs: {}, weights: {} },
    { name: 'fc2', op: 'dense', inputs: ['r3'], outputs: ['logits'], attrs: {}, weights: { weight: 'fc2.weight', bias: 'fc2.bias' } },
  ];
  const tensors = new Map<string, Tensor>([
    ['conv1.weight', t([4, 1, 3, 3], gaussian(36, 0.05, 0.4, seed))],
    ['conv1.bias', t([4], gaussian(4, 0, 0.1, seed + 1))],
    ['conv2.weight', t([6, 4, 3, 3], gaussian(216, 0.02, 0.2, seed + 2))],
    ['conv2.bias', t([6], gaussian(6, 0, 0.1, seed + 3))],
    ['fc1.weight', t([16, 96], gaussian(1536, -0.01, 0.1, seed + 4))],
    ['fc1.bias', t([16], gaussian(16, 0, 0.1, seed + 5))],
    ['fc2.weight', t([4, 16], gaussian(64, 0, 0.3, seed + 6))],
    ['fc2.bias', t([4], gaussian(4, 0, 0.1, seed + 7))],
  ]);
  return {
    graph: { name: 'tiny-cnn', inputs: [{ name: 'input', shape: [1, 8, 8] }], outputs: ['logits'], layers },
    tensors,
    source: { file: '/models/tiny-cnn.onnx', sha256: 'ab'.repeat(32), format: 'synthetic' },
  };
}

/** n random images in [0,1] of shape [1,8,8] with random labels 0..3. */
export function tinyData(n: number, seed = 5) {
  const r = xorshift(seed);
  return {
    name: 'synthetic',
    images: Float32Array.from({ length: n * 64 }, () => r()),
    labels: Int32Array.from({ length: n }, () => Math.floor(r() * 4)),
    n,
    sampleShape: [1, 8, 8],
  };
}

/** A deep copy of a float model's observable state, to prove it was not modified. */
export function snapshot(m: FloatModel): string {
  return JSON.stringify({ graph: m.graph, source: m.source, tensors: [...m.tensors].map(([k, v]) => [k, v.shape, Array.from(v.data)]) });
}
