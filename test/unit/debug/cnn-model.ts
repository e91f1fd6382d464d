/**
 * A small ternary CNN the debugger tests write with the core `.tnn` writer:
 * x[1,6,6] → conv1 (ternary W+A, 1→4 3×3) → relu1 → pool (2×2) → flat → fc (ternary W, 36→3) → prob.
 */
import { packTrits, writeTnnFile } from '../../../src/core/format/index';
import type { TnnModel } from '../../../src/core/graph/types';

function trits(n: number, seed: number): Int8Array {
  return Int8Array.from({ length: n }, (_, i) => (((i * 7 + seed * 3) % 5) % 3) - 1);
}

export function cnnModel(): TnnModel {
  const wq = (name: string) => ({ method: 'twn' as const, thresholds: { pos: 0.05, neg: -0.05 }, scale: { pos: 0.4, neg: 0.35 }, gamma: null, trits: name });
  const t1 = trits(36, 1), t2 = trits(108, 2);
  return {
    graph: {
      name: 'debug-cnn',
      inputs: [{ name: 'x', shape: [1, 6, 6] }],
      outputs: ['probs'],
      labels: ['circle', 'square', 'cross'],
      layers: [
        {
          name: 'conv1', op: 'conv2d', inputs: ['x'], outputs: ['c1'],
          attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
          weights: { weight: 'conv1.trits', bias: 'conv1.bias' }, weightQuant: wq('conv1.trits'),
          actQuant: { thresholds: { pos: 0.3, neg: -0.3 }, scale: 0.8, gamma: null, variant: 'gaussian' },
        },
        { name: 'relu1', op: 'relu', inputs: ['c1'], outputs: ['r1'], attrs: {}, weights: {} },
        { name: 'pool', op: 'maxpool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, weights: {} },
        { name: 'flat', op: 'flatten', inputs: ['p1'], outputs: ['f'], attrs: { axis: 1 }, weights: {} },
        { name: 'fc', op: 'dense', inputs: ['f'], outputs: ['logits'], attrs: {}, weights: { weight: 'fc.trits', bias: 'fc.bias' }, weightQuant: wq('fc.trits') },
        { name: 'prob', op: 'softmax', inputs: ['logits'], outputs: ['probs'], attrs: { axis: -1 }, weights: {} },
      ],
    },
    tensors: new Map([
      ['conv1.trits', { kind: 'trits' as const, shape: [4, 1, 3, 3], count: 36, bytes: packTrits(t1) }],
      ['conv1.bias', { shape: [4], data: Float32Array.from([0.05, -0.05, 0.1, 0]) }],
      ['fc.trits', { kind: 'trits' as const, shape: [3, 36], count: 108, bytes: packTrits(t2) }],
      ['fc.bias', { shape: [3], data: Float32Array.from([0.01, -0.02, 0.03]) }],
    ]),
    provenance: { toolVersion: 'test', date: '2026-01-01T00:00:00.000Z', method: 'twn' },
  };
}

export async function writeCnnModel(file: string): Promise<string> {
  await writeTnnFile(file, cnnModel());
  return file;
}
