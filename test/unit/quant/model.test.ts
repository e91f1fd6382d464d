import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unpackTrits, serializeTnn, parseTnn } from '../../../src/core/format/index';
import { runReference } from '../../../src/core/exec/reference';
import { isPacked } from '../../../src/core/graph/types';
import { quantizeModel, quantizeWeights, quantStats, evaluateAccuracy, fitActQuant, fitActQuantL2, QuantError } from '../../../src/core/quant/index';
import { TOOL_VERSION } from '../../../src/core/version';
import { gaussian } from './helpers';
import { snapshot, tinyCnn, tinyData } from './models';
import { fixtureDir } from '../cli/cli-helpers';

test('quantizeModel keeps the first and last weight layers float by default and never touches the source', async () => {
  const float = tinyCnn();
  const before = snapshot(float);
  const m = await quantizeModel(float, { method: 'asym-uniform' });
  assert.equal(snapshot(float), before);
  const quantized = m.graph.layers.filter((l) => l.weightQuant).map((l) => l.name);
  assert.deepEqual(quantized, ['conv2', 'fc1']);
  for (const name of quantized) {
    const layer = m.graph.layers.find((l) => l.name === name)!;
    const q = layer.weightQuant!;
    const packed = m.tensors.get(q.trits)!;
    assert.ok(isPacked(packed));
    const w = float.tensors.get(`${name}.weight`)!;
    assert.deepEqual(packed.shape, w.shape);
    const expected = quantizeWeights('asym-uniform', w.data);
    assert.deepEqual(unpackTrits(packed.bytes, packed.count), expected.trits);
    assert.deepEqual(q.thresholds, expected.quant.thresholds);
    assert.equal(q.scale.pos, q.scale.neg);
    assert.equal(layer.weights.weight, q.trits);
    assert.equal(q.latent, `${name}.weight`);
    assert.deepEqual((m.tensors.get(q.latent!) as { data: Float32Array }).data, w.data);
    assert.deepEqual(m.layerStats![name], quantStats(w.data, expected.trits, expected.quant));
  }
  for (const name of ['conv1', 'fc2']) assert.equal(m.graph.layers.find((l) => l.name === name)!.weightQuant, undefined);
  assert.equal(m.provenance.sourceFile, 'tiny-cnn.onnx');
  assert.equal(m.provenance.sourceSha256, 'ab'.repeat(32));
  assert.equal(m.provenance.method, 'asym-uniform');
  assert.equal(m.provenance.toolVersion, TOOL_VERSION);
  assert.ok(!Number.isNaN(Date.parse(m.provenance.date)));
  assert.equal(m.provenance.options?.keepFloat, 'conv1,fc2');
});

test("keep-float 'none' ternarizes every conv/dense layer; names and errors", async () => {
  const float = tinyCnn(3);
  const all = await quantizeModel(float, { method: 'twn', keepFloat: 'none' });
  assert.deepEqual(all.graph.layers.filter((l) => l.weightQuant).map((l) => l.name), ['conv1', 'conv2', 'fc1', 'fc2']);
  const some = await quantizeModel(float, { method: 'ttq', keepFloat: ['fc1', 'last'] });
  assert.deepEqual(some.graph.layers.filter((l) => l.weightQuant).map((l) => l.name), ['conv1', 'conv2']);
  await assert.rejects(quantizeModel(float, { method: 'twn', keepFloat: 'first,nosuch' }), (e: Error) => e instanceof QuantError && /nosuch/.test(e.message) && /tiny-cnn/.test(e.message));
});

test('storeLatent false drops the float weights of ternarized layers', async () => {
  const m = await quantizeModel(tinyCnn(), { method: 'alemdar', storeLatent: false });
  assert.equal(m.tensors.has('conv2.weight'), false);
  assert.equal(m.tensors.has('conv1.weight'), true);
  assert.equal(m.graph.layers.find((l) => l.name === 'conv2')!.weightQuant!.latent, undefined);
});

test('stochastic model quantization is reproducible from the seed', async () => {
  const a = await quantizeModel(tinyCnn(), { method: 'stochastic', seed: 5, keepFloat: 'none' });
  const b = await quantizeModel(tinyCnn(), { method: 'stochastic', seed: 5, keepFloat: 'none' });
  const c = await quantizeModel(tinyCnn(), { method: 'stochastic', seed: 6, keepFloat: 'none' });
  const bytes = (m: typeof a) => Array.from((m.tensors.get('fc1.weight.trits') as { bytes: Uint8Array }).bytes);
  assert.deepEqual(bytes(a), bytes(b));
  assert.notDeepEqual(bytes(a), bytes(c));
  assert.equal(a.provenance.options?.seed, 5);
});

test('ternary activations: calibration sets actQuant on ternary layers and accuracies are recorded', async () => {
  const float = tinyCnn();
  const data = tinyData(60);
  await assert.rejects(quantizeModel(float, { method: 'asym-uniform', activations: 'ternary' }), /--data/);
  const m = await quantizeModel(float, { method: 'asym-uniform', activations: 'ternary', dataset: data, data: 'synthetic', calibrationSamples: 30 });
  for (const l of m.graph.layers) assert.equal(Boolean(l.actQuant), Boolean(l.weightQuant), l.name);
  // conv2 and fc1 read ReLU / flattened-ReLU outputs: the half-Gaussian variant.
  for (const name of ['conv2', 'fc1']) {
    const aq = m.graph.layers.find((l) => l.name === name)!.actQuant!;
    assert.equal(aq.variant, 'half-gaussian');
    assert.ok(aq.scale > aq.thresholds.pos && aq.thresholds.pos >= 0);
  }
  assert.equal(m.provenance.dataset, 'synthetic');
  for (const k of ['floatAccuracy', 'ternaryAccuracy'] as const) {
    const v = m.provenance[k]!;
    assert.ok(v >= 0 && v <= 1, `${k} = ${v}`);
  }
  const fa = await evaluateAccuracy(float, data);
  assert.equal(m.provenance.floatAccuracy, fa.top1);
  // The model runs and round-trips through the file format.
  const back = parseTnn(serializeTnn(m), 'mem.tnn');
  const x = { shape: [2, 1, 8, 8], data: data.images.slice(0, 128) };
  assert.deepEqual(runReference(back, x).data, runReference(m, x).data);
});

