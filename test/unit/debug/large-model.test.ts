/**
 * The debugger's large-model path: the ResNet-like generator (test/fixtures/resnet-like.ts) builds
 * runnable models of the planned size, the runtime steps one through in order to its result, the
 * CLI traces it, and the per-step helpers (top-k agreement, activation view) stay linear and small.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildResNetLikeModel, resnetLikeOptions, resnetLikeTrits, writeResNetLike } from '../../fixtures/resnet-like';
import { isPacked } from '../../../src/core/graph/types';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { runReference } from '../../../src/core/exec/reference';
import { parseInputSpec } from '../../../src/core/data/index';
import { runCli } from '../../../src/cli/run';
import { InferenceRuntime } from '../../../src/debug/runtime';
import { InProcessEngineConnection } from '../../../src/debug/engineClient';
import { StepperHost } from '../../../src/debug/stepperHost';
import { realEngineLoader } from '../../../src/debug/realLoader';
import { downsampleView, roundForDisplay, summarizeTrits, summarizeValues, topKAgreement } from '../../../src/debug/tensorMath';
import { tensor } from '../../../src/core/tensor';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

test('the 25 M plan holds 25 M ± 5 % trits in stages of widening ternary convs', () => {
  const o = resnetLikeOptions(25_000_000);
  const n = resnetLikeTrits(o);
  assert.ok(Math.abs(n - 25_000_000) < 1_250_000, `${n} trits`);
  assert.deepEqual(o.widths, [...o.widths].sort((a, b) => a - b));
  assert.equal(o.inputSize, 112);
});

test('a small ResNet-like model: counted trits, residual adds, packed engine = reference', async () => {
  const o = resnetLikeOptions(400_000, 32);
  const m = buildResNetLikeModel(o);
  const stored = [...m.tensors.values()].filter(isPacked).reduce((a, t) => a + t.count, 0);
  assert.equal(stored, resnetLikeTrits(o));
  const adds = m.graph.layers.filter((l) => l.op === 'add');
  assert.equal(adds.length, o.widths.length * o.blocksPerStage);
  for (const a of adds) assert.equal(a.inputs.length, 2);
  assert.equal(m.graph.layers.filter((l) => l.weightQuant).length, o.widths.length * (1 + 2 * o.blocksPerStage));
  const x = await parseInputSpec('random:1', m.graph.inputs[0].shape);
  const y = (await loadPackedEngine(m)).run(x);
  const ref = runReference(m, x);
  assert.deepEqual(y.shape, [1, 10]);
  const err = Math.max(...Array.from(y.data, (v, i) => Math.abs(v - ref.data[i])));
  assert.ok(err < 1e-4, `max |packed − reference| ${err}`);
  assert.ok(Math.abs(y.data.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'softmax output');
  // Activations stay in a sane range through the residual stages (no vanishing to 0 or blow-up).
  const spread = Math.max(...y.data) - Math.min(...y.data);
  assert.ok(spread > 1e-3 && spread < 1, `probability spread ${spread}`);
});

test('the debugger steps a ResNet-like model layer by layer to its result', async () => {
  const file = path.join(dir, 'resnet-small.tnn');
  await writeResNetLike(file, 400_000, 32);
  const rt = new InferenceRuntime(new InProcessEngineConnection(new StepperHost(realEngineLoader())));
  await rt.load({ model: file, input: 'random:0', compareFloat: true, stopOnEntry: true, divergenceThreshold: 0.2, breakOnDivergence: false });
  await rt.start();
  const names = rt.info!.graph.layers.map((l) => l.name);
  const visited = [names[rt.position.layer]];
  while (!rt.atResult) {
    await rt.next();
    if (!rt.atResult) visited.push(names[rt.position.layer]);
  }
  assert.deepEqual(visited, names);
  const add = await rt.summary(names.indexOf('s2b1_add'));
  assert.equal(add.inputs.length, 2);
  assert.ok(add.float && add.float.relL2 < 1e-4, 'dequantized-ternary reference agrees');
  const f = await rt.final();
  assert.equal(f.probabilities.length, 10);
  assert.equal(f.agree, true);
});

test('`tritscope run --trace` runs the generated model', async () => {
  const file = path.join(dir, 'resnet-cli.tnn');
  await writeResNetLike(file, 200_000, 32);
  let stdout = '', stderr = '';
  const code = await runCli(['run', file, '--input', 'random', '--trace'], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false, signal: new AbortController().signal });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /s4b1_add\s+add/);
  assert.match(stdout, /predicted: \d+/);
});

test('topKAgreement equals a full-sort oracle (ties by lower index), without sorting n indices', () => {
  const r = lcg(5);
  const oracle = (a: number[], b: number[], k: number) => {
    const top = (d: number[]) => new Set(d.map((_, i) => i).sort((i, j) => d[j] - d[i] || i - j).slice(0, k));
    const ta = top(a), tb = top(b);
    return [...ta].filter((i) => tb.has(i)).length / k;
  };
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(r() * 40);
    const k = 1 + Math.floor(r() * 7);
    const levels = 1 + Math.floor(r() * 6); // few distinct values → many ties
    const a = Array.from({ length: n }, () => Math.floor(r() * levels));
    const b = Array.from({ length: n }, () => Math.floor(r() * levels));
    assert.equal(topKAgreement(a, b, k), oracle(a, b, Math.min(k, n)), `n ${n} k ${k} a ${a} b ${b}`);
  }
});

test('roundForDisplay keeps values within scale/1000 and prints them short', () => {
  const r = lcg(9);
  for (const scale of [3.7e-6, 0.02, 1, 3.3, 870, 12_345]) {
    const values = Array.from({ length: 500 }, () => (2 * r() - 1) * scale);
    const rounded = roundForDisplay(values, scale);
    values.forEach((v, i) => assert.ok(Math.abs(v - rounded[i]) <= scale / 1000 + 1e-12 * scale, `${v} → ${rounded[i]} at scale ${scale}`));
    assert.ok(JSON.stringify(rounded).length < JSON.stringify(values).length / 2, `scale ${scale}`);
  }
  assert.deepEqual(roundForDisplay([0, 1, -2], 0), [0, 0, 0]);
});

test('the activation view of a 256×56×56 output: 64 maps of 28×28, a few hundred KB of JSON', () => {
  const t = tensor([1, 256, 56, 56]);
  const r = lcg(3);
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.max(0, (r() - 0.5) * 4);
  const v = downsampleView(t);
  assert.equal(v.kind, 'maps');
  assert.equal(v.totalChannels, 256);
  assert.equal(v.channels.length, 64);
  for (const ch of v.channels) { assert.equal(ch.width, 28); assert.equal(ch.height, 28); assert.equal(ch.data.length, 784); }
  const bytes = JSON.stringify(v).length;
  assert.ok(bytes < 64 * 784 * 8, `${bytes} bytes of JSON`);
  // Mean pooling of 2×2 cells, rounded to the display step.
  const expect = (t.data[0] + t.data[1] + t.data[56] + t.data[57]) / 4;
  assert.ok(Math.abs(v.channels[0].data[0] - expect) <= v.max / 1000 + 1e-9);
});

test('summarizeTrits counts what summarizeValues scans, for any mix of −1/0/+1', () => {
  const r = lcg(21);
  for (const [n, pNeg, pZero] of [[1, 0, 1], [7, 1, 0], [1000, 0.3, 0.4], [999, 0, 0.5], [50, 0.5, 0], [0, 0, 0]]) {
    const t = Int8Array.from({ length: n }, () => { const u = r(); return u < pNeg ? -1 : u < pNeg + pZero ? 0 : 1; });
    const a = summarizeTrits(t), b = summarizeValues(Float32Array.from(t));
    for (const k of ['count', 'min', 'max', 'zeros'] as const) assert.equal(a[k], b[k], `${k} (n ${n})`);
    assert.ok(Math.abs(a.mean - b.mean) < 1e-9 && Math.abs(a.std - b.std) < 1e-9, `mean/std (n ${n})`);
    if (n) assert.deepEqual(a.trits, b.trits);
  }
});
