import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runReference } from '../../../src/core/exec/reference';
import { readTnnFile } from '../../../src/core/format/index';
import type { FloatModel } from '../../../src/core/graph/types';
import { importModel } from '../../../src/core/import/index';
import { initTf } from '../../../src/core/train/backend';
import { loadTrainData, subset } from '../../../src/core/train/training-data';
import { TrainingCancelled } from '../../../src/core/train/progress';
import { trainQat } from '../../../src/core/train/qat/train-qat';
import { CheckpointError } from '../../../src/core/train/qat/checkpoint';
import { buildSampleModel } from '../../../src/core/train/sample-models';
import { saveLayersModel } from '../../../src/core/train/save-layers';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tritscope-qat-'));
const TEST_N = 200;
let modelCache: FloatModel | undefined;

/** A seeded (untrained) sample CNN saved as TF.js Layers and imported like a user's model. */
async function floatModel(): Promise<FloatModel> {
  if (modelCache) return modelCache;
  const { tf } = await initTf({ prefer: 'wasm' });
  const m = buildSampleModel(tf, 'cnn', 7);
  await saveLayersModel(tf, m, path.join(dir, 'float'));
  m.dispose();
  modelCache = await importModel(path.join(dir, 'float', 'model.json'));
  return modelCache;
}

function top1(logits: Float32Array, labels: Int32Array, n: number, k: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) {
    let b = 0;
    for (let j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + b]) b = j;
    if (b === labels[i]) c++;
  }
  return c / n;
}

const base = { data: 'fashion-mnist:train', epochs: 1, limit: 192, batch: 64, testLimit: TEST_N, seed: 3 } as const;

test('1-epoch two-stage KD QAT writes a valid .tnn whose reference accuracy equals the training loop\'s eval', async () => {
  const model = await floatModel();
  const srcFile = path.join(dir, 'float', 'weights.bin');
  const before = createHash('sha256').update(readFileSync(srcFile)).digest('hex');
  const out = path.join(dir, 'two-stage.tnn');
  const events: { stage: number }[] = [];
  const r = await trainQat({ ...base, model, kd: true, twoStage: true, out, onProgress: (p) => events.push(p) });
  assert.deepEqual([...new Set(events.map((e) => e.stage))], [1, 2]);
  const tnn = await readTnnFile(out);
  const ternary = tnn.graph.layers.filter((l) => l.weightQuant).map((l) => l.name);
  assert.deepEqual(ternary, ['conv2', 'conv3', 'dense1']);
  for (const l of tnn.graph.layers.filter((x) => x.weightQuant)) {
    assert.equal(l.weightQuant!.method, 'asym-uniform');
    assert.ok(l.weightQuant!.thresholds.neg < l.weightQuant!.thresholds.pos);
    assert.equal(l.weightQuant!.scale.pos, l.weightQuant!.scale.neg, 'symmetric scale (Eq. 6)');
    assert.ok(l.actQuant, `${l.name} has ternary input activations`);
  }
  assert.ok(tnn.graph.layers.some((l) => l.op === 'rprelu'), 'ReLUs before ternary layers became RPReLU');
  const test = subset(loadTrainData('fashion-mnist:test'), TEST_N);
  const y = runReference(tnn, { shape: [TEST_N, ...test.sampleShape], data: test.images });
  assert.equal(top1(y.data, test.labels, TEST_N, 10), r.accuracy);
  assert.equal(tnn.provenance.ternaryAccuracy, r.accuracy);
  assert.equal(createHash('sha256').update(readFileSync(srcFile)).digest('hex'), before, 'source model untouched');
  assert.ok(!existsSync(`${out}.ckpt`), 'checkpoint removed after success');
});

test('TTQ and TWN weight-only QAT export their methods and match the reference too', async () => {
  const model = await floatModel();
  const test = subset(loadTrainData('fashion-mnist:test'), TEST_N);
  for (const method of ['ttq', 'twn'] as const) {
    const r = await trainQat({ ...base, model, method, acts: false });
    const tnn = r.tnn;
    const layers = tnn.graph.layers.filter((l) => l.weightQuant);
    assert.equal(layers.length, 3);
    assert.ok(layers.every((l) => l.weightQuant!.method === method && !l.actQuant));
    assert.ok(!tnn.graph.layers.some((l) => l.op === 'rprelu'));
    const y = runReference(tnn, { shape: [TEST_N, ...test.sampleShape], data: test.images });
    assert.equal(top1(y.data, test.labels, TEST_N, 10), r.accuracy, method);
  }
});

test('an aborted run stops, rejects with TrainingCancelled and leaves no .tnn', async () => {
  const model = await floatModel();
  const out = path.join(dir, 'cancel.tnn');
  const ac = new AbortController();
  await assert.rejects(
    trainQat({ ...base, model, out, signal: ac.signal, onProgress: () => ac.abort() }),
    (e: unknown) => e instanceof TrainingCancelled,
  );
  assert.ok(!existsSync(out));
});

test('--resume continues from the per-epoch checkpoint of a cancelled run', async () => {
  const model = await floatModel();
  const out = path.join(dir, 'resume.tnn');
  const ac = new AbortController();
  const opts = { ...base, model, epochs: 2, out };
  await assert.rejects(trainQat({ ...opts, signal: ac.signal, onProgress: (p) => { if (p.epoch === 2) ac.abort(); } }));
  assert.ok(existsSync(`${out}.ckpt`), 'epoch-1 checkpoint kept');
  assert.ok(!existsSync(out));
  const logs: string[] = [];
  const epochsSeen = new Set<number>();
  const r = await trainQat({ ...opts, resume: true, log: (l) => logs.push(l), onProgress: (p) => epochsSeen.add(p.epoch) });
  assert.ok(logs.some((l) => l.includes('resuming')), logs.join('\n'));
  assert.deepEqual([...epochsSeen], [2], 'only the missing epoch is trained');
  assert.ok(existsSync(out) && !existsSync(`${out}.ckpt`));
  assert.equal(r.stages[0].epochs, 1);
  // A checkpoint written with other options is refused rather than silently mixed in.
  const ac2 = new AbortController();
  await assert.rejects(trainQat({ ...opts, signal: ac2.signal, onProgress: (p) => { if (p.epoch === 2) ac2.abort(); } }));
  await assert.rejects(trainQat({ ...opts, lr: 0.01, resume: true }), (e: unknown) => e instanceof CheckpointError && /different options/.test(e.message));
  rmSync(`${out}.ckpt`, { force: true });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
