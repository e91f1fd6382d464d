import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/run';
import { importModel } from '../../../src/core/import/index';
import { cli } from '../cli/cli-helpers';

test('tritscope train writes a TF.js Layers model + metrics + ONNX copy that the importers read', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tritscope-train-'));
  const out = path.join(dir, 'mlp');
  const onnx = path.join(dir, 'mlp.onnx');
  const r = await cli('train', '--arch', 'mlp', '--epochs', '1', '--limit', '512', '--seed', '4', '-o', out, '--onnx', onnx, '--progress', 'json');
  assert.equal(r.code, 0, r.stderr);
  const done = JSON.parse(r.stdout.trim().split('\n').pop()!) as { type: string; accuracy: number; backend: string };
  assert.equal(done.type, 'done');
  assert.equal(done.backend, 'wasm');
  const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { testAccuracy: number; trainSamples: number };
  assert.equal(metrics.testAccuracy, done.accuracy);
  assert.equal(metrics.trainSamples, 512);
  assert.ok(done.accuracy > 0.3, `a 512-sample epoch already beats chance: ${done.accuracy}`);
  const fromJson = await importModel(path.join(out, 'model.json'));
  const fromOnnx = await importModel(onnx);
  assert.deepEqual(fromJson.graph.layers.filter((l) => l.op === 'dense').length, 3);
  assert.deepEqual(fromOnnx.graph.inputs[0].shape, fromJson.graph.inputs[0].shape);
  rmSync(dir, { recursive: true, force: true });
});

test('tritscope train: bad --arch is a usage error; an abort leaves no model files', async () => {
  const bad = await cli('train', '--arch', 'resnet', '-o', '/tmp/x');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--arch expects cnn\|mlp/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tritscope-train-'));
  const ac = new AbortController();
  const code = await runCli(['train', '--arch', 'mlp', '--epochs', '2', '--limit', '2000', '-o', dir, '--progress', 'json'], {
    stdout: (s) => { if (s.includes('"progress"')) ac.abort(); }, stderr: () => undefined, isTTY: false, signal: ac.signal,
  });
  assert.equal(code, 130, "an interruption exits 128 + SIGINT (docs/cancellation.md)");
  for (const f of ['model.json', 'weights.bin', 'metrics.json']) assert.ok(!existsSync(path.join(dir, f)), f);
  rmSync(dir, { recursive: true, force: true });
});
