/**
 * The viewer's side of a sensitivity file (src/extension/sensitivity/found.ts): found beside the
 * viewed .tnn or its float source, never outside that folder; projected for the chart and the
 * overlay; "Re-quantize with this set" becomes a quantize job that writes that keep-float set.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readTnnFile } from '../../../src/core/format/index';
import { findSensitivity, requantizeWith, sensitivityOverlay, sensitivityView } from '../../../src/extension/sensitivity/found';
import { cli } from '../cli/cli-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-sens-found-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a float model\'s sensitivity file is found for its .tnn, shown, and re-quantizes with the chosen set', async () => {
  const onnx = path.join(dir, 'cnn.onnx');
  copyFileSync('samples/models/fashion-cnn.onnx', onnx);
  const tnn = path.join(dir, 'cnn.tnn');
  assert.equal(findSensitivity(tnn, 'cnn.onnx'), null);
  const r = await cli('sensitivity', onnx, '--data', 'fashion-mnist:test', '--limit', '32', '--budget', 'float-weights=5%');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*cnn\.onnx\.sensitivity\.json/);
  // Only the base name of a recorded source counts: the file is looked up beside the model.
  assert.equal(findSensitivity(tnn, '/elsewhere/cnn.onnx')?.file, `${onnx}.sensitivity.json`);
  const found = findSensitivity(tnn, '../../cnn.onnx')!;
  assert.equal(found.file, `${onnx}.sensitivity.json`);
  const view = sensitivityView(found);
  assert.equal(view.layers.length, 5);
  assert.equal(view.proposals.length, 1);
  assert.equal(view.proposals[0].budget, 'float-weights=5%');
  const overlay = sensitivityOverlay(found);
  assert.equal(overlay.metric, 'sensitivity');
  assert.deepEqual(Object.keys(overlay.values), view.layers.map((l) => l.name));

  const keep = view.proposals[0].proposal.keepFloat;
  assert.throws(() => requantizeWith(found, ['/not/a/layer'], null), /not a layer of the sensitivity analysis/);
  const job = requantizeWith(found, keep, null);
  assert.equal(job.model, onnx);
  assert.equal(path.dirname(job.output), dir);
  const q = await cli('quantize', job.model, '-o', job.output, '--method', job.method, '--keep-float', job.keepFloat);
  assert.equal(q.code, 0, q.stderr);
  const m = await readTnnFile(job.output);
  const floatLayers = m.graph.layers.filter((l) => (l.op === 'conv2d' || l.op === 'dense') && !l.weightQuant).map((l) => l.name);
  assert.deepEqual(floatLayers, keep);
});

test('a hostile sensitivity file beside the model throws naming the file', () => {
  const tnn = path.join(dir, 'bad.tnn');
  writeFileSync(`${tnn}.sensitivity.json`, JSON.stringify({ format: 'tritscope-sensitivity', version: 1, model: { sha256: 'x' } }));
  assert.throws(() => findSensitivity(tnn, null), /bad\.tnn\.sensitivity\.json/);
});
