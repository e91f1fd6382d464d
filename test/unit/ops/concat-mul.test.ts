/** concat and mul, the ops added through the recipe: hand-computed values, ONNX graphs against onnxruntime-web, TF.js, engine, refusals. */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tfForward } from '../../../src/core/bench/tf-baseline';
import { builtinProfiles, modelCost } from '../../../src/core/cost';
import { mulberry32 } from '../../../src/core/rng';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { ExecutionError, ImportError } from '../../../src/core/errors';
import { runReference } from '../../../src/core/exec/reference';
import type { FloatModel, Layer, TnnModel } from '../../../src/core/graph/types';
import { exportOnnx, importOnnxBytes } from '../../../src/core/import/index';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { relDiff, runOrt } from '../import/ort-helper';
import { aInt, aInts, f32, modelBytes, node, vi, type Obj } from '../import/onnx-proto-builder';

const t = (shape: number[], values: number[]): Tensor => tensor(shape, Float32Array.from(values));
const asTnn = (m: FloatModel): TnnModel => ({ graph: m.graph, tensors: m.tensors, provenance: { toolVersion: 'test', date: '2026-01-01' } });

/** A one-layer model over graph input 'x' (and a second value 'x2' = relu(x) when the layer reads it). */
function oneLayer(shape: number[], layer: Omit<Layer, 'name' | 'outputs'>, tensors: Record<string, Tensor> = {}): FloatModel {
  const layers: Layer[] = [];
  if (layer.inputs.includes('x2')) layers.push({ name: 'r', op: 'relu', inputs: ['x'], outputs: ['x2'], attrs: {}, weights: {} });
  layers.push({ ...layer, name: 'op', outputs: ['y'] });
  return { graph: { name: 'm', inputs: [{ name: 'x', shape }], outputs: ['y'], layers }, tensors: new Map(Object.entries(tensors)), source: { file: 'm', sha256: '', format: 'synthetic' } };
}

test('concat along the channels, the last axis and a negative axis: hand-computed values', () => {
  // x = [[1,2],[3,4]] per channel pair; x2 = relu(x).
  const x = t([1, 2, 1, 2], [1, -2, 3, -4]);
  const byChannel = runReference(oneLayer([2, 1, 2], { op: 'concat', inputs: ['x', 'x2'], attrs: { axis: 1 }, weights: {} }), x);
  assert.deepEqual(byChannel.shape, [1, 4, 1, 2]);
  assert.deepEqual([...byChannel.data], [1, -2, 3, -4, 1, 0, 3, 0]);
  const byLast = runReference(oneLayer([2, 1, 2], { op: 'concat', inputs: ['x', 'x2', 'x'], attrs: { axis: -1 }, weights: {} }), x);
  assert.deepEqual(byLast.shape, [1, 2, 1, 6]);
  assert.deepEqual([...byLast.data], [1, -2, 1, 0, 1, -2, 3, -4, 3, 0, 3, -4]);
  const byRow = runReference(oneLayer([2, 1, 2], { op: 'concat', inputs: ['x', 'x2'], attrs: { axis: 2 }, weights: {} }), x);
  assert.deepEqual(byRow.shape, [1, 2, 2, 2]);
  assert.deepEqual([...byRow.data], [1, -2, 1, 0, 3, -4, 3, 0]);
});

