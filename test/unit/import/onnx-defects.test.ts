/**
 * Issue #12's importer defects, each as the smallest graph that showed it: variants the
 * importer does not implement are refused naming the node and the attribute, never
 * computed differently in silence; graphs whose weights are graph inputs with initializers import.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImportError } from '../../../src/core/errors';
import { runReference } from '../../../src/core/exec/reference';
import { importOnnxBytes } from '../../../src/core/import/index';
import { tensor } from '../../../src/core/tensor';
import { relDiff, runOrt } from './ort-helper';
import { aFloat, aInt, f32, modelBytes, node, vi, type Obj } from './onnx-proto-builder';

const BOOL = 9;
const refuses = (graph: Obj, re: RegExp, opset = 17): void => {
  assert.throws(() => importOnnxBytes(modelBytes(graph, opset), 'm.onnx'), (e: Error) => e instanceof ImportError && re.test(e.message), re.source);
};
const bn = (attrs: Obj[]): Obj => ({
  name: 'bn', input: [vi('x', ['N', 2, 3, 3])], output: [vi('y', ['N', 2, 3, 3])],
  initializer: [f32('g', [2], [1, 2]), f32('b', [2], [0, 1]), f32('m', [2], [0.5, -0.5]), f32('v', [2], [1, 4])],
  node: [node('BatchNormalization', ['x', 'g', 'b', 'm', 'v'], ['y'], attrs, 'bn0')],
});

test('defect 1: BatchNormalization with training_mode=1 (batch statistics) is refused, even with Y as its only output', () => {
  refuses(bn([aInt('training_mode', 1)]), /node 'bn0' \(BatchNormalization\): attribute 'training_mode' is 1/);
  refuses(bn([aInt('spatial', 0)]), /node 'bn0' .*'spatial' is 0/, 8);
  refuses(bn([aInt('is_test', 0)]), /node 'bn0' .*'is_test' is 0/, 6);
  assert.equal(importOnnxBytes(modelBytes(bn([aInt('training_mode', 0), aFloat('momentum', 0.9)])), 'm.onnx').graph.layers[0].op, 'batchnorm');
});

const gemm = (c: Obj): Obj => ({
  name: 'gemm', input: [vi('x', [3, 2])], output: [vi('y', [3, 3])],
  initializer: [f32('w', [2, 3], [1, 2, 3, 4, 5, 6]), c],
  node: [node('Gemm', ['x', 'w', 'c'], ['y'], [], 'fc')],
});

test('defect 2: Gemm C of shape [M,1] varies along the rows (the batch) and is refused; [1,N] and [N] broadcast as numpy does', async () => {
  refuses(gemm(f32('c', [3, 1], [1, 2, 3])), /node 'fc' \(Gemm\): C of dims \[3,1\] varies along the rows/);
  for (const c of [f32('c', [1, 3], [1, 2, 3]), f32('c', [3], [1, 2, 3]), f32('c', [1, 1], [7])]) {
    const bytes = modelBytes(gemm(c));
    const x = tensor([3, 2], Float32Array.from([1, -1, 0.5, 2, -3, 0.25]));
    const ours = runReference(importOnnxBytes(bytes, 'm.onnx'), x);
    assert.ok(relDiff(ours.data, (await runOrt(bytes, x, 'x')).data) < 1e-6, `C dims ${(c as { dims: number[] }).dims}`);
  }
});

const dropout = (inputs: string[], init: Obj[]): Obj => ({
  name: 'drop', input: [vi('x', ['N', 4])], output: [vi('y', ['N', 4])], initializer: init,
  node: [node('Dropout', ['x', ...inputs], ['y'], [], 'drop0')],
});
const flag = (name: string, on: boolean): Obj => ({ name, dims: [], data_type: BOOL, int32_data: [on ? 1 : 0] });

test('defect 3: Dropout with a constant training_mode=true is refused naming the node; false or ratio 0 is the identity', () => {
  refuses(dropout(['r', 't'], [f32('r', [], [0.5]), flag('t', true)]), /node 'drop0' \(Dropout\): input 2 'training_mode' is true/);
  refuses(dropout(['', 't'], [flag('t', true)]), /node 'drop0' \(Dropout\): input 2 'training_mode' is true/);
  refuses({ ...dropout([], []), node: [node('Dropout', ['x'], ['y'], [aInt('is_test', 0)], 'drop0')] }, /'is_test' is 0/, 6);
  for (const g of [dropout(['r', 't'], [f32('r', [], [0.5]), flag('t', false)]), dropout(['r', 't'], [f32('r', [], [0]), flag('t', true)])]) {
    assert.deepEqual(importOnnxBytes(modelBytes(g), 'm.onnx').graph.layers, []);
  }
});

test('an attribute the converter does not understand is refused by name (no silent variant)', () => {
  const g = { name: 'r', input: [vi('x', ['N', 4])], output: [vi('y', ['N', 4])], node: [node('Relu', ['x'], ['y'], [aInt('broadcast', 1)], 'r0')] };
  refuses(g, /node 'r0' \(Relu\): attribute 'broadcast' not supported/);
  // The legacy in-place hint of opset < 6 changes nothing and is accepted.
  const legacy = { ...g, node: [node('Relu', ['x'], ['y'], [{ name: 'consumed_inputs', type: 7, ints: [0] }], 'r0')] };
  assert.equal(importOnnxBytes(modelBytes(legacy, 5), 'm.onnx').graph.layers[0].op, 'relu');
});

test('weights passed as graph inputs that have initializers are constants; without an initializer they are a second input', () => {
  const g = {
    name: 'torch_jit', input: [vi('x', ['N', 2]), vi('w', [3, 2]), vi('b', [3])], output: [vi('y', ['N', 3])],
    initializer: [f32('w', [3, 2], [1, 2, 3, 4, 5, 6]), f32('b', [3], [1, 1, 1])],
    node: [node('Gemm', ['x', 'w', 'b'], ['y'], [aInt('transB', 1)], 'fc')],
  };
  const m = importOnnxBytes(modelBytes(g), '/models/net.onnx');
  assert.deepEqual(Array.from(runReference(m, tensor([1, 2], Float32Array.from([1, 1]))).data), [4, 8, 12]);
  // An exporter's default graph name gives way to the file's.
  assert.equal(m.graph.name, 'net');
  refuses({ ...g, initializer: [f32('w', [3, 2], [1, 2, 3, 4, 5, 6])] }, /the graph has 2 inputs \('x', 'b'\)/);
});
