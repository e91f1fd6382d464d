/**
 * `tritscope run` on a float model (reference executor chosen by itself), the raw output values
 * in --json and --output .npy, and the ranking of near-equal logits (issue #12 defect 4: their
 * float32 softmax rounds to equal probabilities, which used to report class 0 and top-5 [0..4]).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { encodeNpy, readNpy } from '../../../src/core/data/index';
import { runReference } from '../../../src/core/exec/reference';
import { writeTnnFile } from '../../../src/core/format/index';
import { exportOnnx } from '../../../src/core/import/index';
import { tensor } from '../../../src/core/tensor';
import { ModelBuilder } from '../import/model-builders';
import { cli } from './cli-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-run-float-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Logits = the input itself (a ReLU of positive values): classes 0…9 get 1e-9·i, distinct in float32. */
function nearTies(): { onnx: string; tnn: Promise<string>; npy: string; x: Float32Array } {
  const b = new ModelBuilder('ties', [10]);
  b.add('logits', 'relu');
  const m = b.build();
  const onnx = path.join(dir, 'ties.onnx');
  writeFileSync(onnx, exportOnnx(m));
  const x = Float32Array.from({ length: 10 }, (_, i) => 1e-9 * i);
  const npy = path.join(dir, 'ties.npy');
  writeFileSync(npy, encodeNpy({ dtype: '<f4', shape: [1, 10], data: x }));
  const tnnFile = path.join(dir, 'ties.tnn');
  const tnn = writeTnnFile(tnnFile, { graph: m.graph, tensors: m.tensors, provenance: { toolVersion: 'test', date: '2026-01-01' } }).then(() => tnnFile);
  return { onnx, tnn, npy, x };
}

test('near-equal logits: run ranks the raw outputs on both engines, the softmax probabilities are all equal', async () => {
  const { onnx, tnn, npy } = nearTies();
  for (const [file, engine] of [[onnx, 'reference'], [await tnn, 'packed']]) {
    const r = await cli('run', file, '--input', npy, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.engine, engine);
    assert.equal(out.predicted, 9, `${engine}: predicted`);
    assert.deepEqual(out.top5.map((t: { class: number }) => t.class), [9, 8, 7, 6, 5], `${engine}: top-5`);
    // The reason ranking probabilities failed: in float32 they are all the same number.
    assert.equal(new Set(out.top5.map((t: { probability: number }) => t.probability)).size, 1);
  }
});

test('run on a float model uses the reference executor without --engine; --json and --output carry the raw output', async () => {
  const b = new ModelBuilder('mlp', [6], 5);
  b.add('fc1', 'dense', {}, { weight: b.randn([8, 6]), bias: b.randn([8]) });
  b.add('relu', 'relu');
  b.add('fc2', 'dense', {}, { weight: b.randn([4, 8]), bias: b.randn([4]) });
  const m = b.build();
  const file = path.join(dir, 'mlp.onnx');
  writeFileSync(file, exportOnnx(m));
  const x = Float32Array.from([0.5, -1, 0.25, 2, -0.75, 1]);
  const npy = path.join(dir, 'x.npy');
  writeFileSync(npy, encodeNpy({ dtype: '<f4', shape: [1, 6], data: x }));
  const outNpy = path.join(dir, 'out.npy');
  const r = await cli('run', file, '--input', npy, '--json', '--output', outNpy);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const ref = runReference(m, tensor([1, 6], x));
  assert.equal(out.engine, 'reference');
  assert.deepEqual(out.output.shape, [1, 4]);
  assert.deepEqual(out.output.values, Array.from(ref.data));
  const written = readNpy(outNpy);
  assert.deepEqual(written.shape, [1, 4]);
  assert.deepEqual(Array.from(written.data as Float32Array), Array.from(ref.data));
  // Text mode says which engine ran; asking for the packed engine on a float model is a clear error.
  assert.match((await cli('run', file, '--input', npy)).stdout, /\[reference engine\]/);
  const packed = await cli('run', file, '--input', npy, '--engine', 'packed');
  assert.equal(packed.code, 1);
  assert.match(packed.stderr, /packed engine runs \.tnn models/);
});
