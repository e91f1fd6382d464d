import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeTnn, parseTnn } from '../../../src/core/format/index';
import { summarizeTnn } from '../../../src/core/inspect/summary';
import { formatSummaryTable } from '../../../src/core/inspect/table';
import { quantizeModel } from '../../../src/core/quant/index';
import { tinyCnn } from './models';

const LAYER_KEYS = ['name', 'op', 'ternary', 'shape', 'thresholds', 'scale', 'gamma', 'trits', 'entropyBits', 'relError'];

test('summarizeTnn follows the inspect --json contract', async () => {
  const m = await quantizeModel(tinyCnn(), { method: 'asym-uniform' });
  const bytes = serializeTnn(m);
  const s = summarizeTnn(parseTnn(bytes, 'x.tnn'), bytes.length);
  const json = JSON.parse(JSON.stringify(s));
  assert.equal(json.format, 'tnn');
  assert.equal(json.version, 1);
  assert.equal(json.provenance.method, 'asym-uniform');
  assert.deepEqual(json.layers.map((l: { name: string }) => l.name), m.graph.layers.map((l) => l.name));
  for (const l of json.layers) for (const k of LAYER_KEYS) assert.ok(k in l, `layer ${l.name} lacks ${k}`);
  const conv2 = json.layers.find((l: { name: string }) => l.name === 'conv2');
  assert.equal(conv2.ternary, true);
  assert.deepEqual(conv2.shape, [6, 4, 3, 3]);
  assert.equal(conv2.scale.pos, conv2.scale.neg);
  assert.equal(conv2.gamma, 1);
  assert.equal(conv2.trits.neg + conv2.trits.zero + conv2.trits.pos, 216);
  assert.deepEqual(conv2.trits, m.layerStats!.conv2.trits);
  assert.equal(conv2.relError, m.layerStats!.conv2.relError);
  assert.equal(conv2.params, 216 + 6);
  const conv1 = json.layers.find((l: { name: string }) => l.name === 'conv1');
  assert.equal(conv1.ternary, false);
  for (const k of ['thresholds', 'scale', 'gamma', 'trits', 'entropyBits', 'relError']) assert.equal(conv1[k], null, k);
  const relu = json.layers.find((l: { name: string }) => l.name === 'relu1');
  assert.deepEqual(relu.shape, []);
  assert.equal(relu.params, 0);
  const t = json.totals;
  assert.equal(t.trits, 216 + 1536);
  assert.equal(t.params, 36 + 4 + 216 + 6 + 1536 + 16 + 64 + 4);
  assert.equal(t.fp32Bytes, 4 * t.params);
  assert.equal(t.bytes, bytes.length);
  const tritBytes = Math.ceil(216 / 5) + Math.ceil(1536 / 5);
  assert.equal(t.bitsPerTrit, (8 * tritBytes) / (216 + 1536));
  assert.equal(t.weightBytes, tritBytes + 4 * (t.params - 216 - 1536));
  assert.equal(t.latentBytes, 4 * (216 + 1536));
});

test('summary recomputes statistics from latent weights when a file has none, counts only without latents', async () => {
  const m = await quantizeModel(tinyCnn(), { method: 'twn' });
  const stored = m.layerStats!.fc1;
  const noStats = { ...m, layerStats: undefined };
  const fc1 = summarizeTnn(noStats, 0).layers.find((l) => l.name === 'fc1')!;
  assert.deepEqual(fc1.trits, stored.trits);
  assert.ok(Math.abs(fc1.relError! - stored.relError) < 1e-6);
  const bare = await quantizeModel(tinyCnn(), { method: 'twn', storeLatent: false });
  const fc1b = summarizeTnn({ ...bare, layerStats: undefined }, 0).layers.find((l) => l.name === 'fc1')!;
  assert.deepEqual(fc1b.trits, stored.trits);
  assert.equal(fc1b.relError, null);
  assert.ok(fc1b.entropyBits! > 0 && fc1b.entropyBits! <= Math.log2(3));
});

test('TTQ keeps separate scales in the summary; the table lists every layer', async () => {
  const m = await quantizeModel(tinyCnn(), { method: 'ttq', keepFloat: 'none' });
  const s = summarizeTnn(m, 5000);
  const fc1 = s.layers.find((l) => l.name === 'fc1')!;
  assert.notEqual(fc1.scale!.pos, fc1.scale!.neg);
  const text = formatSummaryTable(s);
  for (const l of m.graph.layers) assert.match(text, new RegExp(`^${l.name}\\s`, 'm'));
  assert.match(text, /method ttq/);
  assert.match(text, /totals: .*latent float weights/);
  // Aligned: the column after the name starts at the same offset on every layer row.
  const rows = text.split('\n').filter((r) => m.graph.layers.some((l) => r.startsWith(`${l.name} `)));
  const opStart = rows.map((r) => r.search(/ (conv2d|relu|flatten|dense)\b/));
  assert.equal(new Set(opStart).size, 1, text);
});
