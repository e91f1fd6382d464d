/** The runtime over the real packed engine (in-process) on a CNN shaped like the sample fashion-cnn. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeTnnFile } from '../../../src/core/format/index';
import { InferenceRuntime } from '../../../src/debug/runtime';
import { InProcessEngineConnection } from '../../../src/debug/engineClient';
import { StepperHost } from '../../../src/debug/stepperHost';
import { realEngineLoader } from '../../../src/debug/realLoader';
import { fashionLikeModel } from './fashion-like-model';

let dir: string;
let file: string;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tritscope-dbg-real-'));
  file = path.join(dir, 'fashion-like.tnn');
  await writeTnnFile(file, fashionLikeModel());
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function runtime(): Promise<InferenceRuntime> {
  const rt = new InferenceRuntime(new InProcessEngineConnection(new StepperHost(realEngineLoader())));
  await rt.load({ model: file, input: 'random:2', compareFloat: true, stopOnEntry: true, divergenceThreshold: 0.2, breakOnDivergence: false });
  await rt.start();
  return rt;
}

test('every listed sub-step of every ternary layer is visited, in listing order, by stepIn/next', async () => {
  const rt = await runtime();
  for (const l of rt.listing!.layers) {
    const visited: number[] = [];
    for (const k of await rt.subStepIndices(l.index)) visited.push(await rt.lineOf({ layer: l.index, sub: k }));
    assert.deepEqual(visited, l.subSteps.map((s) => s.line), `layer ${l.name}`);
  }
  assert.ok(rt.listing!.layers.filter((l) => l.subSteps.length).length === 3, 'conv2, conv3, dense1 are ternary');
});

test('ternary weights show trit counts and ternarized inputs are trits', async () => {
  const rt = await runtime();
  const conv2 = rt.info!.graph.layers.findIndex((l) => l.name === 'conv2');
  const s = await rt.summary(conv2);
  const w = s.weights.find((t) => t.dtype === 'trits')!;
  assert.deepEqual(w.shape, [16, 8, 3, 3]);
  assert.equal(w.trits!.neg + w.trits!.zero + w.trits!.pos, 16 * 8 * 9);
  const q = s.subSteps.find((x) => x.kind === 'quantize-input')!;
  assert.ok(q.output.trits, 'quantized input is ternary');
  assert.deepEqual(s.output.shape, [1, 16, 14, 14]);
  assert.ok(s.float && Number.isFinite(s.float.relL2));
});

test('the last layer output sums to 1 and the result names a class label', async () => {
  const rt = await runtime();
  const last = await rt.summary(rt.layerCount - 1);
  assert.ok(Math.abs(last.output.mean * last.output.count - 1) < 1e-4);
  const f = await rt.final();
  assert.equal(f.predictedLabel, rt.info!.graph.labels![f.predicted]);
  assert.equal(f.probabilities.length, 10);
});
