import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Layer, StoredTensor, TnnModel, WeightQuant } from '../../../src/core/graph/types';
import { ExecutionError } from '../../../src/core/errors';
import { addCost, builtinProfiles, findProfile, inferShapes, modelCost } from '../../../src/core/cost';

const profiles = builtinProfiles();
const cmos = findProfile(profiles, 'binary-cmos-2bit');
const fp32 = findProfile(profiles, 'float32-mac');

function wq(trits: string): WeightQuant {
  return { method: 'twn', thresholds: { pos: 0.1, neg: -0.1 }, scale: { pos: 0.5, neg: 0.4 }, gamma: null, trits };
}

function t(shape: number[], values?: number[]): StoredTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: values ? Float32Array.from(values) : new Float32Array(n).fill(0.3) };
}

function model(inputShape: number[], layers: Layer[], tensors: Record<string, StoredTensor>): TnnModel {
  return {
    graph: { name: 'm', inputs: [{ name: 'x', shape: inputShape }], outputs: [layers[layers.length - 1].outputs[0]], layers },
    tensors: new Map(Object.entries(tensors)),
    provenance: { toolVersion: 'test', date: '2026-01-01' },
  };
}

// Dense 4→3, ternary weights (6 of 12 zero), ternarized input, bias.
const denseTrits = [1, 0, -1, 0, 0, 0, 1, 1, -1, 1, 0, 0];
function denseModel(actQuant: boolean): TnnModel {
  const layer: Layer = {
    name: 'fc', op: 'dense', inputs: ['x'], outputs: ['y'], attrs: {},
    weights: { weight: 'fc.weight', bias: 'fc.bias' }, weightQuant: wq('fc.trits'),
    ...(actQuant ? { actQuant: { thresholds: { pos: 0.5, neg: -0.5 }, scale: 1, gamma: null, variant: 'gaussian' as const } } : {}),
  };
  return model([4], [layer], { 'fc.trits': t([3, 4], denseTrits), 'fc.bias': t([3]) });
}

test('dense 4→3 ternary×ternary: hand-computed MACs, memory, energy', () => {
  const c = modelCost(denseModel(true), cmos).layers[0];
  assert.deepEqual(c.outputShape, [3]);
  assert.equal(c.macKind, 'tt');
  assert.deepEqual(c.macs, { tt: 12, tf: 0, ff: 0, total: 12 });
  assert.equal(c.additions, 3); // bias
  assert.deepEqual(c.params, { ternary: 12, float: 5 }); // 3 bias + αp, αn
  // packed: ⌈12/5⌉·8 = 24; 2-bit: 24; int8: 96; float32: 32·17; floats add 5·32 = 160 (int8 keeps them 32-bit)
  assert.deepEqual(c.weightBits, { packed: 184, twoBit: 184, int8: 256, float32: 544 });
  assert.equal(c.memoryBits, 184); // cmos profile stores 2-bit trits
  assert.ok(Math.abs(c.energyPj - (12 * 0.0105 + 3 * 0.1)) < 1e-12);
  assert.equal(c.zeroSkip.weightZeroFraction, 0.5);
  assert.equal(c.zeroSkip.activationZeroFraction, null);
  assert.equal(c.zeroSkip.skippableMacs, 6);
  assert.ok(Math.abs(c.energySkipPj - (c.energyPj - 6 * 0.0105)) < 1e-12);
  assert.equal(c.peTransistors, 80);
});

test('dense without actQuant is ternary×float; float32 profile costs every MAC as fp32', () => {
  const c = modelCost(denseModel(false), fp32).layers[0];
  assert.equal(c.macKind, 'tf');
  assert.deepEqual(c.macs, { tt: 0, tf: 12, ff: 0, total: 12 });
  assert.ok(Math.abs(c.energyPj - (12 * 4.6 + 3 * 0.9)) < 1e-9);
  assert.equal(c.memoryBits, 544);
});

test('activation sparsity combines with weight zeros (independence) into skippable MACs', () => {
  const c = modelCost(denseModel(true), cmos, { activationSparsity: { fc: 0.5 } }).layers[0];
  assert.equal(c.zeroSkip.activationZeroFraction, 0.5);
  // 12 · (1 − (1 − 0.5)(1 − 0.5)) = 9
  assert.equal(c.zeroSkip.skippableMacs, 9);
});

test('layerStats trit counts are used for zero-skips when trits are packed', () => {
  const m = denseModel(true);
  m.tensors.set('fc.trits', { kind: 'trits', shape: [3, 4], count: 12, bytes: new Uint8Array(3) });
  m.layerStats = { fc: { trits: { neg: 1, zero: 9, pos: 2 }, sparsity: 0.75, entropyBits: 1, relError: 0.1, cosine: 0.9 } };
  const c = modelCost(m, cmos).layers[0];
  assert.equal(c.zeroSkip.weightZeroFraction, 0.75);
  assert.equal(c.zeroSkip.skippableMacs, 9);
});

test('grouped strided padded conv: shape and MACs by hand', () => {
  // input [4,5,5], weight [6, 4/2, 3, 3], stride 2, pad 1 → H' = ⌊(5+2−3)/2⌋+1 = 3
  const conv: Layer = {
    name: 'conv', op: 'conv2d', inputs: ['x'], outputs: ['c'],
    attrs: { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 2 },
    weights: { weight: 'conv.weight', bias: 'conv.bias' }, weightQuant: wq('conv.trits'),
  };
  const trits = Array.from({ length: 108 }, (_, i) => (i % 3) - 1); // one third zeros
  const m = model([4, 5, 5], [conv], { 'conv.trits': t([6, 2, 3, 3], trits), 'conv.bias': t([6]) });
  const c = modelCost(m, cmos).layers[0];
  assert.deepEqual(c.outputShape, [6, 3, 3]);
  assert.equal(c.macKind, 'tf');
  assert.equal(c.macs.tf, 6 * 3 * 3 * (2 * 3 * 3)); // 972
  assert.equal(c.additions, 54);
  assert.equal(c.zeroSkip.skippableMacs, 324); // 972 / 3
  assert.equal(c.weightBits.packed, Math.ceil(108 / 5) * 8 + 8 * 32); // 176 + 6 bias + 2 scales
});

