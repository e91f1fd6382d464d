import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { mulberry32 } from '../../../src/core/rng';
import { runReference } from '../../../src/core/exec/reference';
import type { FloatModel } from '../../../src/core/graph/types';
import { exportOnnx, importModel, SUPPORTED_ONNX_OPS } from '../../../src/core/import/index';
import { tensor } from '../../../src/core/tensor';
import { branchyCnn, ModelBuilder, smallCnn } from './model-builders';
import { relDiff, runOrt } from './ort-helper';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-onnx-'));

function randomInput(m: FloatModel, batch: number, seed: number) {
  const r = mulberry32(seed);
  const shape = [batch, ...m.graph.inputs[0].shape];
  return tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1));
}

async function roundTrip(m: FloatModel, name: string): Promise<{ bytes: Uint8Array; back: FloatModel }> {
  const bytes = exportOnnx(m);
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  return { bytes, back: await importModel(file) };
}

test('exportOnnx → importModel keeps layers, attributes and weights', async () => {
  const m = smallCnn();
  const { back } = await roundTrip(m, 'small');
  assert.equal(back.source.format, 'onnx');
  assert.match(back.source.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(back.graph.inputs, m.graph.inputs);
  assert.deepEqual(back.graph.layers.map((l) => l.op), m.graph.layers.map((l) => l.op));
  for (const [i, l] of m.graph.layers.entries()) {
    const b = back.graph.layers[i];
    assert.equal(b.name, `/${l.name}/${b.name.split('/')[2]}`);
    for (const [role, tn] of Object.entries(l.weights)) {
      assert.deepEqual(back.tensors.get(b.weights[role])?.data, m.tensors.get(tn)?.data, `${l.name}.${role}`);
    }
    for (const k of ['strides', 'pads', 'kernel', 'group', 'epsilon', 'countIncludePad']) {
      if (l.attrs[k] !== undefined) assert.deepEqual(b.attrs[k], typeof l.attrs[k] === 'number' ? Math.fround(l.attrs[k] as number) : l.attrs[k], `${l.name}.${k}`);
    }
  }
  assert.ok(back.tensors.has('conv1.weight'), 'PyTorch-style initializer names');
});

for (const [name, build] of [['small CNN (conv+bn+relu+pool+flatten+gemm+softmax)', smallCnn], ['depthwise/grouped conv, PRelu, LeakyRelu, Clip, Add, GAP, Reshape', branchyCnn]] as const) {
  test(`onnxruntime-web agrees with runReference: ${name}`, async () => {
    const m = build();
    const { bytes, back } = await roundTrip(m, name.split(' ')[0].replace(/\W/g, '_'));
    for (const seed of [1, 2]) {
      const x = randomInput(m, 3, seed);
      const ours = runReference(back, x);
      const orig = runReference(m, x);
      const theirs = await runOrt(bytes, x);
      assert.deepEqual(theirs.shape, ours.shape);
      assert.ok(relDiff(ours.data, theirs.data) <= 1e-4, `rel diff ${relDiff(ours.data, theirs.data)}`);
      assert.ok(relDiff(orig.data, ours.data) <= 1e-6);
    }
  });
}

test('SUPPORTED_ONNX_OPS lists the documented ops', () => {
  for (const op of ['Conv', 'Gemm', 'MatMul', 'Add', 'BatchNormalization', 'Relu', 'PRelu', 'LeakyRelu', 'Clip', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Flatten', 'Reshape', 'Softmax', 'Identity', 'Dropout', 'Constant']) {
    assert.ok(SUPPORTED_ONNX_OPS.includes(op), op);
  }
});

test('importing never modifies the source file', async () => {
  const bytes = exportOnnx(smallCnn());
  const file = path.join(dir, 'untouched.onnx');
  writeFileSync(file, bytes);
  await importModel(file);
  assert.deepEqual(new Uint8Array(readFileSync(file)), bytes);
});

test('a dense softmax model keeps a [N, classes] output', async () => {
  const b = new ModelBuilder('mlp', [6]);
  b.add('fc', 'dense', {}, { weight: b.randn([4, 6]), bias: b.randn([4]) });
  b.add('sm', 'softmax', { axis: -1 });
  const m = b.build();
  const { bytes, back } = await roundTrip(m, 'mlp');
  const x = randomInput(m, 2, 5);
  assert.ok(relDiff(runReference(back, x).data, (await runOrt(bytes, x)).data) <= 1e-4);
});
