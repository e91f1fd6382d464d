import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDataset } from '../../../src/core/data/index';
import { readTnnFile } from '../../../src/core/format/index';
import { importModel } from '../../../src/core/import/index';
import { evaluateAccuracy } from '../../../src/core/quant/index';
import { cli, fixtureDir } from './cli-helpers';
import { tinyData } from '../quant/models';

test('inspect --json has the contract keys; text mode prints a table; errors', async () => {
  const { dir, onnx } = fixtureDir(4);
  const out = path.join(dir, 'm.tnn');
  assert.equal((await cli('quantize', onnx, '-o', out)).code, 0);
  const r = await cli('inspect', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  for (const k of ['format', 'version', 'provenance', 'layers', 'totals']) assert.ok(k in s, k);
  for (const k of ['params', 'trits', 'bytes', 'bitsPerTrit', 'fp32Bytes']) assert.equal(typeof s.totals[k], 'number', k);
  for (const l of s.layers) for (const k of ['name', 'op', 'ternary', 'shape', 'thresholds', 'scale', 'gamma', 'trits', 'entropyBits', 'relError']) assert.ok(k in l, `${l.name}.${k}`);
  const model = await readTnnFile(out);
  assert.deepEqual(s.layers.map((l: { name: string }) => l.name), model.graph.layers.map((l) => l.name));
  assert.equal(s.provenance.method, 'asym-uniform');

  const text = await cli('inspect', out);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /conv2\S*\s+conv2d\s+asym-uniform/);

  assert.equal((await cli('inspect')).code, 2);
  assert.equal((await cli('inspect', out, '--cost', 'cmos')).code, 2);
  const missing = await cli('inspect', path.join(dir, 'none.tnn'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /none\.tnn/);
  const float = await cli('inspect', onnx);
  assert.equal(float.code, 1);
  assert.match(float.stderr, /tiny\.onnx: is a float model/);
});

test('eval reports top-1/top-5 of float and ternary models with the reference engine', async () => {
  const { dir, onnx, data } = fixtureDir(30);
  const out = path.join(dir, 'm.tnn');
  assert.equal((await cli('quantize', onnx, '-o', out, '--keep-float', 'none')).code, 0);
  const ds = loadDataset(data);
  assert.deepEqual(Array.from(ds.labels), Array.from(tinyData(30).labels));
  for (const [file, model] of [[onnx, await importModel(onnx)], [out, await readTnnFile(out)]] as const) {
    const r = await cli('eval', file, '--data', data, '--json', '--limit', '20');
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(got).sort(), ['n', 'top1', 'top5']);
    assert.deepEqual(got, await evaluateAccuracy(model, ds, { limit: 20 }));
  }
  const text = await cli('eval', out, '--data', data);
  assert.match(text.stdout, /top-1 .* on 30 samples/);
  assert.equal((await cli('eval', onnx)).code, 2);
  assert.equal((await cli('eval', onnx, '--data', data, '--engine', 'gpu')).code, 2);
  assert.equal((await cli('eval', onnx, '--data', data, '--limit', '0')).code, 2);
  const missing = await cli('eval', path.join(dir, 'gone.onnx'), '--data', data);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /gone\.onnx/);
  const badData = await cli('eval', onnx, '--data', 'npy:/nonexistent/x.npy,/nonexistent/y.npy');
  assert.equal(badData.code, 1);
  assert.match(badData.stderr, /x\.npy/);
  const packedFloat = await cli('eval', onnx, '--data', data, '--engine', 'packed');
  assert.equal(packedFloat.code, 1);
});

test('eval --engine packed agrees with the reference engine on a .tnn model', async () => {
  const { dir, onnx, data } = fixtureDir(30);
  const out = path.join(dir, 'p.tnn');
  assert.equal((await cli('quantize', onnx, '-o', out)).code, 0);
  const ref = await cli('eval', out, '--data', data, '--json');
  const packed = await cli('eval', out, '--data', data, '--json', '--engine', 'packed');
  assert.equal(packed.code, 0, packed.stderr);
  assert.deepEqual(JSON.parse(packed.stdout), JSON.parse(ref.stdout));
});
