import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { mulberry32 } from '../../../src/core/rng';
import { ImportError } from '../../../src/core/errors';
import { runReference } from '../../../src/core/exec/reference';
import { importModel } from '../../../src/core/import/index';
import { tensor } from '../../../src/core/tensor';
import { relDiff, runOrt } from './ort-helper';
import { aFloat, aInt, aInts, aStr, aTensor, f32, i64, modelBytes, node, pbBytes, pbString, pbVarint, vi, type Obj } from './onnx-proto-builder';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-onnx-graphs-'));
const rnd = mulberry32(7);
const randVals = (n: number, scale = 0.5): number[] => Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Imports, runs both runtimes on a random batch and compares. */
async function crossCheck(name: string, graph: Obj, inShape: number[], opset = 17): Promise<void> {
  const bytes = modelBytes(graph, opset);
  const model = await importModel(write(`${name}.onnx`, bytes));
  const x = tensor([2, ...inShape], Float32Array.from(randVals(2 * inShape.reduce((a, b) => a * b, 1), 2)));
  const ours = runReference(model, x);
  const theirs = await runOrt(bytes, x, 'x');
  assert.deepEqual(ours.shape, theirs.shape);
  assert.ok(relDiff(ours.data, theirs.data) <= 1e-4, `${name}: rel diff ${relDiff(ours.data, theirs.data)}`);
}

test('MatMul + constant Add folds into one dense layer and matches onnxruntime', async () => {
  const graph = {
    name: 'mm', input: [vi('x', ['N', 5])], output: [vi('y', ['N', 3])],
    initializer: [f32('W', [5, 3], randVals(15)), f32('b', [3], randVals(3))],
    node: [node('MatMul', ['x', 'W'], ['h']), node('Add', ['h', 'b'], ['y'])],
  };
  const m = await importModel(write('mm.onnx', modelBytes(graph)));
  assert.deepEqual(m.graph.layers.map((l) => l.op), ['dense']);
  assert.deepEqual(m.tensors.get(m.graph.layers[0].weights.weight)?.shape, [3, 5]);
  assert.ok(m.graph.layers[0].weights.bias);
  await crossCheck('mm', graph, [5]);
});

test('Gemm with transB=0, alpha and beta; Conv + Add bias; Reshape via Constant with 0 and -1', async () => {
  const graph = {
    name: 'g', input: [vi('x', ['N', 2, 6, 6])], output: [vi('y', ['N', 4])],
    initializer: [f32('cw', [3, 2, 3, 3], randVals(54)), f32('cb', [1, 3, 1, 1], randVals(3)), f32('B', [27, 4], randVals(108)), f32('C', [4], randVals(4))],
    node: [
      node('Conv', ['x', 'cw'], ['c'], [aInts('kernel_shape', [3, 3]), aInts('strides', [2, 2]), aStr('auto_pad', 'SAME_UPPER')]),
      node('Add', ['c', 'cb'], ['cbias']),
      node('Constant', [], ['shape'], [aTensor('value', i64('', [0, -1]))]),
      node('Reshape', ['cbias', 'shape'], ['r']),
      node('Gemm', ['r', 'B', 'C'], ['y'], [aFloat('alpha', 0.5), aFloat('beta', 2), aInt('transB', 0)]),
    ],
  };
  const m = await importModel(write('g.onnx', modelBytes(graph)));
  assert.deepEqual(m.graph.layers.map((l) => l.op), ['conv2d', 'reshape', 'dense']);
  assert.deepEqual(m.graph.layers[0].attrs.pads, [0, 0, 1, 1]); // total pad 1: SAME_UPPER puts it at the end
  await crossCheck('g', graph, [2, 6, 6]);
});

test('SAME_LOWER puts the odd pad at the beginning; MaxPool/AveragePool count_include_pad', async () => {
  const graph = {
    name: 's', input: [vi('x', ['N', 1, 6, 6])], output: [vi('y', ['N', 2, 2, 2])],
    initializer: [f32('w', [2, 1, 2, 2], randVals(8))],
    node: [
      node('Conv', ['x', 'w'], ['c'], [aStr('auto_pad', 'SAME_LOWER')]),
      node('AveragePool', ['c'], ['a'], [aInts('kernel_shape', [3, 3]), aInts('pads', [1, 1, 1, 1]), aInts('strides', [2, 2]), aInt('count_include_pad', 1)]),
      node('MaxPool', ['a'], ['y'], [aInts('kernel_shape', [2, 2]), aInts('strides', [2, 2]), aStr('auto_pad', 'SAME_UPPER')]),
    ],
  };
  const m = await importModel(write('s.onnx', modelBytes(graph)));
  assert.deepEqual(m.graph.layers[0].attrs.pads, [1, 1, 0, 0]);
  await crossCheck('s', graph, [1, 6, 6]);
});

