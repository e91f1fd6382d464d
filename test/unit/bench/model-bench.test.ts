/**
 * `tritscope bench --model`: the report's shape and its output checks on small residual models
 * (timings are printed, never asserted: speed goals are checked by running the bench, not by tests).
 * The float baselines run the model's float original, here the dequantized ternary network (the
 * models store no latent weights), so tfjs, onnxruntime and the W-only engine compute the same
 * function and must agree on every top-1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import type { ModelBenchReport } from '../../../src/core/bench/model-bench';
import { writeTnnFile } from '../../../src/core/format/index';
import { act, ModelBuilder, rng } from '../engine/random-model';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await runCli(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false, signal: new AbortController().signal });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-bench-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Stem conv → relu → padded max pooling, a residual block, a depthwise conv with ReLU6, global pooling, dense. */
async function residualModel(wa: boolean): Promise<string> {
  const r = rng(wa ? 5 : 6);
  const b = new ModelBuilder(r, [3, 16, 16]);
  const t = () => ({ act: wa ? act(r) : undefined });
  let x = b.op('relu', [b.conv('input', 3, 16, 3, { strides: [2, 2], pads: [1, 1, 1, 1] })]);
  x = b.op('maxpool', [x], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  const y = b.batchnorm(b.conv(b.op('relu', [b.conv(x, 16, 16, 3, { pads: [1, 1, 1, 1] }, t())]), 16, 16, 3, { pads: [1, 1, 1, 1] }, t()), 16);
  x = b.op('relu', [b.op('add', [y, x])]);
  x = b.op('clip', [b.conv(x, 16, 16, 3, { group: 16, pads: [1, 1, 1, 1] }, t())], { min: 0, max: 6 });
  x = b.op('flatten', [b.op('globalavgpool', [x])]);
  x = b.dense(x, 16, 10);
  const file = path.join(dir, wa ? 'wa.tnn' : 'w.tnn');
  await writeTnnFile(file, b.build(x));
  return file;
}

test('bench --model: model_bN and model_bN_ort for each batch, ratios from medians, kernels, RSS, output checks', async () => {
  const file = await residualModel(false);
  const res = await cli('bench', '--model', file, '--batch', '1,3', '--reps', '2', '--json');
  assert.equal(res.code, 0, res.stderr);
  const report = JSON.parse(res.stdout) as ModelBenchReport;
  assert.deepEqual(report.results.map((x) => x.name), ['model_b1', 'model_b1_ort', 'model_b3', 'model_b3_ort']);
  assert.deepEqual(report.unavailable, {});
  for (const x of report.results) {
    assert.ok(x.ours_ms > 0 && x.baseline_ms > 0, x.name);
    assert.ok(Math.abs(x.ratio - x.baseline_ms / x.ours_ms) < 1e-9, x.name);
    assert.ok(Math.abs(x.ratio_cpu - x.baseline_cpu_ms / x.ours_cpu_ms) < 1e-9, x.name);
    // the same network on all sides: every top-1 agrees, and tfjs agrees with onnxruntime
    assert.equal(x.agreement, 1, `${x.name}: ${x.checked}`);
    assert.match(x.checked, /tfjs vs onnxruntime (\d+)\/\1/);
  }
  assert.match(report.floatSource, /exported from the \.tnn's dequantized ternary weights/);
  assert.equal(report.wa, false);
  // W-only: additions-only conv kernels (16-row layers: column adds), the depthwise kernel, fused epilogues; the stem conv is float
  for (const k of ['tfGemmCols', 'dwConv', 'epilogueAffine', 'f32GemmCols', 'maxPool']) assert.ok(report.kernels[k] > 0, `${k} ran: ${JSON.stringify(report.kernels)}`);
  assert.equal(report.kernels.ttGemm, undefined);
  assert.ok(report.macs > 0 && report.rss.peak_mb > 0 && report.rss.engineWasmMemory_mb >= 0);
  assert.equal(report.node, process.version);
});

test('bench --model on a W+A model runs the popcount kernels from bit-plane columns; the text report names baselines and kernels', async () => {
  const file = await residualModel(true);
  const res = await cli('bench', '--model', file, '--reps', '1');
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^model_b1 .* tfjs wasm f32 1 thread;/m);
  assert.match(res.stdout, /^model_b1_ort .* onnxruntime-web wasm f32 1 thread;/m);
  assert.match(res.stdout, /ternary weights \+ activations/);
  assert.match(res.stdout, /kernels: wasm-simd128; batch-1 kernel calls: .*ttGemm×\d+/);
  assert.match(res.stdout, /im2colBits×\d+/);
  assert.match(res.stdout, new RegExp(`node ${process.version.replace(/\./g, '\\.')} \\(V8 `));
});

test('bench usage errors: --batch outside 1..4096, --batch without --model, stray arguments', async () => {
  const file = await residualModel(false);
  for (const argv of [['--model', file, '--batch', '0'], ['--model', file, '--batch', '2,x'], ['--batch', '2'], ['--reps', '3'], ['extra.tnn']]) {
    const res = await cli('bench', ...argv);
    assert.equal(res.code, 2, `${argv.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, /bench: /);
  }
  const missing = await cli('bench', '--model', path.join(dir, 'nope.tnn'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.tnn/);
});
