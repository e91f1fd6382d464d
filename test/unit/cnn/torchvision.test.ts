/**
 * Issue #12's six target networks on every core path: the imported float model's logits equal
 * PyTorch's (1e-4 relative to their scale), TWN quantization (first and last weight layers float),
 * the .tnn written and read back, inspect's summary, the reference executor and the packed engine
 * on the .tnn agreeing, and the stepper the debugger drives reaching the same prediction. One test
 * per network, run in sequence (ResNet-50 holds ~300 MB while it runs).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { runReference } from '../../../src/core/exec/reference';
import { readTnnFile, writeTnnFile } from '../../../src/core/format/index';
import { importModel } from '../../../src/core/import/index';
import { summarizeTnn } from '../../../src/core/inspect/summary';
import { firstSampleRow, topK } from '../../../src/core/output-math';
import { quantizeModel, weightLayers } from '../../../src/core/quant/index';
import { ensureNetworks, NETWORKS, onnxFile, pytorchInput, pytorchLogits, relToScale } from './networks';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-cnn-'));
const rows: string[] = [];
before(() => ensureNetworks(), { timeout: 300_000 });
after(() => {
  rmSync(dir, { recursive: true, force: true });
  console.log(`network   |rel. diff vs PyTorch|ternary layers|packed vs reference\n${rows.join('\n')}`);
});

/** Ops each network needs beyond conv/relu/add/pool/dense (so a regression that drops one is named). */
const NEEDS: Partial<Record<(typeof NETWORKS)[number], string[]>> = {
  mobilenet_v2: ['clip'],
  mobilenet_v3_small: ['hardsigmoid', 'mul', 'globalavgpool'],
  efficientnet_b0: ['sigmoid', 'mul'],
};

for (const name of NETWORKS) {
  test(`${name}: PyTorch's logits, TWN quantization, .tnn round trip, inspect, reference = packed engine, stepper`, { timeout: 300_000 }, async () => {
    const float = await importModel(onnxFile(name));
    for (const op of NEEDS[name] ?? []) assert.ok(float.graph.layers.some((l) => l.op === op), `${name} imports ${op} layers`);
    assert.equal(float.graph.name, name, 'the exporter default graph name gives way to the file name');
    const x = pytorchInput(name);
    const torch = pytorchLogits(name);
    const logits = runReference(float, x);
    assert.deepEqual(logits.shape, torch.shape);
    const diff = relToScale(logits.data, torch.data);
    assert.ok(diff <= 1e-4, `${name}: logits differ from PyTorch's by ${diff} of their scale`);
    assert.equal(topK(logits.data, 1)[0], topK(torch.data, 1)[0], 'same top-1 as PyTorch');

    const weightCount = weightLayers(float.graph.layers).length;
    const tnn = await quantizeModel(float, { method: 'twn' });
    const ternary = tnn.graph.layers.filter((l) => l.weightQuant);
    assert.equal(ternary.length, weightCount - 2, 'every weight layer but the first and last is ternary');
    const file = path.join(dir, `${name}.tnn`);
    await writeTnnFile(file, tnn);
    const back = await readTnnFile(file);
    const summary = summarizeTnn(back, statSync(file).size);
    assert.equal(summary.layers.length, back.graph.layers.length);
    assert.equal(summary.totals.trits, ternary.reduce((s, l) => s + (back.tensors.get(l.weightQuant!.trits) as { count: number }).count, 0));
    assert.ok(summary.totals.trits > 0.5 * summary.totals.params, 'most parameters are ternary');

    const ref = runReference(back, x);
    const engine = await loadPackedEngine(back);
    const packed = engine.run(x);
    const engineDiff = relToScale(packed.data, ref.data);
    assert.ok(engineDiff <= 1e-4, `${name}: packed engine differs from the reference by ${engineDiff}`);
    const steps = engine.steps(x, { compareFloat: true });
    const final = steps.final();
    assert.equal(final.predicted, topK(firstSampleRow(ref), 1)[0], 'the stepper predicts what the reference does');
    // The debugger's float reference (latent weights; conv/dense on the engine's f64 GEMM) gives PyTorch's logits.
    assert.equal(steps.floatKind, 'latent-float');
    const floatLogits = steps.stateAt(back.graph.layers.length - 1).float!.output;
    const floatDiff = relToScale(floatLogits.data, torch.data);
    assert.ok(floatDiff <= 1e-4, `${name}: the stepper's float reference differs from PyTorch's logits by ${floatDiff} of their scale`);
    assert.equal(typeof final.agree, 'boolean');
    rows.push(`${name.padEnd(18)}| ${diff.toExponential(2).padStart(9)} | ${String(ternary.length).padStart(3)} / ${weightCount} | ${engineDiff.toExponential(2)}`);
  });
}
