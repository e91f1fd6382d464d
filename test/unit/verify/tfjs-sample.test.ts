/**
 * The TF.js Layers sample (samples/models/fashion-cnn/model.json) run by TF.js itself
 * (tf.loadLayersModel, cpu backend) versus our importer + runReference and
 * `tritscope eval`, on the first 500 Fashion-MNIST test images. Checks the NHWC→NCHW
 * weight conversion and the flatten permutation on a real trained model; onnxruntime
 * on fashion-cnn.onnx (same trained weights) is the third opinion.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runReference } from '../../../src/core/exec/reference';
import { importModel } from '../../../src/core/import/index';
import { cli } from '../cli/cli-helpers';
import { argmax, fashionTest, ortOutputs, SAMPLES } from './independent';

const N = 500;
const MODEL_JSON = path.join(SAMPLES, 'fashion-cnn', 'model.json');

/** tf.io handler reading model.json and its weight shards from disk (TF.js's own file:// loader needs tfjs-node). */
function fileHandler(file: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const specs: tf.io.WeightsManifestEntry[] = [];
      const shards: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          const b = readFileSync(path.join(path.dirname(file), p));
          shards.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
        }
      }
      return { modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy, weightSpecs: specs, weightData: tf.io.concatenateArrayBuffers(shards) };
    },
  };
}

test(`fashion-cnn model.json: TF.js predictions equal runReference after our importer on ${N} test images`, async (t) => {
  assert.ok(existsSync(MODEL_JSON), `${MODEL_JSON} is missing (npm run sample)`);
  await tf.setBackend('cpu');
  const images = fashionTest(N);
  const tfModel = await tf.loadLayersModel(fileHandler(MODEL_JSON));
  // One grey channel: NHWC [n,28,28,1] and NCHW [n,1,28,28] share the same memory order.
  const x = tf.tensor4d(images.pixels, [N, images.rows, images.cols, 1]);
  const y = tfModel.predict(x) as tf.Tensor;
  const theirs = y.dataSync() as Float32Array;
  const k = y.shape[1] as number;
  tf.dispose([x, y]);
  tfModel.dispose();

  const model = await importModel(MODEL_JSON);
  assert.deepEqual(model.graph.inputs[0].shape, [1, 28, 28]);
  const ours = runReference(model, { shape: [N, 1, images.rows, images.cols], data: images.pixels });
  assert.deepEqual(ours.shape, [N, k]);
  const ort = await ortOutputs(path.join(SAMPLES, 'fashion-cnn.onnx'), images);

  let maxDiff = 0, agreeTf = 0, agreeOrt = 0, tfCorrect = 0, oursCorrect = 0;
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < k; c++) maxDiff = Math.max(maxDiff, Math.abs(ours.data[i * k + c] - theirs[i * k + c]));
    const a = argmax(theirs, i * k, k), b = argmax(ours.data, i * k, k);
    if (a === b) agreeTf++;
    if (a === argmax(ort.data, i * k, k)) agreeOrt++;
    if (a === images.labels[i]) tfCorrect++;
    if (b === images.labels[i]) oursCorrect++;
  }
  t.diagnostic(`TF.js ${tfCorrect}/${N} correct, ours ${oursCorrect}/${N}; argmax agreement ours ${agreeTf}/${N}, onnxruntime(fashion-cnn.onnx) ${agreeOrt}/${N}; max |Δprob| ${maxDiff.toExponential(2)}`);
  // A wrong NHWC→NCHW or flatten permutation scrambles the features: outputs would differ by O(1).
  assert.ok(maxDiff <= 1e-4, `max |runReference − TF.js| = ${maxDiff}`);
  assert.ok(agreeTf / N >= 0.999, `argmax agreement with TF.js ${agreeTf}/${N}`);
  assert.ok(agreeOrt / N >= 0.999, `TF.js vs onnxruntime on the exported ONNX ${agreeOrt}/${N}`);
  assert.ok(tfCorrect / N > 0.8, `TF.js top-1 ${tfCorrect}/${N}`);

  const ev = await cli('eval', MODEL_JSON, '--data', 'fashion-mnist:test', '--limit', String(N), '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const evalCorrect = Math.round(JSON.parse(ev.stdout).top1 * N);
  assert.equal(evalCorrect, oursCorrect, 'tritscope eval vs runReference');
  assert.ok(Math.abs(evalCorrect - tfCorrect) <= N - agreeTf, `tritscope eval ${evalCorrect} vs TF.js ${tfCorrect} correct`);
});
