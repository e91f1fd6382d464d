import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../../src/core/data/index';
import { runReference } from '../../../src/core/exec/reference';
import { importModel } from '../../../src/core/import/index';
import { tensor } from '../../../src/core/tensor';
import { relDiff, runOrt } from './ort-helper';

const fixture = (p: string): string => path.resolve('test/fixtures', p);

test('checked-in fixtures import and agree with onnxruntime on Fashion-MNIST samples', async () => {
  const ds = loadDataset('fashion-mnist:test', { limit: 4 });
  const x = tensor([4, 1, 28, 28], ds.images);
  for (const name of ['fmnist-cnn.onnx', 'fmnist-mlp.onnx']) {
    const m = await importModel(fixture(name));
    assert.deepEqual(m.graph.inputs[0].shape, [1, 28, 28]);
    const ours = runReference(m, x);
    assert.deepEqual(ours.shape, [4, 10]);
    assert.ok(relDiff(ours.data, (await runOrt(readFileSync(fixture(name)), x)).data) <= 1e-4, name);
  }
  const tfjs = await importModel(fixture('tfjs-cnn/model.json'));
  assert.deepEqual(tfjs.graph.layers.map((l) => l.op), ['conv2d', 'relu', 'maxpool', 'flatten', 'dense', 'softmax']);
  const p = runReference(tfjs, x).data;
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(p.slice(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0) - 1) < 1e-5);
});