test('dilation and asymmetric pads in shape inference', () => {
  const mk = (attrs: Layer['attrs']): Layer => ({ name: 'c', op: 'conv2d', inputs: ['x'], outputs: ['y'], attrs, weights: { weight: 'w' } });
  const tensors = new Map<string, StoredTensor>([['w', t([1, 1, 3, 3])]]);
  const g = (attrs: Layer['attrs']) =>
    inferShapes({ name: 'g', inputs: [{ name: 'x', shape: [1, 5, 5] }], outputs: ['y'], layers: [mk(attrs)] }, (l, role) => tensors.get(l.weights[role])?.shape).get('y');
  assert.deepEqual(g({ dilations: [2, 2] }), [1, 1, 1, 1]); // batch 1; 5 − 2·2 − 1 + 1
  assert.deepEqual(g({ pads: [1, 0, 0, 0] }), [1, 1, 4, 3]);
});

test('float conv → pool → flatten → dense chain; float MACs are ff', () => {
  const layers: Layer[] = [
    { name: 'c1', op: 'conv2d', inputs: ['x'], outputs: ['a'], attrs: { pads: [1, 1, 1, 1] }, weights: { weight: 'c1.w' } },
    { name: 'bn', op: 'batchnorm', inputs: ['a'], outputs: ['b'], attrs: { epsilon: 1e-5 }, weights: { gamma: 'bn.g', beta: 'bn.b', mean: 'bn.m', var: 'bn.v' } },
    { name: 'p', op: 'maxpool', inputs: ['b'], outputs: ['p'], attrs: { kernel: [2, 2], strides: [2, 2] }, weights: {} },
    { name: 'f', op: 'flatten', inputs: ['p'], outputs: ['f'], attrs: {}, weights: {} },
    { name: 'fc', op: 'dense', inputs: ['f'], outputs: ['y'], attrs: {}, weights: { weight: 'fc.w' } },
  ];
  const m = model([1, 4, 4], layers, { 'c1.w': t([2, 1, 3, 3]), 'fc.w': t([3, 8]), 'bn.g': t([2]), 'bn.b': t([2]), 'bn.m': t([2]), 'bn.v': t([2]) });
  const mc = modelCost(m, cmos);
  const [c1, bn, p, f, fc] = mc.layers;
  assert.deepEqual(c1.outputShape, [2, 4, 4]);
  assert.equal(c1.macs.ff, 2 * 16 * 9);
  assert.equal(bn.macs.ff, 32);
  assert.deepEqual(p.outputShape, [2, 2, 2]);
  assert.equal(p.additions, 8 * 3);
  assert.deepEqual(f.outputShape, [8]);
  assert.equal(fc.macs.ff, 24);
  assert.equal(mc.totals.macs.ff, 288 + 32 + 24);
  assert.equal(mc.totals.zeroSkip.weightZeroFraction, 0); // no exact zeros in float weights
});

test('shape mismatches name the layer', () => {
  const layer: Layer = { name: 'fc', op: 'dense', inputs: ['x'], outputs: ['y'], attrs: {}, weights: { weight: 'w' } };
  const m = model([5], [layer], { w: t([3, 4]) });
  assert.throws(() => modelCost(m, cmos), (e: unknown) => e instanceof ExecutionError && /fc/.test(e.message) && /5 features/.test(e.message));
});

test('addCost attaches per-layer and total cost without touching the input summary', () => {
  const summary = { file: 'x.tnn', layers: [{ name: 'fc', op: 'dense' }], totals: { params: 15 } };
  const out = addCost(summary, denseModel(true), cmos);
  assert.equal(out.layers[0].cost.macs.tt, 12);
  assert.equal(out.totals.cost.macs.total, 12);
  assert.equal(out.totals.params, 15);
  assert.equal(out.costProfile.id, 'binary-cmos-2bit');
  assert.equal('cost' in summary.layers[0], false);
});

test('packed trits without layerStats are counted from the bytes', () => {
  const m = denseModel(true);
  // byte 121 = five 0-trits; 0 = five −1 trits; 242 = five +1 trits → 12 trits: 5 zero, 5 neg, 2 pos
  m.tensors.set('fc.trits', { kind: 'trits', shape: [3, 4], count: 12, bytes: Uint8Array.from([121, 0, 242]) });
  const c = modelCost(m, cmos).layers[0];
  assert.equal(c.zeroSkip.weightZeroFraction, 5 / 12);
  assert.equal(c.zeroSkip.skippableMacs, 5);
});

test('known trit counts (tritCounts option) are used instead of decoding packed trits', () => {
  const m = denseModel(true);
  m.tensors.set('fc.trits', { kind: 'trits', shape: [3, 4], count: 12, bytes: Uint8Array.from([121, 0, 242]) });
  const c = modelCost(m, cmos, { tritCounts: { fc: { neg: 0, zero: 3, pos: 9 } } }).layers[0];
  assert.equal(c.zeroSkip.weightZeroFraction, 0.25);
});
