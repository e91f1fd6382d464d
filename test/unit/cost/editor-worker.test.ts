import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serializeTnn } from '../../../src/core/format/index';
import { summarizeTnn } from '../../../src/core/inspect/summary';
import { builtinProfiles, findProfile } from '../../../src/core/cost';
import { InspectClient } from '../../../src/extension/editor/inspectClient';
import { WorkerError } from '../../../src/shared/rpc';
import { compareModels } from '../../../src/extension/editor/compareView';
import { tableToCsv, tableToMarkdown } from '../../../src/extension/editor/exportTable';
import { buildEditorModel } from './fixtures';

// The worker bundle dist/workers/inspect.js is built by esbuild.mjs; tests run from the repo root.
const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-editor-'));
const model = buildEditorModel({ channels: [8, 16, 16], latent: true, seed: 3 });
const file = path.join(dir, 'm.tnn');
const bytes = serializeTnn(model);
writeFileSync(file, bytes);
const client = new InspectClient(process.cwd());
after(() => client.dispose());
const profiles = builtinProfiles();

test('worker load: rows carry the inspect --json Δ, α and trit counts', async () => {
  const view = await client.load(file, findProfile(profiles, 'binary-cmos-2bit'));
  const summary = summarizeTnn(model, bytes.length);
  assert.equal(view.layers.length, summary.layers.length);
  summary.layers.forEach((s, i) => {
    const r = view.layers[i];
    assert.equal(r.name, s.name);
    assert.equal(r.deltaP, s.thresholds?.pos ?? null);
    assert.equal(r.deltaN, s.thresholds?.neg ?? null);
    assert.equal(r.alphaP, s.scale?.pos ?? null);
    assert.deepEqual(r.trits, s.trits);
  });
  assert.equal(view.header.fileBytes, bytes.length);
  assert.equal(view.header.ternaryAccuracy, 0.885);
  assert.equal(view.header.ternaryParams, 16 * 8 * 9 + 16 * 16 * 9);
  const conv2 = view.layers.find((r) => r.name === 'conv2')!;
  assert.equal(conv2.hasLatent, true);
  assert.equal(conv2.cost?.macKind, 'tf');
  assert.equal(conv2.cost?.macs.tf, 16 * 32 * 32 * 8 * 9);
  assert.ok(view.totals && view.totals.energyPj > 0);
});

test('worker cost for another profile and a latent histogram as an ArrayBuffer', async () => {
  const c = await client.cost(findProfile(profiles, 'float32-mac'));
  assert.equal(c.profileId, 'float32-mac');
  const conv2 = c.layers[3]!; // conv1, bn1, relu1, conv2
  assert.ok(Math.abs(conv2.energyPj - 16 * 32 * 32 * 8 * 9 * 4.6) < 1e-3);
  const h = await client.histogram('conv2', 32);
  assert.ok(h && h.counts instanceof ArrayBuffer);
  const counts = new Float64Array(h!.counts);
  assert.equal(counts.length, 32);
  assert.equal(counts.reduce((a, b) => a + b, 0), 16 * 8 * 9);
  assert.ok(h!.min < 0 && h!.max > 0);
  assert.equal(await client.histogram('relu1'), null);
});

test('worker summary adds cost to the inspect object', async () => {
  const s = (await client.summary(findProfile(profiles, 'int8-mac'))) as { layers: Array<{ name: string; cost?: { macs: { total: number } } }>; totals: { cost?: unknown } };
  assert.equal(s.layers.find((l) => l.name === 'fc')?.cost?.macs.total, 10 * 16);
  assert.ok(s.totals.cost);
});

test('a corrupted file is reported with the TnnFormatError fields, not thrown away', async () => {
  const bad = path.join(dir, 'bad.tnn');
  writeFileSync(bad, bytes.subarray(0, 100));
  const other = new InspectClient(process.cwd());
  try {
    await assert.rejects(other.load(bad, null), (e: unknown) => e instanceof WorkerError && e.view.kind === 'TnnFormatError' && e.view.message.includes('bad.tnn'));
  } finally {
    other.dispose();
  }
});

test('compare and export helpers', async () => {
  const a = await client.load(file, null);
  const m2 = buildEditorModel({ channels: [8, 16, 16], latent: false, seed: 4 });
  const f2 = path.join(dir, 'm2.tnn');
  writeFileSync(f2, serializeTnn(m2));
  const c2 = new InspectClient(process.cwd());
  try {
    const b = await c2.load(f2, null);
    const d = compareModels(a, b);
    const conv2 = d.find((r) => r.name === 'conv2')!;
    assert.equal(conv2.presence, 'both');
    assert.notEqual(conv2.deltaP[0], conv2.deltaP[1]);
    assert.ok(conv2.tritCountShift !== null && conv2.tritCountShift >= 0);
  } finally {
    c2.dispose();
  }
  const csv = tableToCsv(a).trim().split('\n');
  assert.equal(csv.length, a.layers.length + 1);
  assert.ok(csv[0].startsWith('layer,op,shape,Δp,Δn'));
  const md = tableToMarkdown(a, 'Binary CMOS');
  assert.match(md, /\| conv2 \| conv2d \| 16×8×3×3 \|/);
});