test('Clip (inputs from opset 11, attributes before), LeakyRelu, PRelu, Softmax, Identity, Dropout', async () => {
  const body = (clip: Obj): Obj => ({
    name: 'c', input: [vi('x', ['N', 3, 2, 2])], output: [vi('y', ['N', 12])],
    initializer: [f32('lo', [], [-0.3]), f32('hi', [], [0.4]), f32('slope', [3, 1, 1], [0.1, 0.2, 0.3])],
    node: [
      node('PRelu', ['x', 'slope'], ['p']),
      node('LeakyRelu', ['p'], ['l'], [aFloat('alpha', 0.2)]),
      node('Identity', ['l'], ['i']),
      clip,
      node('Dropout', ['k'], ['d']),
      node('Flatten', ['d'], ['f']),
      node('Softmax', ['f'], ['y'], [aInt('axis', 1)]),
    ],
  });
  await crossCheck('clip17', body(node('Clip', ['i', 'lo', 'hi'], ['k'])), [3, 2, 2], 17);
  const old = body(node('Clip', ['i'], ['k'], [aFloat('min', -0.3), aFloat('max', 0.4)]));
  const m = await importModel(write('clip6.onnx', modelBytes(old, 10)));
  const clip = m.graph.layers.find((l) => l.op === 'clip');
  assert.ok(clip && Math.abs((clip.attrs.min as number) + 0.3) < 1e-6 && Math.abs((clip.attrs.max as number) - 0.4) < 1e-6);
  assert.ok(!m.graph.layers.some((l) => l.op === 'identity'), 'Identity and Dropout are folded away');
});

test('GlobalAveragePool + Flatten + Gemm(transB=1) matches onnxruntime', async () => {
  await crossCheck('gap', {
    name: 'gap', input: [vi('x', ['N', 4, 5, 5])], output: [vi('y', ['N', 2])],
    initializer: [f32('W', [2, 4], randVals(8)), f32('b', [2], randVals(2))],
    node: [node('GlobalAveragePool', ['x'], ['g']), node('Flatten', ['g'], ['f']), node('Gemm', ['f', 'W', 'b'], ['y'], [aInt('transB', 1)])],
  }, [4, 5, 5]);
});

