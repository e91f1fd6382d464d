import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../../src/core/rng';
import { ImportError } from '../../../src/core/errors';
import { runReference } from '../../../src/core/exec/reference';
import { importModel, SUPPORTED_TFJS_LAYERS } from '../../../src/core/import/index';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { relDiff } from './ort-helper';

const root = mkdtempSync(path.join(tmpdir(), 'tritscope-tfjs-'));

/** Saves a tf.LayersModel as model.json + weights.bin in a fresh directory; returns the model.json path. */
async function save(model: tf.LayersModel, name: string): Promise<string> {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : (a.weightData as ArrayBuffer);
    writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(data));
    const json = { format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['./weights.bin'], weights: a.weightSpecs }] };
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return path.join(dir, 'model.json');
}

/** Randomizes every weight (incl. BN statistics, variances kept positive) so the check is not trivial. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const r = mulberry32(seed);
  for (const w of model.weights) {
    const positive = /variance/.test(w.name);
    const vals = Float32Array.from({ length: w.shape.reduce((a: number, b) => a * (b as number), 1) }, () => (positive ? 0.5 + r() : (r() * 2 - 1) * 0.5));
    w.write(tf.tensor(vals, w.shape as number[]));
  }
}

/** NCHW input → NHWC for TF.js, predict, compare with runReference (channel-last outputs transposed back). */
async function compare(model: tf.LayersModel, file: string, inShape: number[], seed: number): Promise<number> {
  const imported = await importModel(file);
  const r = mulberry32(seed);
  const n = 3;
  const x: Tensor = tensor([n, ...inShape], Float32Array.from({ length: n * inShape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1));
  const tfIn = inShape.length === 3 ? tf.tensor4d(x.data, [n, inShape[0], inShape[1], inShape[2]]).transpose([0, 2, 3, 1]) : tf.tensor(x.data, [n, ...inShape]);
  let tfOut = model.predict(tfIn) as tf.Tensor;
  if (tfOut.rank === 4) tfOut = tfOut.transpose([0, 3, 1, 2]);
  const ours = runReference(imported, x);
  assert.deepEqual(ours.shape, tfOut.shape);
  return relDiff(ours.data, tfOut.dataSync() as Float32Array);
}

test('Sequential conv/bn/relu/pool/flatten/dense: runReference equals model.predict (flatten permutation)', async () => {
  await tf.setBackend('cpu');
  const m = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [7, 7, 2], filters: 3, kernelSize: 3, padding: 'same', strides: 2, activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, padding: 'valid' }),
    tf.layers.reLU(),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
    tf.layers.flatten(),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.dense({ units: 5, activation: 'relu' }),
    tf.layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  randomizeWeights(m, 3);
  const file = await save(m, 'seq');
  assert.ok(await compare(m, file, [2, 7, 7], 1) <= 1e-4);
  const imported = await importModel(file);
  assert.equal(imported.source.format, 'tfjs-layers');
  assert.deepEqual(imported.graph.inputs[0].shape, [2, 7, 7]);
  const conv = imported.graph.layers[0];
  assert.deepEqual(conv.attrs.pads, [1, 1, 1, 1]); // in 7, k 3, s 2 → out 4, total pad 2
  assert.deepEqual(imported.tensors.get(conv.weights.weight)?.shape, [3, 2, 3, 3]);
});

test('functional Model with Add, PReLU, average pooling, GlobalAveragePooling2D, Activation', async () => {
  const input = tf.input({ shape: [6, 6, 3] });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false }).apply(input) as tf.SymbolicTensor;
  const s = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
  const p = tf.layers.prelu({ sharedAxes: [1, 2] }).apply(s) as tf.SymbolicTensor;
  const q = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(p) as tf.SymbolicTensor;
  const g = tf.layers.globalAveragePooling2d({}).apply(q) as tf.SymbolicTensor;
  const d = tf.layers.dense({ units: 3 }).apply(g) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax' }).apply(d) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  randomizeWeights(m, 4);
  const file = await save(m, 'functional');
  assert.ok(await compare(m, file, [3, 6, 6], 2) <= 1e-4);
});

test('a Dense-only model on flat features', async () => {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 6, activation: 'relu' }), tf.layers.batchNormalization(), tf.layers.dense({ units: 2 })] });
  randomizeWeights(m, 5);
  assert.ok(await compare(m, await save(m, 'mlp'), [8], 3) <= 1e-4);
});

test('unsupported layer → ImportError naming class_name, layer, file and the supported list', async () => {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, name: 'fc' }), tf.layers.layerNormalization({ name: 'ln' })] });
  const file = await save(m, 'unsupported');
  await assert.rejects(importModel(file), (e: unknown) => e instanceof ImportError && /unsupported layer class_name 'LayerNormalization'/.test(e.message) && /layer 'ln'/.test(e.message) && e.message.includes(file) && /supported layers: .*Conv2D/.test(e.message));
  assert.ok(SUPPORTED_TFJS_LAYERS.includes('DepthwiseConv2D'));
});

test('a missing weight shard is named in the error', async () => {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
  const file = await save(m, 'noshard');
  rmSync(path.join(path.dirname(file), 'weights.bin'));
  await assert.rejects(importModel(file), (e: unknown) => e instanceof ImportError && /weightsManifest\[0\]\.paths\[0\]: '\.\/weights\.bin': not found \(ENOENT\)/.test(e.message) && e.message.includes(file));
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.weightsManifest[0].weights[0].dtype = 'int32';
  writeFileSync(path.join(path.dirname(file), 'weights.bin'), new Uint8Array(40));
  writeFileSync(file, JSON.stringify(json));
  await assert.rejects(importModel(file), (e: unknown) => e instanceof ImportError && /dtype int32; only float32/.test(e.message));
});
