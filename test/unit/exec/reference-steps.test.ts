/** ReferenceSteps: the reference executor one layer at a time, lazily (the debugger's float comparison). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceSteps, runReference } from '../../../src/core/exec/reference';
import { parseInputSpec } from '../../../src/core/data/index';
import { buildResNetLikeModel, resnetLikeOptions } from '../../fixtures/resnet-like';

test('runs only up to the layer asked for, each layer once, with the outputs of runReference', async () => {
  const m = buildResNetLikeModel(resnetLikeOptions(200_000, 16));
  const x = await parseInputSpec('random:4', m.graph.inputs[0].shape);
  const all: Float32Array[] = [];
  const expected = runReference(m, x, (_l, y) => all.push(y.data));
  const ran: number[] = [];
  const steps = new ReferenceSteps(m, x, (_l, _y, i) => ran.push(i));
  assert.deepEqual(Array.from(steps.outputAt(3).data), Array.from(all[3]));
  assert.deepEqual(ran, [0, 1, 2, 3]);
  steps.outputAt(1);
  assert.deepEqual(ran, [0, 1, 2, 3], 'cached layers do not run again');
  const last = m.graph.layers.length - 1;
  assert.deepEqual(Array.from(steps.outputAt(last).data), Array.from(all[last]));
  assert.deepEqual(Array.from(steps.result().data), Array.from(expected.data));
  assert.equal(ran.length, m.graph.layers.length);
  assert.throws(() => steps.outputAt(last + 1), /layer index/);
});

test('rejects an input of the wrong shape when created, before any layer runs', () => {
  const m = buildResNetLikeModel(resnetLikeOptions(200_000, 16));
  assert.throws(() => new ReferenceSteps(m, { shape: [1, 3, 8, 8], data: new Float32Array(192) }), /expected shape \[N,3,16,16\]/);
});
