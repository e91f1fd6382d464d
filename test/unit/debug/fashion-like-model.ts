/**
 * A synthetic ternary CNN with the sample fashion-cnn's architecture
 * (src/core/train/sample-models.ts: three conv/BN/ReLU/pool blocks 8-16-32,
 * dense 64, dense 10; conv2, conv3, dense1 ternary W+A) and seeded random
 * weights, for the debugger benchmark when samples/models/fashion-cnn.tnn is
 * absent. Run as a script: `node <bundle> <out.tnn>`.
 */
import { packTrits, writeTnnFile } from '../../../src/core/format/index';
import type { Layer, StoredTensor, TnnModel } from '../../../src/core/graph/types';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function fashionLikeModel(seed = 1): TnnModel {
  const r = rng(seed);
  const tensors = new Map<string, StoredTensor>();
  const floats = (name: string, shape: number[], scale: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, { shape, data: Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale) });
    return name;
  };
  const trits = (name: string, shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, { kind: 'trits', shape, count: n, bytes: packTrits(Int8Array.from({ length: n }, () => Math.floor(r() * 3) - 1)) });
    return name;
  };
  const layers: Layer[] = [];
  let prev = 'x';
  const add = (l: Omit<Layer, 'inputs' | 'outputs'>) => {
    layers.push({ ...l, inputs: [prev], outputs: [`${l.name}.out`] });
    prev = `${l.name}.out`;
  };
  const convAttrs = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 };
  const act = { thresholds: { pos: 0.35, neg: -0.35 }, scale: 0.7, gamma: null, variant: 'half-gaussian' as const };
  const wq = (t: string) => ({ method: 'twn' as const, thresholds: { pos: 0.05, neg: -0.05 }, scale: { pos: 0.08, neg: 0.08 }, gamma: null, trits: t });
  const channels = [1, 8, 16, 32];
  for (let b = 1; b <= 3; b++) {
    const [cin, cout] = [channels[b - 1], channels[b]];
    if (b === 1) add({ name: 'conv1', op: 'conv2d', attrs: convAttrs, weights: { weight: floats('conv1.weight', [cout, cin, 3, 3], 0.5) } });
    else add({ name: `conv${b}`, op: 'conv2d', attrs: convAttrs, weights: { weight: trits(`conv${b}.trits`, [cout, cin, 3, 3]) }, weightQuant: wq(`conv${b}.trits`), actQuant: act });
    add({ name: `bn${b}`, op: 'batchnorm', attrs: { epsilon: 1e-3 }, weights: {
      gamma: floats(`bn${b}.gamma`, [cout], 1), beta: floats(`bn${b}.beta`, [cout], 0.1), mean: floats(`bn${b}.mean`, [cout], 0.1),
      var: (tensors.set(`bn${b}.var`, { shape: [cout], data: new Float32Array(cout).fill(1) }), `bn${b}.var`),
    } });
    add({ name: `relu${b}`, op: 'relu', attrs: {}, weights: {} });
    add({ name: `pool${b}`, op: 'maxpool', attrs: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, weights: {} });
  }
  add({ name: 'flatten', op: 'flatten', attrs: { axis: 1 }, weights: {} });
  add({ name: 'dense1', op: 'dense', attrs: {}, weights: { weight: trits('dense1.trits', [64, 288]), bias: floats('dense1.bias', [64], 0.1) }, weightQuant: wq('dense1.trits'), actQuant: act });
  add({ name: 'relu4', op: 'relu', attrs: {}, weights: {} });
  add({ name: 'dense2', op: 'dense', attrs: {}, weights: { weight: floats('dense2.weight', [10, 64], 0.3), bias: floats('dense2.bias', [10], 0.1) } });
  add({ name: 'softmax', op: 'softmax', attrs: { axis: -1 }, weights: {} });
  return {
    graph: { name: 'fashion-like-cnn', inputs: [{ name: 'x', shape: [1, 28, 28] }], outputs: [prev], layers,
      labels: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] },
    tensors,
    provenance: { toolVersion: 'bench', date: '2026-01-01T00:00:00.000Z', method: 'synthetic' },
  };
}

if (require.main === module && process.argv[2]) {
  writeTnnFile(process.argv[2], fashionLikeModel()).then(() => console.log(`wrote ${process.argv[2]}`));
}
