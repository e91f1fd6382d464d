/**
 * A user's path through the CLI on two of the real CNNs (the CIFAR ResNet-20 and MobileNet-v3-small,
 * with squeeze-excitation, HardSigmoid and depthwise convs): `run` on the float ONNX picks the
 * reference executor and its --json / --output values equal PyTorch's logits; `quantize`,
 * `inspect --json`, `run` and `eval` on the .tnn with both engines, W+A quantization (ternary
 * activations calibrated on a few images) on both engines; and `eval` of all six float
 * networks on a few images labelled with PyTorch's own predictions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readNpy } from '../../../src/core/data/index';
import { cli } from '../cli/cli-helpers';
import { ensureNetworks, EVAL_SAMPLES, evalSpec, inputFile, NETWORKS, onnxFile, pytorchEvalLogits, pytorchLogits, relToScale, type Network } from './networks';

const NETS: Network[] = ['resnet20', 'mobilenet_v3_small'];
const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-cnn-cli-'));
before(() => ensureNetworks(), { timeout: 300_000 });
after(() => rmSync(dir, { recursive: true, force: true }));

for (const name of NETS) {
  test(`${name}: run (float, reference by itself) equals PyTorch; quantize, inspect, run on both engines`, { timeout: 300_000 }, async () => {
    const torch = pytorchLogits(name);
    const outNpy = path.join(dir, `${name}.out.npy`);
    const float = await cli('run', onnxFile(name), '--input', inputFile(name), '--json', '--output', outNpy);
    assert.equal(float.code, 0, float.stderr);
    const f = JSON.parse(float.stdout);
    assert.equal(f.engine, 'reference');
    assert.ok(relToScale(f.output.values, torch.data) <= 1e-4, 'run --json values vs PyTorch');
    assert.ok(relToScale(readNpy(outNpy).data as Float32Array, torch.data) <= 1e-4, 'run --output .npy vs PyTorch');

    const tnn = path.join(dir, `${name}.tnn`);
    const q = await cli('quantize', onnxFile(name), '--method', 'twn', '-o', tnn);
    assert.equal(q.code, 0, q.stderr);
    const ins = await cli('inspect', tnn, '--json');
    assert.equal(ins.code, 0, ins.stderr);
    const summary = JSON.parse(ins.stdout);
    assert.ok(summary.layers.filter((l: { ternary: boolean }) => l.ternary).length >= 20, 'inspect lists the ternary layers');

    const runs = await Promise.all(['packed', 'reference'].map((engine) => cli('run', tnn, '--input', inputFile(name), '--json', '--engine', engine)));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const [packed, reference] = runs.map((r) => JSON.parse(r.stdout));
    assert.equal(packed.predicted, reference.predicted);
    assert.ok(relToScale(packed.output.values, reference.output.values) <= 1e-4, 'packed vs reference on the .tnn');

    // eval of the .tnn: the packed engine scores exactly as the reference executor.
    const evals = await Promise.all(['packed', 'reference'].map((engine) => cli('eval', tnn, '--data', evalSpec(name), '--json', '--engine', engine)));
    for (const r of evals) assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(evals[0].stdout), JSON.parse(evals[1].stdout));

    // W+A: activations ternarized too, calibrated on the labelled images; the popcount kernels match the reference.
    const wa = path.join(dir, `${name}.wa.tnn`);
    const qa = await cli('quantize', onnxFile(name), '--method', 'twn', '--activations', 'ternary', '--data', evalSpec(name), '-o', wa);
    assert.equal(qa.code, 0, qa.stderr);
    const [p2, r2] = (await Promise.all(['packed', 'reference'].map((engine) => cli('run', wa, '--input', inputFile(name), '--json', '--engine', engine)))).map((r) => JSON.parse(r.stdout));
    assert.equal(p2.predicted, r2.predicted);
    assert.ok(relToScale(p2.output.values, r2.output.values) <= 1e-5, 'W+A: packed vs reference');
  });
}

/** Samples whose PyTorch top-1 leads its top-2 by more than float32 noise (1e-4 of the logits' scale). */
function clearlyRanked(name: Network): number {
  const l = pytorchEvalLogits(name);
  const c = l.shape[1];
  let clear = 0;
  for (let i = 0; i < l.shape[0]; i++) {
    const row = Array.from(l.data.subarray(i * c, (i + 1) * c)).sort((a, b) => b - a);
    const scale = Math.max(...row.map(Math.abs));
    if (row[0] - row[1] > 1e-4 * scale) clear++;
  }
  return clear;
}

test('eval of each float network on images labelled with PyTorch\'s own top-1: Tritscope ranks them the same', { timeout: 300_000 }, async () => {
  for (const name of NETWORKS) {
    assert.equal(clearlyRanked(name), EVAL_SAMPLES, `${name}: a PyTorch top-1 within float noise of its top-2 (the check would be a coin toss)`);
    const r = await cli('eval', onnxFile(name), '--data', evalSpec(name), '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { top1: 1, top5: 1, n: EVAL_SAMPLES }, name);
  }
});
