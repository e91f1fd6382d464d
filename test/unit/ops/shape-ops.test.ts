/**
 * The ops added for real classifiers, on the variants the op-table example does not take:
 * Pad in edge and constant mode, Transpose of a rank-4 map, PRelu with a broadcast slope and
 * Add of a broadcast constant (onnxruntime-web on the exported ONNX as the oracle, TF.js where
 * it translates), and the hand-computed HardSigmoid / HardSwish / Sigmoid values.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tfForward } from '../../../src/core/bench/tf-baseline';
import { mulberry32 } from '../../../src/core/rng';
import { runReference } from '../../../src/core/exec/reference';
import type { AttrValue, FloatModel, OpType, TnnModel } from '../../../src/core/graph/types';
import { exportOnnx, importOnnxBytes } from '../../../src/core/import/index';
import { tfTranslation } from '../../../src/core/ops/index';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { relDiff, runOrt } from '../import/ort-helper';
import { ModelBuilder } from '../import/model-builders';

const asTnn = (m: FloatModel): TnnModel => ({ graph: m.graph, tensors: m.tensors, provenance: { toolVersion: 't', date: 'd' } });

function one(op: OpType, shape: number[], attrs: Record<string, AttrValue> = {}, weights: Record<string, Tensor> = {}): FloatModel {
  const b = new ModelBuilder(op, shape, 5);
  b.add('op', op, attrs, weights);
  return b.build();
}

function input(shape: number[]): Tensor {
  const r = mulberry32(shape.length);
  return tensor([2, ...shape], Float32Array.from({ length: 2 * shape.reduce((a, b) => a * b, 1) }, () => r() * 8 - 4));
}

async function agree(m: FloatModel, withTf: boolean): Promise<void> {
  const x = input(m.graph.inputs[0].shape);
  const ref = runReference(m, x);
  const bytes = exportOnnx(m);
  assert.ok(relDiff((await runOrt(bytes, x)).data, ref.data) < 1e-6, 'onnxruntime-web');
  assert.ok(relDiff(runReference(importOnnxBytes(bytes, 'm.onnx'), x).data, ref.data) < 1e-7, 're-imported');
  if (withTf) {
    await tf.setBackend('cpu');
    assert.ok(relDiff(tfForward(tf, asTnn(m))(x), ref.data) < 1e-5, 'TF.js');
  }
}

test('pad: edge mode and constant mode with a fill value match onnxruntime; TF.js translates constant, refuses edge by name', async () => {
  const edge = one('pad', [2, 3, 4], { pads: [0, 0, 2, 1, 0, 1, 0, 3], mode: 2, value: 0 });
  await agree(edge, false);
  assert.throws(() => tfTranslation(edge.graph.layers[0]), /edge padding is not supported by the TF\.js translation/);
  await agree(one('pad', [2, 3, 4], { pads: [0, 1, 0, 2, 0, 0, 3, 1], mode: 0, value: -1.5 }), true);
  // The IR never pads the batch.
  assert.throws(() => runReference(one('pad', [3], { pads: [1, 0, 0, 0], mode: 0, value: 0 }), input([3])), /pads the batch axis/);
});

test('transpose of an NCHW map to NHWC matches onnxruntime and TF.js; a perm that moves the batch is refused', async () => {
  await agree(one('transpose', [3, 4, 5], { perm: [0, 2, 3, 1] }), true);
  assert.throws(() => runReference(one('transpose', [3, 4], { perm: [1, 0, 2] }), input([3, 4])), /moves the batch axis/);
});

test('prelu with a slope broadcast along the last axis and add of a broadcast constant match onnxruntime and TF.js', async () => {
  const b = new ModelBuilder('bcast', [3, 4, 5], 7);
  b.add('p', 'prelu', {}, { slope: b.randn([1, 1, 1, 5], 0.5) });
  b.add('a', 'add', {}, { addend: b.randn([1, 3, 1, 5]) });
  await agree(b.build(), true);
});

test('hardsigmoid, hardswish and sigmoid by hand', () => {
  const x = tensor([1, 6], Float32Array.from([-4, -3, -1, 0, 1.5, 3.5]));
  const run = (op: OpType, attrs: Record<string, AttrValue> = {}) => Array.from(runReference(one(op, [6], attrs), x).data);
  const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${a} vs ${b}`));
  close(run('hardsigmoid', { alpha: 1 / 6, beta: 0.5 }), [0, 0, 1 / 3, 0.5, 0.75, 1]);
  close(run('hardsigmoid'), [0, 0, 0.3, 0.5, 0.8, 1]); // ONNX defaults α 0.2, β 0.5
  close(run('hardswish'), [0, 0, -1 / 3, 0, 1.125, 3.5]);
  close(run('sigmoid'), [-4, -3, -1, 0, 1.5, 3.5].map((v) => 1 / (1 + Math.exp(-v))));
});
