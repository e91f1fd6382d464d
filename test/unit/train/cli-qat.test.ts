import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/run';
import { readTnnFile } from '../../../src/core/format/index';
import { cli, fixtureDir } from '../cli/cli-helpers';

test('quantize --qat --progress json prints progress lines then a done line, and writes the .tnn', async () => {
  const f = fixtureDir(48);
  const out = path.join(f.dir, 'qat.tnn');
  const r = await cli('quantize', f.onnx, '--qat', '--data', f.data, '--epochs', '2', '--batch', '16', '--kd', '--two-stage', '--progress', 'json', '-o', out);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const progress = lines.filter((l) => l.type === 'progress');
  assert.ok(progress.length >= 4);
  for (const key of ['stage', 'epoch', 'epochs', 'step', 'steps', 'loss', 'acc', 'etaSeconds']) assert.equal(typeof progress[0][key], 'number', key);
  assert.deepEqual([...new Set(progress.map((p) => p.stage))], [1, 2]);
  const done = lines[lines.length - 1];
  assert.equal(done.type, 'done');
  assert.equal(done.output, out);
  const tnn = await readTnnFile(out);
  assert.equal(done.accuracy, tnn.provenance.ternaryAccuracy);
  // tinyCnn: conv1 … fc2; the middle conv2 and fc1 are ternary, with ternary inputs.
  const names = tnn.graph.layers.filter((l) => l.weightQuant && l.actQuant).map((l) => l.name);
  assert.equal(names.length, 2);
  assert.match(names[0], /conv2/);
  assert.match(names[1], /fc1/);
  rmSync(f.dir, { recursive: true, force: true });
});

test('quantize --qat: usage errors name the option; --progress json reports an error line', async () => {
  const f = fixtureDir(8);
  const noData = await cli('quantize', f.onnx, '--qat', '-o', path.join(f.dir, 'a.tnn'));
  assert.equal(noData.code, 2);
  assert.match(noData.stderr, /--qat needs --data/);
  const badMethod = await cli('quantize', f.onnx, '--qat', '--data', f.data, '--method', 'alemdar', '--progress', 'json', '-o', path.join(f.dir, 'b.tnn'));
  assert.equal(badMethod.code, 2);
  assert.match(badMethod.stdout, /"type":"error".*--qat supports --method/);
  const badLambda = await cli('quantize', f.onnx, '--qat', '--data', f.data, '--lambda', '2', '-o', path.join(f.dir, 'c.tnn'));
  assert.match(badLambda.stderr, /--lambda expects a number in \[0, 1\]/);
  rmSync(f.dir, { recursive: true, force: true });
});

test('quantize --qat honours the abort signal: exit 130 (an interruption), no output file', async () => {
  const f = fixtureDir(64);
  const out = path.join(f.dir, 'cancel.tnn');
  const ac = new AbortController();
  let stdout = '';
  const code = await runCli(['quantize', f.onnx, '--qat', '--data', f.data, '--epochs', '3', '--batch', '8', '--progress', 'json', '-o', out], {
    stdout: (s) => { stdout += s; if (s.includes('"progress"')) ac.abort(); },
    stderr: () => undefined,
    isTTY: false,
    signal: ac.signal,
  });
  assert.equal(code, 130);
  assert.match(stdout, /"type":"error","message":"qat: cancelled"/);
  assert.ok(!existsSync(out));
  rmSync(f.dir, { recursive: true, force: true });
});
