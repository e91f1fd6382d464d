/**
 * Depthwise and grouped convolutions (MobileNet, EfficientNet, ResNeXt) on every path: the
 * reference kernel against onnxruntime, TF.js (the bench baseline and QAT, depthwiseConv2d for
 * one input channel per group, split/conv/concat otherwise) including a QAT gradient step with
 * ternary fake quantization, the packed engine with ternary weights, and the cost model.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tfForward } from '../../../src/core/bench/tf-baseline';
import { builtinProfiles, modelCost } from '../../../src/core/cost';
import { mulberry32 } from '../../../src/core/rng';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { runReference } from '../../../src/core/exec/reference';
import type { FloatModel, TnnModel } from '../../../src/core/graph/types';
import { exportOnnx } from '../../../src/core/import/index';
import { inputToTf } from '../../../src/core/ops/index';
import { quantizeModel } from '../../../src/core/quant/index';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { QatNet } from '../../../src/core/train/qat/qat-net';
import { relDiff, runOrt } from '../import/ort-helper';
import { ModelBuilder } from '../import/model-builders';

/** conv (float) → grouped or depthwise conv → relu → conv: the middle one is ternarized by default --keep-float. */
function net(kind: 'depthwise' | 'grouped'): FloatModel {
  const b = new ModelBuilder(kind, [4, 9, 9], kind.length);
  b.add('stem', 'conv2d', { pads: [1, 1, 1, 1] }, { weight: b.randn([6, 4, 3, 3]) });
  if (kind === 'depthwise') b.add('mid', 'conv2d', { strides: [2, 2], pads: [1, 0, 1, 2], group: 6 }, { weight: b.randn([12, 1, 3, 3]), bias: b.randn([12]) });
  else b.add('mid', 'conv2d', { pads: [1, 1, 1, 1], group: 3 }, { weight: b.randn([12, 2, 3, 3]), bias: b.randn([12]) });
  b.add('relu', 'relu');
  b.add('head', 'conv2d', {}, { weight: b.randn([5, 12, 1, 1]) });
  return b.build();
}

function input(seed: number): Tensor {
  const r = mulberry32(seed);
  return tensor([2, 4, 9, 9], Float32Array.from({ length: 2 * 4 * 81 }, () => r() * 2 - 1));
}

const asTnn = (m: FloatModel): TnnModel => ({ graph: m.graph, tensors: m.tensors, provenance: { toolVersion: 'test', date: '2026-01-01' } });

for (const kind of ['depthwise', 'grouped'] as const) {
  test(`${kind} convolution: reference = onnxruntime = TF.js = QAT forward; cost counts MACs per group`, async () => {
    const m = net(kind);
    const x = input(3);
    const ref = runReference(m, x);
    assert.ok(relDiff(ref.data, (await runOrt(exportOnnx(m), x)).data) < 1e-5, 'onnxruntime');
    await tf.setBackend('cpu');
    assert.ok(relDiff(tfForward(tf, asTnn(m))(x), ref.data) < 1e-5, 'TF.js');
    const q = new QatNet(tf, m, { quant: { method: 'twn', uniform: false, asymmetric: false }, rprelu: false, keepFloat: m.graph.layers.map((l) => l.name) });
    try {
      const y = tf.tidy(() => tf.transpose(q.forward(inputToTf(tf, x), false), [0, 3, 1, 2]));
      assert.ok(relDiff(y.dataSync() as Float32Array, ref.data) < 1e-5, 'QAT forward');
      y.dispose();
    } finally {
      q.dispose();
    }
    const mid = modelCost(asTnn(m), builtinProfiles()[0]).layers[1];
    const outElems = ref.data.length / 2 / 5 * 12; // mid's output per sample: 12 channels at the head's spatial size
    assert.equal(mid.macs.total, outElems * (kind === 'depthwise' ? 9 : 18), 'MACs = outputs × (C/group)·kh·kw');
  });

  test(`${kind} convolution: a QAT training step with ternary fake quantization gives finite gradients of the weight's shape`, async () => {
    const m = net(kind);
    await tf.setBackend('cpu');
    const q = new QatNet(tf, m, { quant: { method: 'twn', uniform: false, asymmetric: false }, rprelu: false, keepFloat: ['stem', 'head'] });
    try {
      assert.deepEqual(q.ternaryLayers, ['mid']);
      q.quantWeights = true;
      const weight = q.vars.get('mid')!.weight;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(q.forward(inputToTf(tf, input(4)), true))) as tf.Scalar, [weight]);
      const g = grads[weight.name];
      assert.deepEqual(g.shape, weight.shape);
      const gd = g.dataSync();
      assert.ok(gd.every(Number.isFinite) && gd.some((v) => v !== 0), 'gradient reaches the grouped weights');
      value.dispose();
      g.dispose();
    } finally {
      q.dispose();
    }
  });

  test(`${kind} convolution with ternary weights: the packed engine equals the reference on the .tnn`, async () => {
    const t = await quantizeModel(net(kind), { method: 'twn' });
    assert.ok(t.graph.layers.find((l) => l.name === 'mid')!.weightQuant, 'mid is ternary');
    const x = input(5);
    const engine = await loadPackedEngine(t);
    assert.ok(relDiff(engine.run(x).data, runReference(t, x).data) < 1e-5);
  });
}

test('a dilated grouped convolution runs in TF.js forward, but QAT refuses it by name (TF.js has no gradient for dilations)', async () => {
  const b = new ModelBuilder('dilated', [4, 9, 9], 2);
  b.add('mid', 'conv2d', { dilations: [2, 2], pads: [2, 2, 2, 2], group: 2 }, { weight: b.randn([6, 2, 3, 3]) });
  const m = b.build();
  const x = input(6);
  await tf.setBackend('cpu');
  assert.ok(relDiff(tfForward(tf, asTnn(m))(x), runReference(m, x).data) < 1e-5);
  assert.ok(relDiff(runReference(m, x).data, (await runOrt(exportOnnx(m), x)).data) < 1e-5);
  assert.throws(() => new QatNet(tf, m, { quant: { method: 'twn', uniform: false, asymmetric: false }, rprelu: false }), /layer 'mid' \(conv2d\): TF\.js has no gradient for dilated convolutions/);
});