test('fitActQuant: halves for non-negative data, thirds for Gaussian data', () => {
  const g = gaussian(20000, 0.3, 1.2, 4);
  const relu = g.map((v) => Math.max(0, v));
  const h = fitActQuant(relu);
  assert.equal(h.variant, 'half-gaussian');
  const above = relu.filter((v) => v > h.thresholds.pos).length / relu.length;
  assert.ok(Math.abs(above - 0.5) < 0.01, `fraction above ${above}`);
  const abs = g.map(Math.abs);
  const h2 = fitActQuant(abs);
  assert.ok(Math.abs(abs.filter((v) => v > h2.thresholds.pos).length / abs.length - 0.5) < 0.01);
  const q = fitActQuant(g);
  assert.equal(q.variant, 'gaussian');
  for (const f of [g.filter((v) => v > q.thresholds.pos).length, g.filter((v) => v < q.thresholds.neg).length]) {
    assert.ok(Math.abs(f / g.length - 1 / 3) < 0.02, `fraction ${f / g.length}`);
  }
});

test('evaluateAccuracy counts top-1 and top-5 on a model with known outputs', async () => {
  // dense identity on 6 features: the prediction is the argmax of the input.
  const eye = new Float32Array(36);
  for (let i = 0; i < 6; i++) eye[i * 7] = 1;
  const model = {
    graph: { name: 'id', inputs: [{ name: 'x', shape: [6] }], outputs: ['y'], layers: [{ name: 'fc', op: 'dense' as const, inputs: ['x'], outputs: ['y'], attrs: {}, weights: { weight: 'w' } }] },
    tensors: new Map([['w', { shape: [6, 6], data: eye }]]),
    source: { file: 'id', sha256: '', format: 'synthetic' as const },
  };
  // Sample i has scores 0..5 rotated; label chosen to have rank i % 6.
  const n = 12;
  const images = new Float32Array(n * 6);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 6; c++) images[i * 6 + c] = c; // class 5 best, class 0 worst
    labels[i] = 5 - (i % 6); // rank i % 6
  }
  const acc = await evaluateAccuracy(model, { name: 'ranks', images, labels, n, sampleShape: [6] }, { batchSize: 5 });
  assert.equal(acc.n, 12);
  assert.equal(acc.top1, 2 / 12);
  assert.equal(acc.top5, 10 / 12);
  const lim = await evaluateAccuracy(model, { name: 'ranks', images, labels, n, sampleShape: [6] }, { limit: 3 });
  assert.deepEqual(lim, { top1: 1 / 3, top5: 1, n: 3 });
  await assert.rejects(evaluateAccuracy(model, { name: 'bad', images, labels, n, sampleShape: [2, 3] }), /\[2,3\].*\[6\]/);
});

test('quantizeModel loads the data set named by `data` when no samples are passed', async () => {
  const { data } = fixtureDir(20);
  const m = await quantizeModel(tinyCnn(), { method: 'twn', data, evalSamples: 10 });
  assert.equal(m.provenance.dataset, data);
  assert.equal(m.provenance.evalSamples, 10);
  assert.equal(typeof m.provenance.ternaryAccuracy, 'number');
  await assert.rejects(quantizeModel(tinyCnn(), { method: 'twn', data: 'npy:/missing/x.npy,/missing/y.npy' }), /\/missing\/x\.npy/);
});

test('fitActQuantL2 never has a larger squared error than the equal-population fit', () => {
  const sq = (x: Float32Array, a: ReturnType<typeof fitActQuant>) => x.reduce((e, v) => {
    const q = v > a.thresholds.pos ? a.scale : v < a.thresholds.neg ? -a.scale : 0;
    return e + (v - q) ** 2;
  }, 0);
  for (const [i, x] of [gaussian(5000, 0.2, 1, 1), gaussian(5000, 0.2, 1, 2).map((v) => Math.max(0, v))].entries()) {
    const l2 = fitActQuantL2(x);
    const uni = fitActQuant(x);
    assert.equal(l2.variant, uni.variant, `case ${i}`);
    assert.ok(sq(x, l2) <= sq(x, uni) + 1e-9, `case ${i}: ${sq(x, l2)} > ${sq(x, uni)}`);
    assert.ok(l2.thresholds.pos >= 0 && l2.thresholds.neg <= 0);
  }
});

test("quantizeModel actThresholds 'l2' changes the activation thresholds and is recorded", async () => {
  const data = tinyData(40);
  const uni = await quantizeModel(tinyCnn(), { method: 'twn', activations: 'ternary', dataset: data, evalSamples: 5 });
  const l2 = await quantizeModel(tinyCnn(), { method: 'twn', activations: 'ternary', dataset: data, evalSamples: 5, actThresholds: 'l2' });
  assert.equal(uni.provenance.options?.actThresholds, 'uniform');
  assert.equal(l2.provenance.options?.actThresholds, 'l2');
  const th = (m: typeof uni) => m.graph.layers.filter((l) => l.actQuant).map((l) => l.actQuant!.thresholds.pos);
  assert.equal(th(l2).length, 2);
  assert.notDeepEqual(th(l2), th(uni));
});
