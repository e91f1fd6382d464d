import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import { storageAccounting } from '../../../src/core/bench/storage';
import { encodeNpy } from '../../../src/core/data/index';
import { runReference } from '../../../src/core/exec/reference';
import { peekTnnHeader, serializeTnn, writeTnnFile } from '../../../src/core/format/index';
import { tensor } from '../../../src/core/tensor';
import { act, ModelBuilder, randomTensor, rng } from './random-model';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await runCli(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false, signal: new AbortController().signal });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'];

function model() {
  const r = rng(77);
  const b = new ModelBuilder(r, [1, 8, 8]);
  let x = b.conv('input', 1, 4, 3, { pads: [1, 1, 1, 1] });
  x = b.op('relu', [x]);
  x = b.conv(x, 4, 6, 3, { strides: [2, 2], pads: [1, 1, 1, 1] }, { sym: true, act: act(r) });
  x = b.batchnorm(x, 6);
  x = b.op('relu', [x]);
  x = b.op('flatten', [x]);
  x = b.dense(x, 96, 7);
  x = b.op('softmax', [x]);
  return b.build(x, LABELS);
}

async function fixture(): Promise<{ file: string; npy: string }> {
  const file = path.join(dir, 'm.tnn');
  await writeTnnFile(file, model());
  const npy = path.join(dir, 'x.npy');
  writeFileSync(npy, encodeNpy({ dtype: '<f4', shape: [1, 1, 8, 8], data: randomTensor(rng(3), [1, 1, 8, 8], 0, 1).data }));
  return { file, npy };
}

test('run --json --trace: predicted class and label as the reference, top-5 sorted, one trace row per layer', async () => {
  const { file, npy } = await fixture();
  const res = await cli('run', file, '--input', npy, '--json', '--trace');
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  const m = model();
  const x = tensor([1, 1, 8, 8], randomTensor(rng(3), [1, 1, 8, 8], 0, 1).data);
  const ref = runReference(m, x).data;
  const refClass = ref.indexOf(Math.max(...ref));
  assert.equal(out.predicted, refClass);
  assert.equal(out.label, LABELS[refClass]);
  assert.equal(out.agree, true);
  assert.equal(out.top5.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(out.top5[i - 1].probability >= out.top5[i].probability);
  assert.ok(Math.abs(out.top5[0].probability - ref[refClass]) < 1e-6);
  assert.deepEqual(out.trace.map((t: { name: string }) => t.name), m.graph.layers.map((l) => l.name));
  for (const t of out.trace) assert.ok(t.divergence.relL2 < 1e-5 && t.divergence.cosine > 0.99999, t.name);
  assert.deepEqual(out.trace[2].shape, [1, 6, 4, 4]);
});

test('run text output and --engine reference agree on the predicted class', async () => {
  const { file } = await fixture();
  const packed = await cli('run', file, '--input', 'random:5', '--trace');
  const reference = await cli('run', file, '--input', 'random:5', '--engine', 'reference', '--json');
  assert.equal(packed.code, 0, packed.stderr);
  assert.equal(reference.code, 0, reference.stderr);
  const cls = JSON.parse(reference.stdout).predicted;
  assert.match(packed.stdout, new RegExp(`predicted: ${cls} \\(${LABELS[cls]}\\)`));
  for (const l of model().graph.layers) assert.ok(packed.stdout.includes(l.name), l.name);
  assert.match(packed.stdout, /relL2/);
});

test('run rejects a .npy of the wrong dtype or shape and bad usage', async () => {
  const { file } = await fixture();
  const bad = path.join(dir, 'bad.npy');
  writeFileSync(bad, encodeNpy({ dtype: '<i4', shape: [1, 1, 8, 8], data: new Int32Array(64) }));
  const r1 = await cli('run', file, '--input', bad);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /bad\.npy.*<i4/);
  const wrong = path.join(dir, 'wrong.npy');
  writeFileSync(wrong, encodeNpy({ dtype: '<f4', shape: [1, 3, 5, 5], data: new Float32Array(75) }));
  const r2 = await cli('run', file, '--input', wrong);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /wrong\.npy/);
  assert.equal((await cli('run', file)).code, 2);
  assert.equal((await cli('run', file, '--input', 'random', '--engine', 'gpu')).code, 2);
});

test('eval --engine packed gives the reference engine accuracy', async () => {
  const { file } = await fixture();
  const n = 12;
  const xs = randomTensor(rng(9), [n, 1, 8, 8], 0, 1);
  const labels = new Int32Array(n).map((_, i) => i % 7);
  const xf = path.join(dir, 'ex.npy'), yf = path.join(dir, 'ey.npy');
  writeFileSync(xf, encodeNpy({ dtype: '<f4', shape: [n, 1, 8, 8], data: xs.data }));
  writeFileSync(yf, encodeNpy({ dtype: '<i4', shape: [n], data: labels }));
  const a = await cli('eval', file, '--data', `npy:${xf},${yf}`, '--engine', 'packed', '--json');
  const b = await cli('eval', file, '--data', `npy:${xf},${yf}`, '--engine', 'reference', '--json');
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout));
});

test('bench bits per trit is 8·Σ⌈count/5⌉ / Σcount over the packed tensors', async () => {
  const m = model();
  const { bitsPerTrit } = storageAccounting(await peekTnnHeader(serializeTnn(m), 'model.tnn'));
  let bytes = 0, count = 0;
  for (const t of m.tensors.values()) if ('kind' in t) { bytes += Math.ceil(t.count / 5); count += t.count; }
  assert.ok(count > 0);
  assert.ok(Math.abs(bitsPerTrit - (8 * bytes) / count) < 1e-12);
});
