import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floatOriginal } from '../../../src/core/exec/float-original';
import { runReference } from '../../../src/core/exec/reference';
import { packTrits } from '../../../src/core/format/index';
import type { TnnModel } from '../../../src/core/graph/types';
import { tensor } from '../../../src/core/tensor';

// dense 3→2 ternarized from latent weights W; the float original must compute x·Wᵀ exactly.
function model(method: string, withLatent: boolean): TnnModel {
  const W = new Float32Array([0.5, -0.2, 0.05, -0.6, 0.3, 0.0]);
  const trits = new Int8Array([1, -1, 0, -1, 1, 0]);
  const tensors = new Map<string, ReturnType<typeof tensor> | { kind: 'trits'; shape: number[]; count: number; bytes: Uint8Array }>([
    ['fc.trits', { kind: 'trits', shape: [2, 3], count: 6, bytes: packTrits(trits) }],
  ]);
  if (withLatent) tensors.set('fc.latent', tensor([2, 3], W));
  return {
    graph: {
      name: 'm', inputs: [{ name: 'x', shape: [3] }], outputs: ['y'],
      layers: [{ name: 'fc', op: 'dense', inputs: ['x'], outputs: ['y'], attrs: {}, weights: { weight: 'fc.trits' },
        weightQuant: { method: 'twn', thresholds: { pos: 0.1, neg: -0.1 }, scale: { pos: 0.4, neg: 0.4 }, gamma: null, trits: 'fc.trits', latent: withLatent ? 'fc.latent' : undefined },
        actQuant: { thresholds: { pos: 0.5, neg: -0.5 }, scale: 1, gamma: null, variant: 'gaussian' } }],
    },
    tensors,
    provenance: { method, toolVersion: 'test', date: '2026-01-01' },
  } as TnnModel;
}

test('floatOriginal rebuilds the float model from latent weights, with float activations', () => {
  const r = floatOriginal(model('twn', true));
  assert.equal(r.kind, 'latent-float');
  const x = tensor([1, 3], new Float32Array([1, 2, 3]));
  const y = runReference(r.model, x);
  assert.deepEqual(Array.from(y.data), [Math.fround(0.5 - 0.4 + 0.15), Math.fround(-0.6 + 0.6 + 0)]);
  assert.equal(r.model.graph.layers[0].actQuant, undefined);
});

test('without latent weights, or after QAT, the reference is the dequantized ternary model', () => {
  assert.equal(floatOriginal(model('twn', false)).kind, 'dequantized-ternary');
  assert.equal(floatOriginal(model('qat-asym-uniform', true)).kind, 'dequantized-ternary');
});