test('mul: squeeze-excitation gate, per-channel constant and scalar constant, hand-computed', () => {
  // x [1,2,1,2] = [[1,2],[3,4]]; gate = relu(x) would not be [N,C,1,1], so build gate = global average pool.
  const se: FloatModel = {
    graph: {
      name: 'se', inputs: [{ name: 'x', shape: [2, 1, 2] }], outputs: ['y'],
      layers: [
        { name: 'g', op: 'globalavgpool', inputs: ['x'], outputs: ['g'], attrs: {}, weights: {} },
        { name: 'op', op: 'mul', inputs: ['x', 'g'], outputs: ['y'], attrs: {}, weights: {} },
      ],
    },
    tensors: new Map(), source: { file: 'se', sha256: '', format: 'synthetic' },
  };
  // channel means 1.5 and 3.5: [1·1.5, 2·1.5, 3·3.5, 4·3.5]
  assert.deepEqual([...runReference(se, t([1, 2, 1, 2], [1, 2, 3, 4])).data], [1.5, 3, 10.5, 14]);
  const perChannel = oneLayer([2, 1, 2], { op: 'mul', inputs: ['x'], attrs: {}, weights: { scale: 's' } }, { s: t([1, 2, 1, 1], [10, -1]) });
  assert.deepEqual([...runReference(perChannel, t([1, 2, 1, 2], [1, 2, 3, 4])).data], [10, 20, -3, -4]);
  const perColumn = oneLayer([2, 1, 2], { op: 'mul', inputs: ['x'], attrs: {}, weights: { scale: 's' } }, { s: t([1, 1, 1, 2], [2, 0.5]) });
  assert.deepEqual([...runReference(perColumn, t([1, 2, 1, 2], [1, 2, 3, 4])).data], [2, 1, 6, 2]);
  const scalar = oneLayer([3], { op: 'mul', inputs: ['x'], attrs: {}, weights: { scale: 's' } }, { s: t([1, 1], [0.25]) });
  assert.deepEqual([...runReference(scalar, t([2, 3], [4, 8, -4, 1, 2, 3])).data], [1, 2, -1, 0.25, 0.5, 0.75]);
  // One float multiply per output element.
  assert.equal(modelCost(asTnn(perChannel), builtinProfiles()[0]).layers[0].macs.ff, 4);
});

test('refusals name the layer: concat on the batch axis or mismatched shapes, mul that does not broadcast or has both operands', () => {
  const x = t([1, 2, 1, 2], [1, 2, 3, 4]);
  const bad: [FloatModel, RegExp][] = [
    [oneLayer([2, 1, 2], { op: 'concat', inputs: ['x', 'x2'], attrs: { axis: 0 }, weights: {} }), /layer 'op' \(concat\): attribute 'axis'.*batch/],
    [oneLayer([2, 1, 2], { op: 'concat', inputs: ['x', 'x2'], attrs: { axis: 4 }, weights: {} }), /attribute 'axis'.*out of range/],
    [oneLayer([2, 1, 2], { op: 'mul', inputs: ['x'], attrs: {}, weights: { scale: 's' } }, { s: t([1, 3, 1, 1], [1, 2, 3]) }), /layer 'op' \(mul\).*do not broadcast/],
    [oneLayer([2, 1, 2], { op: 'mul', inputs: ['x'], attrs: {}, weights: { scale: 's' } }, { s: t([2, 2, 1, 1], [1, 2, 3, 4]) }), /leading \(batch\) dim/],
    [oneLayer([2, 1, 2], { op: 'mul', inputs: ['x', 'x2'], attrs: {}, weights: { scale: 's' } }, { s: t([1, 2, 1, 1], [1, 2]) }), /not both/],
    [oneLayer([2, 1, 2], { op: 'mul', inputs: ['x'], attrs: {}, weights: {} }), /needs a second input/],
  ];
  for (const [m, re] of bad) assert.throws(() => runReference(m, x), (e: unknown) => e instanceof ExecutionError && re.test((e as Error).message));
});

const rnd = mulberry32(5);
const vals = (n: number, s = 0.5) => Array.from({ length: n }, () => (rnd() * 2 - 1) * s);

/** Imports ONNX bytes, runs both runtimes on a random batch of 2, and checks the packed engine and TF.js too. */
async function crossCheck(graph: Obj, inShape: number[], expectOps: string[]): Promise<FloatModel> {
  const bytes = modelBytes(graph);
  const m = importOnnxBytes(bytes, 'g.onnx');
  assert.deepEqual(m.graph.layers.map((l) => l.op), expectOps);
  const x = tensor([2, ...inShape], Float32Array.from(vals(2 * inShape.reduce((a, b) => a * b, 1), 2)));
  const ours = runReference(m, x);
  const ort = await runOrt(bytes, x, 'x');
  assert.deepEqual(ours.shape, ort.shape);
  assert.ok(relDiff(ours.data, ort.data) <= 1e-5, `onnxruntime: ${relDiff(ours.data, ort.data)}`);
  const again = await runOrt(exportOnnx(m), x, 'x');
  assert.ok(relDiff(again.data, ort.data) <= 1e-5, 're-exported model');
  const engine = await loadPackedEngine(asTnn(m));
  assert.ok(relDiff(engine.run(x).data, ours.data) <= 1e-5, 'packed engine');
  await tf.setBackend('cpu');
  assert.ok(relDiff(tfForward(tf, asTnn(m))(x), ours.data) <= 1e-4, 'TF.js');
  return m;
}

