import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runReference } from '../../../src/core/exec/reference';
import { readTnnFile } from '../../../src/core/format/index';
import { loadTrainData, subset } from '../../../src/core/train/training-data';
import { cli } from '../cli/cli-helpers';

const SAMPLE = path.join(process.cwd(), 'samples', 'models', 'fashion-cnn.onnx');
const TEST_N = 200;

test('quantize --qat --method admm trains the sample CNN and exports a readable .tnn that scores as trained', async () => {
  assert.ok(existsSync(SAMPLE), `${SAMPLE} (the repository's sample model)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tritscope-admm-'));
  const out = path.join(dir, 'cnn.admm.qat.tnn');
  const r = await cli('quantize', SAMPLE, '--qat', '--method', 'admm', '--data', 'fashion-mnist:train', '--limit', '320', '--test-limit', String(TEST_N),
    '--epochs', '1', '--batch', '32', '--admm-interval', '2', '--progress', 'json', '-o', out);
  assert.equal(r.code, 0, r.stderr);
  const done = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { type: string; accuracy: number };
  assert.equal(done.type, 'done');
  const tnn = await readTnnFile(out);
  const ternary = tnn.graph.layers.filter((l) => l.weightQuant);
  assert.equal(ternary.length, 3, 'first and last weight layers stay float');
  for (const l of ternary) {
    const q = l.weightQuant!;
    assert.equal(q.method, 'admm');
    assert.equal(q.thresholds.neg, -q.thresholds.pos, 'symmetric thresholds ±α/2');
    assert.equal(q.scale.pos, q.scale.neg);
    assert.equal(q.options?.admmRho, 10);
    assert.ok((q.options?.admmFinalRho as number) > 10, 'ρ grew with the dual updates');
    assert.ok(l.actQuant, 'W+A by default');
  }
  assert.equal(tnn.provenance.method, 'qat-admm');
  // The accuracy the loop reported is the exported file's under the reference executor.
  const test = subset(loadTrainData('fashion-mnist:test'), TEST_N);
  const y = runReference(tnn, { shape: [TEST_N, ...test.sampleShape], data: test.images });
  let hits = 0;
  for (let i = 0; i < TEST_N; i++) {
    let b = 0;
    for (let j = 1; j < 10; j++) if (y.data[i * 10 + j] > y.data[i * 10 + b]) b = j;
    if (b === test.labels[i]) hits++;
  }
  assert.equal(hits / TEST_N, done.accuracy);
  assert.ok(done.accuracy > 0.3, `accuracy ${done.accuracy} (10 classes: chance is 0.1)`);
  assert.ok(!existsSync(`${out}.ckpt`), 'checkpoint removed after success');
  rmSync(dir, { recursive: true, force: true });
});
