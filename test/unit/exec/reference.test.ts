import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecutionError } from '../../../src/core/errors';
import { packTrits } from '../../../src/core/format/index';
import type { StoredTensor, TnnModel } from '../../../src/core/graph/types';
import { dequantizeTrits, runReference, ternarizeActivation } from '../../../src/core/exec/reference';
import { tensor } from '../../../src/core/tensor';
import { ModelBuilder, smallCnn } from '../import/model-builders';

test('conv2d matches a hand computation (padding, stride, bias)', () => {
  const b = new ModelBuilder('c', [1, 3, 3]);
  b.add('conv', 'conv2d', { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 }, { weight: tensor([1, 1, 2, 2], new Float32Array([1, 2, 3, 4])), bias: tensor([1], new Float32Array([0.5])) });
  const x = tensor([1, 1, 3, 3], new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  const y = runReference(b.build(), x);
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  // out(0,0) sees only x(0,0) at kernel (1,1): 1*4; out(0,1): x(0,1)*3 + x(0,2)*4 = 6+12; out(1,0): x(1,0)*2+x(2,0)*4 = 8+28; out(1,1): 5+12+24+36
  assert.deepEqual(Array.from(y.data), [4.5, 18.5, 36.5, 77.5]);
});

test('maxpool, avgpool without padding counted, softmax sums to one', () => {
  const b = new ModelBuilder('p', [1, 2, 3]);
  b.add('avg', 'avgpool', { kernel: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1], countIncludePad: 0 });
  const x = tensor([1, 1, 2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
  const y = runReference(b.build(), x);
  assert.deepEqual(Array.from(y.data), [3, 4, 4.5, 4.5, 5.5, 6]);
  const s = new ModelBuilder('s', [4]);
  s.add('sm', 'softmax', { axis: -1 });
  const p = runReference(s.build(), tensor([2, 4], new Float32Array([1, 2, 3, 4, 100, 100, 100, 100]))).data;
  assert.ok(Math.abs(p[0] + p[1] + p[2] + p[3] - 1) < 1e-6);
  assert.ok(p[3] > p[2] && p[2] > p[1]);
  assert.ok(Math.abs(p[4] - 0.25) < 1e-6);
});

test('rprelu: prelu(x - shiftIn) + shiftOut per channel', () => {
  const b = new ModelBuilder('r', [2, 1, 1]);
  b.add('rp', 'rprelu', {}, { slope: tensor([2], new Float32Array([0.5, 0.25])), shiftIn: tensor([2], new Float32Array([1, -1])), shiftOut: tensor([2], new Float32Array([10, 20])) });
  const y = runReference(b.build(), tensor([1, 2, 1, 1], new Float32Array([0, -3])));
  assert.deepEqual(Array.from(y.data), [0.5 * -1 + 10, 0.25 * -2 + 20]);
});

test('runReference rejects a wrong input shape naming expected and got', () => {
  assert.throws(() => runReference(smallCnn(), tensor([1, 1, 10, 12])), (e: unknown) => e instanceof ExecutionError && /expected shape \[N,1,12,12\], got \[1,1,10,12\]/.test(e.message));
});

test('a layer shape mismatch names the layer', () => {
  const b = new ModelBuilder('bad', [5]);
  b.add('fc', 'dense', {}, { weight: tensor([2, 4]) });
  assert.throws(() => runReference(b.build(), tensor([1, 5])), (e: unknown) => e instanceof ExecutionError && /layer 'fc' \(dense\)/.test(e.message) && /expects 4/.test(e.message));
});

test('onLayer sees every layer in order; batch rows are independent', () => {
  const m = smallCnn();
  const seen: string[] = [];
  const x = tensor([2, 1, 12, 12], Float32Array.from({ length: 288 }, (_, i) => Math.sin(i)));
  const y2 = runReference(m, x, (l, out, i) => seen.push(`${i}:${l.name}:${out.shape[0]}`));
  assert.deepEqual(seen.map((s) => s.split(':')[1]), m.graph.layers.map((l) => l.name));
  const y1 = runReference(m, tensor([1, 1, 12, 12], x.data.slice(144)));
  assert.deepEqual(Array.from(y2.data.slice(5)), Array.from(y1.data));
});

test('ternary layers: dequantized trits and ternarized activations', () => {
  const trits = Int8Array.from([1, 0, -1, -1, 1, 0]);
  const deq = dequantizeTrits({ kind: 'trits', shape: [2, 3], count: 6, bytes: packTrits(trits) }, { scale: { pos: 0.5, neg: 0.25 } });
  assert.deepEqual(Array.from(deq.data), [0.5, 0, -0.25, -0.25, 0.5, 0]);
  const act = ternarizeActivation(tensor([5], new Float32Array([0.3, 0.2, 0, -0.1, -0.5])), { thresholds: { pos: 0.2, neg: -0.1 }, scale: 2 });
  assert.deepEqual(Array.from(act.data), [2, 0, 0, 0, -2]); // ties at a threshold go to 0
  const model: TnnModel = {
    graph: { name: 't', inputs: [{ name: 'input', shape: [3] }], outputs: ['fc'], layers: [{
      name: 'fc', op: 'dense', inputs: ['input'], outputs: ['fc'], attrs: {}, weights: { bias: 'fc.bias' },
      weightQuant: { method: 'twn', thresholds: { pos: 0.1, neg: -0.1 }, scale: { pos: 0.5, neg: 0.25 }, gamma: null, trits: 'fc.trits' },
      actQuant: { thresholds: { pos: 0.5, neg: -0.5 }, scale: 1, gamma: null, variant: 'gaussian' },
    }] },
    tensors: new Map<string, StoredTensor>([['fc.trits', { kind: 'trits' as const, shape: [2, 3], count: 6, bytes: packTrits(trits) }], ['fc.bias', tensor([2], new Float32Array([1, 2]))]]),
    provenance: { toolVersion: 'test', date: '' },
  };
  // input → ternarized [1, 0, -1]; rows [0.5,0,-0.25]·[1,0,-1] = 0.75, [-0.25,0.5,0]·[1,0,-1] = -0.25
  const y = runReference(model, tensor([1, 3], new Float32Array([0.9, 0.4, -0.7])));
  assert.deepEqual(Array.from(y.data), [1.75, 1.75]);
});
