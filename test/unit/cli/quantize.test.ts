import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTnnFile } from '../../../src/core/format/index';
import { importModel } from '../../../src/core/import/index';
import { quantizeModel } from '../../../src/core/quant/index';
import { unpackTrits } from '../../../src/core/format/index';
import { isPacked } from '../../../src/core/graph/types';
import { cli, fixtureDir } from './cli-helpers';

const fileState = (f: string) => ({ bytes: readFileSync(f), mtime: statSync(f).mtimeMs });

test('quantize: usage errors exit 2', async () => {
  const { onnx } = fixtureDir(4);
  for (const argv of [
    ['quantize'],
    ['quantize', onnx, onnx],
    ['quantize', onnx, '--method', 'binary'],
    ['quantize', onnx, '--activations', 'int8'],
    ['quantize', onnx, '--activations', 'ternary'],
    ['quantize', onnx, '--seed', '1.5'],
    ['quantize', onnx, '--progress', 'xml'],
    ['quantize', onnx, '--act-thresholds', 'max'],
    ['quantize', onnx, '-o', 'out.onnx'],
    ['quantize', onnx, '--bogus'],
  ]) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /^tritscope: /);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('quantize: a missing model exits 1 naming the file', async () => {
  const { dir } = fixtureDir(4);
  const missing = path.join(dir, 'nope.onnx');
  const r = await cli('quantize', missing, '-o', path.join(dir, 'o.tnn'));
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(missing), r.stderr);
  assert.equal(existsSync(path.join(dir, 'o.tnn')), false);
});

test('quantize writes a .tnn equal to quantizeModel, refuses to overwrite without --force, never touches the input', async () => {
  const { dir, onnx } = fixtureDir(4);
  const input = fileState(onnx);
  const out = path.join(dir, 'tiny.tnn');
  const r = await cli('quantize', onnx, '-o', out, '--method', 'twn', '--twn-factor', '0.6');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*tiny\.tnn \(twn, 2 ternary layers: \S*conv2\S*, \S*fc1\S*\)/);
  const m = await readTnnFile(out);
  const expected = await quantizeModel(await importModel(onnx), { method: 'twn', options: { twnFactor: 0.6 } });
  for (const l of expected.graph.layers.filter((x) => x.weightQuant)) {
    const got = m.graph.layers.find((x) => x.name === l.name)!.weightQuant!;
    assert.deepEqual(got.thresholds, l.weightQuant!.thresholds);
    const a = m.tensors.get(got.trits)!, b = expected.tensors.get(l.weightQuant!.trits)!;
    assert.ok(isPacked(a) && isPacked(b));
    assert.deepEqual(unpackTrits(a.bytes, a.count), unpackTrits(b.bytes, b.count));
  }
  assert.equal(m.provenance.sourceFile, 'tiny.onnx');
  assert.equal(m.provenance.options?.twnFactor, 0.6);
  const written = fileState(out);

  const again = await cli('quantize', onnx, '-o', out, '--method', 'ttq');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /tiny\.tnn.*exists.*--force/);
  assert.deepEqual(fileState(out), written);

  const forced = await cli('quantize', onnx, '-o', out, '--method', 'ttq', '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((await readTnnFile(out)).provenance.method, 'ttq');
  assert.deepEqual(fileState(onnx), input);
});

test('quantize refuses an output that resolves to the input, even with --force', async () => {
  const { dir, onnx } = fixtureDir(4);
  const input = fileState(onnx);
  const link = path.join(dir, 'alias.tnn');
  symlinkSync(onnx, link);
  const r = await cli('quantize', onnx, '-o', link, '--force');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /overwrite the input/);
  assert.deepEqual(fileState(onnx), input);
});

test('quantize refuses a .tnn input and defaults the output beside the source', async () => {
  const { dir, onnx } = fixtureDir(4);
  const r = await cli('quantize', onnx, '--method', 'alemdar', '--keep-float', 'none');
  assert.equal(r.code, 0, r.stderr);
  const out = path.join(dir, 'tiny.alemdar.tnn');
  const m = await readTnnFile(out);
  assert.equal(m.graph.layers.filter((l) => l.weightQuant).length, 4);
  const again = await cli('quantize', out, '-o', path.join(dir, 'x.tnn'));
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already a \.tnn/);
  const bad = await cli('quantize', onnx, '-o', path.join(dir, 'k.tnn'), '--keep-float', 'conv9');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /conv9/);
});

test('quantize --progress json emits progress and done events; ternary activations with --data', async () => {
  const { dir, onnx, data } = fixtureDir(40);
  const out = path.join(dir, 'wa.tnn');
  const r = await cli('quantize', onnx, '-o', out, '--activations', 'ternary', '--data', data, '--calibration-samples', '16', '--progress', 'json');
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length >= 4);
  assert.deepEqual(progress.map((e) => e.step), progress.map((_, i) => i + 1));
  assert.ok(progress.every((e) => e.steps === progress.length));
  const done = events[events.length - 1];
  assert.equal(done.type, 'done');
  assert.equal(done.output, out);
  const m = await readTnnFile(out);
  assert.equal(done.accuracy, m.provenance.ternaryAccuracy);
  assert.ok(m.graph.layers.filter((l) => l.actQuant).length === 2);
  assert.equal(m.provenance.dataset, data);

  const err = await cli('quantize', onnx, '-o', out, '--progress', 'json');
  assert.equal(err.code, 1);
  assert.equal(JSON.parse(err.stdout.trim()).type, 'error');
});

test('quantize reports an unreadable model as bad input (exit 1)', async () => {
  const { dir } = fixtureDir(4);
  const junk = path.join(dir, 'junk.onnx');
  writeFileSync(junk, 'not a model at all');
  const r = await cli('quantize', junk, '-o', path.join(dir, 'j.tnn'));
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes('junk.onnx'), r.stderr);
});