test('ONNX squeeze-excitation block (GlobalAveragePool → Conv → Relu → Conv → Mul) matches onnxruntime-web', async () => {
  await crossCheck({
    name: 'se', input: [vi('x', ['N', 4, 5, 5])], output: [vi('y', ['N', 4, 5, 5])],
    initializer: [f32('w1', [2, 4, 1, 1], vals(8)), f32('b1', [2], vals(2)), f32('w2', [4, 2, 1, 1], vals(8)), f32('b2', [4], vals(4))],
    node: [
      node('GlobalAveragePool', ['x'], ['g']),
      node('Conv', ['g', 'w1', 'b1'], ['s1']),
      node('Relu', ['s1'], ['s2']),
      node('Conv', ['s2', 'w2', 'b2'], ['s3']),
      node('Mul', ['x', 's3'], ['y']),
    ],
  }, [4, 5, 5], ['globalavgpool', 'conv2d', 'relu', 'conv2d', 'mul']);
});

test('ONNX Mul by constants ([C,1,1], a scalar as the first operand, [1,1,W]) matches onnxruntime-web', async () => {
  const m = await crossCheck({
    name: 'cm', input: [vi('x', ['N', 3, 2, 4])], output: [vi('y', ['N', 3, 2, 4])],
    initializer: [f32('c', [3, 1, 1], [2, -0.5, 3]), f32('k', [], [1 / 6]), f32('w', [1, 1, 4], [1, 2, 3, 4])],
    node: [node('Mul', ['x', 'c'], ['a']), node('Mul', ['k', 'a'], ['b']), node('Relu', ['b'], ['r']), node('Mul', ['r', 'w'], ['y'])],
  }, [3, 2, 4], ['mul', 'mul', 'relu', 'mul']);
  assert.deepEqual(m.tensors.get(m.graph.layers[0].weights.scale)?.shape, [1, 3, 1, 1]);
  assert.deepEqual(m.tensors.get(m.graph.layers[1].weights.scale)?.shape, [1, 1, 1, 1]);
});

test('ONNX Concat of branches along channels, a spatial axis and axis −1 matches onnxruntime-web', async () => {
  for (const axis of [1, 2, -1]) {
    await crossCheck({
      name: 'cat', input: [vi('x', ['N', 2, 3, 3])], output: [vi('y', ['N', axis === 1 ? 5 : 2, axis === 2 ? 6 : 3, axis === -1 ? 6 : 3])],
      initializer: [f32('w', [axis === 1 ? 3 : 2, 2, 3, 3], vals(axis === 1 ? 54 : 36))],
      node: [node('Conv', ['x', 'w'], ['c'], [aInts('pads', [1, 1, 1, 1])]), node('Relu', ['x'], ['r']), node('Concat', axis === 1 ? ['c', 'x'] : ['c', 'r'], ['y'], [aInt('axis', axis)])],
    }, [2, 3, 3], ['conv2d', 'relu', 'concat']);
  }
});

test('ONNX refusals name the node: Concat with a constant beside activations, Mul by a batch-varying constant', () => {
  const concatConst = modelBytes({
    name: 'c', input: [vi('x', ['N', 2])], output: [vi('y', ['N', 4])], initializer: [f32('k', [1, 2], [1, 2])],
    node: [node('Concat', ['x', 'k'], ['y'], [aInt('axis', 1)], 'cat0')],
  });
  assert.throws(() => importOnnxBytes(concatConst, 'c.onnx'), (e: unknown) => e instanceof ImportError && /node 'cat0' \(Concat\).*constant/.test((e as Error).message));
  const mulBatch = modelBytes({
    name: 'm', input: [vi('x', ['N', 2])], output: [vi('y', ['N', 2])], initializer: [f32('k', [3, 2], [1, 2, 3, 4, 5, 6])],
    node: [node('Mul', ['x', 'k'], ['y'], [], 'mul0')],
  });
  assert.throws(() => importOnnxBytes(mulBatch, 'm.onnx'), (e: unknown) => e instanceof ImportError && /node 'mul0' \(Mul\).*batch/.test((e as Error).message));
});