/** Asserts an ImportError whose message matches every pattern. */
async function rejects(file: string, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(importModel(file), (e: unknown) => {
    assert.ok(e instanceof ImportError, `expected ImportError, got ${e}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

test('hand-written protobuf bytes with an unsupported op → ImportError naming op, node, file and the supported list', async () => {
  // ModelProto { ir_version=1: 8, opset_import=8: {version=2: 17}, graph=7: {...} } written without the schema.
  const tensorType = pbBytes(1, [...pbVarint(1, 1), ...pbBytes(2, [...pbBytes(1, pbString(2, 'N')), ...pbBytes(1, pbVarint(1, 4))])]);
  const valueInfo = (name: string) => [...pbString(1, name), ...pbBytes(2, tensorType)];
  const nodeBytes = [...pbString(1, 'x'), ...pbString(2, 'y'), ...pbString(3, 'my_gelu'), ...pbString(4, 'Gelu')];
  const graph = [...pbBytes(1, nodeBytes), ...pbString(2, 'g'), ...pbBytes(11, valueInfo('x')), ...pbBytes(12, valueInfo('y'))];
  const bytes = Uint8Array.from([...pbVarint(1, 8), ...pbBytes(8, pbVarint(2, 17)), ...pbBytes(7, graph)]);
  const file = write('gelu.onnx', bytes);
  await rejects(file, /unsupported op type 'Gelu'/, /node 'my_gelu'/, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), /supported ops: .*Conv.*Gemm/);
});

test('clear errors: multiple inputs, non-float32 weights, dynamic weights, missing initializers, shapes that do not infer', async () => {
  const base = (over: Obj): Obj => ({ name: 'e', input: [vi('x', ['N', 4])], output: [vi('y', ['N', 2])], initializer: [f32('W', [2, 4], randVals(8))], node: [node('Gemm', ['x', 'W'], ['y'], [aInt('transB', 1)])], ...over });
  await rejects(write('two.onnx', modelBytes(base({ input: [vi('x', ['N', 4]), vi('z', ['N', 4])] }))), /2 inputs/, /only models with exactly one input/);
  const int8 = { name: 'W', dims: [2, 4], data_type: 3, raw_data: new Uint8Array(8) };
  await rejects(write('int8.onnx', modelBytes(base({ initializer: [int8] }))), /'W' has element type INT8/, /only float32/);
  await rejects(write('dyn.onnx', modelBytes(base({ initializer: [], input: [vi('x', ['N', 4])], node: [node('Relu', ['x'], ['W']), node('Gemm', ['x', 'W'], ['y'])] }))), /computed at run time/);
  await rejects(write('missing.onnx', modelBytes(base({ initializer: [] }))), /'W' has no initializer/);
  await rejects(write('shape.onnx', modelBytes(base({ initializer: [f32('W', [2, 3], randVals(6))] }))), /shapes do not infer/, /expects 3/);
  await rejects(write('sym.onnx', modelBytes(base({ input: [vi('x', ['N', 'features'])] }))), /dimension 1 is 'features'/);
  await rejects(write('garbage.onnx', Uint8Array.from([0xff, 0xff, 0xff, 0x01, 0x02])), /garbage\.onnx/);
});

test('initializers also listed as graph inputs (IR < 4 style) are not model inputs; a constant Add that cannot be a bias is an addend', async () => {
  const graph = {
    name: 'old', input: [vi('x', ['N', 4]), vi('W', [4, 2])], output: [vi('y', ['N', 2])],
    initializer: [f32('W', [4, 2], randVals(8))],
    node: [node('MatMul', ['x', 'W'], ['h']), node('Relu', ['h'], ['y'])],
  };
  await crossCheck('old', graph, [4]);
  // h also feeds the Relu, so b cannot become the MatMul's bias: a broadcast addend instead.
  const twice = { ...graph, initializer: [f32('W', [4, 2], randVals(8)), f32('b', [2], [1, 2])], node: [node('MatMul', ['x', 'W'], ['h']), node('Add', ['h', 'b'], ['y']), node('Relu', ['h'], ['z'])] };
  const m = await importModel(write('twice.onnx', modelBytes(twice)));
  assert.deepEqual(m.graph.layers.map((l) => [l.op, Object.keys(l.weights).sort().join()]), [['dense', 'weight'], ['add', 'addend'], ['relu', '']]);
  await crossCheck('twice', twice, [4]);
  const batchVarying = { ...twice, initializer: [f32('W', [4, 2], randVals(8)), f32('b', [3, 2], randVals(6))] };
  await rejects(write('varying.onnx', modelBytes(batchVarying)), /constant of dims \[3,2\] varies along the batch axis/);
  const sm = { ...graph, output: [vi('y', ['N', 2, 2])], input: [vi('x', ['N', 2, 4])], node: [node('MatMul', ['x', 'W'], ['h']), node('Softmax', ['h'], ['y'], [aInt('axis', 1)])] };
  await rejects(write('sm11.onnx', modelBytes(sm, 11)), /opset 11 Softmax with axis 1 on a rank-3 input is not supported/);
});

test("PyTorch's x.view(x.size(0), -1) (Shape → Gather → Unsqueeze → Concat → Reshape) folds to a reshape", async () => {
  const graph = {
    name: 'view', input: [vi('x', ['N', 2, 3, 3])], output: [vi('y', ['N', 4])],
    initializer: [f32('W', [4, 18], randVals(72)), f32('b', [4], randVals(4)), i64('idx0', [0]), i64('minus1', [-1])],
    node: [
      node('Relu', ['x'], ['r']),
      node('Shape', ['r'], ['s']),
      node('Constant', [], ['zero'], [aTensor('value', { dims: [], data_type: 7, int64_data: [0] })]),
      node('Gather', ['s', 'zero'], ['n'], [aInt('axis', 0)]),
      node('Constant', [], ['axes'], [aTensor('value', i64('', [0]))]),
      node('Unsqueeze', ['n', 'axes'], ['n1']),
      node('Concat', ['n1', 'minus1'], ['shape'], [aInt('axis', 0)]),
      node('Reshape', ['r', 'shape'], ['flat']),
      node('Gemm', ['flat', 'W', 'b'], ['y'], [aInt('transB', 1)]),
    ],
  };
  const m = await importModel(write('view.onnx', modelBytes(graph)));
  assert.deepEqual(m.graph.layers.map((l) => l.op), ['relu', 'reshape', 'dense']);
  assert.deepEqual(m.graph.layers[1].attrs.shape, [18]);
  await crossCheck('view', graph, [2, 3, 3]);
});
