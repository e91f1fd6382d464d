import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ImportError } from '../../../src/core/errors';
import { runReference } from '../../../src/core/exec/reference';
import { importModel } from '../../../src/core/import/index';
import { tensor } from '../../../src/core/tensor';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-tfjs-json-'));

/** Writes model.json + one shard holding the given float32 arrays in order. */
function writeModel(name: string, topology: object, weights: { name: string; shape: number[]; values: number[] }[]): string {
  const sub = path.join(dir, name);
  const all = Float32Array.from(weights.flatMap((w) => w.values));
  mkdirSync(sub, { recursive: true });
  writeFileSync(path.join(sub, 'group1-shard1of1.bin'), new Uint8Array(all.buffer));
  const json = { format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map(({ name: n, shape }) => ({ name: n, shape, dtype: 'float32' })) }] };
  const file = path.join(sub, 'model.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

test('Keras-converted functional model (model_config, InputLayer, Keras 3 inbound_nodes, scoped weight names)', async () => {
  const topology = {
    keras_version: '3.4.1', backend: 'tensorflow',
    model_config: { class_name: 'Functional', config: {
      name: 'kmodel',
      layers: [
        { class_name: 'InputLayer', name: 'inp', config: { batch_shape: [null, 3], name: 'inp' }, inbound_nodes: [] },
        { class_name: 'Dense', name: 'd', config: { name: 'd', units: 2, activation: 'relu', use_bias: true }, inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['inp', 0, 0] } }], kwargs: {} }] },
      ],
      input_layers: [['inp', 0, 0]], output_layers: [['d', 0, 0]],
    } },
  };
  const file = writeModel('keras3', topology, [
    { name: 'kmodel/d/kernel', shape: [3, 2], values: [1, 2, 3, 4, 5, 6] }, // [in, out]
    { name: 'kmodel/d/bias', shape: [2], values: [0.5, -100] },
  ]);
  const m = await importModel(file);
  assert.deepEqual(m.graph.inputs, [{ name: 'inp', shape: [3] }]);
  assert.deepEqual(m.tensors.get(m.graph.layers[0].weights.weight)?.shape, [2, 3]);
  const y = runReference(m, tensor([1, 3], new Float32Array([1, 1, 1])));
  assert.deepEqual(Array.from(y.data), [1 + 3 + 5 + 0.5, 0]); // second unit: 12 - 100 → relu → 0
});

test('model.json problems name the file: not a Layers model, truncated shard, bad JSON', async () => {
  const graphModel = path.join(dir, 'graph.json');
  writeFileSync(graphModel, JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
  await assert.rejects(importModel(graphModel), (e: unknown) => e instanceof ImportError && e.message.includes(graphModel) && /class_name/.test(e.message));
  const seq = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'fc', units: 4, batch_input_shape: [null, 8] } }] } };
  const file = writeModel('short', seq, [{ name: 'fc/kernel', shape: [8, 2], values: new Array(16).fill(0) }]);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.weightsManifest[0].weights = [{ name: 'fc/kernel', shape: [8, 4], dtype: 'float32' }, { name: 'fc/bias', shape: [4], dtype: 'float32' }];
  writeFileSync(file, JSON.stringify(json));
  await assert.rejects(importModel(file), (e: unknown) => e instanceof ImportError && /weightsManifest\[0\]: shards 'group1-shard1of1\.bin' hold 64 bytes; the 2 float32 weights listed need 144/.test(e.message));
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, '{"modelTopology": ');
  await assert.rejects(importModel(bad), (e: unknown) => e instanceof ImportError && e.message.startsWith(`${bad}: not valid JSON`));
});
