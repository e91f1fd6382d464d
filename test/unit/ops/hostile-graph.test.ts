/**
 * Issue #15 defect 2: a graph is checked with every op's own rules before
 * anything is allocated. Each hostile file fails at load with a TnnFormatError
 * naming the layer (and the attribute when one is to blame), never "internal
 * error", never gigabytes of memory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ExecutionError, ImportError } from '../../../src/core/errors';
import { runReference } from '../../../src/core/exec/reference';
import { parseTnn, serializeTnn } from '../../../src/core/format/index';
import type { Graph, TnnModel } from '../../../src/core/graph/types';
import { importOnnxBytes } from '../../../src/core/import/index';
import { MAX_INPUT_ELEMENTS } from '../../../src/core/ops/index';
import { tensor } from '../../../src/core/tensor';
import { cli } from '../cli/cli-helpers';
import { editMeta, expectFormatError, FILE } from '../format/helpers';
import { aInts, f32, modelBytes, node, vi } from '../import/onnx-proto-builder';

/** input [1,8,8] → conv 3×3 (2 ch) → maxpool 2×2 → flatten → dense 18→3. */
function cnn(): TnnModel {
  const f = (shape: number[]) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i % 7) - 3) / 10) });
  return {
    graph: {
      name: 'cnn', inputs: [{ name: 'x', shape: [1, 8, 8] }], outputs: ['y'],
      layers: [
        { name: 'conv', op: 'conv2d', inputs: ['x'], outputs: ['c'], attrs: { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }, weights: { weight: 'conv.w' } },
        { name: 'pool', op: 'maxpool', inputs: ['c'], outputs: ['p'], attrs: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, weights: {} },
        { name: 'flat', op: 'flatten', inputs: ['p'], outputs: ['f'], attrs: { axis: 1 }, weights: {} },
        { name: 'fc', op: 'dense', inputs: ['f'], outputs: ['y'], attrs: {}, weights: { weight: 'fc.w' } },
      ],
    },
    tensors: new Map([['conv.w', f([2, 1, 3, 3])], ['fc.w', f([3, 18])]]),
    provenance: { toolVersion: '0.1.0', date: '2026-01-01' },
  };
}

const bytes = serializeTnn(cnn(), FILE);
const withGraph = (edit: (g: Graph) => void): Uint8Array => editMeta(bytes, 'graph', (g: Graph) => (edit(g), g));
const L = '__metadata__.graph.layers';

/** Parses, and checks that no more than `mb` MiB of array buffers were allocated on the way. */
function parseBounded(b: Uint8Array, mb = 64): void {
  const before = process.memoryUsage().arrayBuffers;
  try {
    parseTnn(b, FILE);
  } finally {
    const grown = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
    assert.ok(grown < mb, `grew ${grown.toFixed(0)} MiB`);
  }
}

test('the base model loads (the hostile ones below differ by one field)', () => {
  assert.equal(parseTnn(bytes, FILE).graph.layers.length, 4);
});

test('stride 0 and a fractional stride name the layer and the attribute', () => {
  for (const s of [0, 1.5, -1]) {
    const e = expectFormatError(() => parseBounded(withGraph((g) => (g.layers[0].attrs.strides = [s, 1]))), { field: `${L}[0].attrs.strides`, detail: /layer 'conv' \(conv2d\).*'strides'.*\[0\].*positive integer/ });
    assert.ok(e.message.includes(String(s)), e.message);
  }
  expectFormatError(() => parseBounded(withGraph((g) => (g.layers[1].attrs.strides = [0, 2]))), { field: `${L}[1].attrs.strides`, detail: /layer 'pool' \(maxpool\)/ });
});

test('kernel 0, dilation 0, negative or fractional pads, a missing kernel and an unknown attribute are refused by name', () => {
  const cases: [(g: Graph) => void, string][] = [
    [(g) => (g.layers[1].attrs.kernel = [0, 2]), `${L}[1].attrs.kernel`],
    [(g) => delete g.layers[1].attrs.kernel, `${L}[1].attrs.kernel`],
    [(g) => (g.layers[0].attrs.dilations = [1, 0]), `${L}[0].attrs.dilations`],
    [(g) => (g.layers[0].attrs.pads = [0, -1, 0, 0]), `${L}[0].attrs.pads`],
    [(g) => (g.layers[0].attrs.pads = [0, 0.5, 0, 0]), `${L}[0].attrs.pads`],
    [(g) => (g.layers[0].attrs.pads = [0, 0]), `${L}[0].attrs.pads`],
    [(g) => (g.layers[0].attrs.group = 0), `${L}[0].attrs.group`],
    [(g) => (g.layers[1].attrs.ceil_mode = 1), `${L}[1].attrs.ceil_mode`],
  ];
  for (const [edit, field] of cases) expectFormatError(() => parseBounded(withGraph(edit)), { field, detail: /layer '(conv|pool)'/ });
});

test('pads of 1e9: pooling refuses them by attribute, a conv by the size of its output, before allocating', () => {
  expectFormatError(() => parseBounded(withGraph((g) => (g.layers[1].attrs.pads = [1e9, 1e9, 1e9, 1e9]))), { field: `${L}[1].attrs.pads`, detail: /smaller than the kernel/ });
  expectFormatError(() => parseBounded(withGraph((g) => (g.layers[0].attrs.pads = [1e9, 1e9, 1e9, 1e9]))), { field: `${L}[0]`, detail: /layer 'conv' \(conv2d\).*limit/ });
});

test('conv pads of 6000 (a 12006×12006 output per channel) are refused at load', () => {
  expectFormatError(() => parseBounded(withGraph((g) => (g.layers[0].attrs.pads = [6000, 6000, 6000, 6000]))), { field: `${L}[0]`, detail: /layer 'conv'.*\[1,2,12006,12006\].*limit/ });
});

test('a [1, 2^20, 2^20] input and a 28000×28000 input are refused at load, naming the input', () => {
  for (const shape of [[1, 2 ** 20, 2 ** 20], [1, 28000, 28000]]) {
    expectFormatError(() => parseBounded(withGraph((g) => (g.inputs[0].shape = shape))), { field: '__metadata__.graph.inputs', detail: new RegExp(`graph input 'x'.*limit of ${MAX_INPUT_ELEMENTS}`) });
  }
});

test('mismatched weights are refused at load, naming the layer', () => {
  expectFormatError(() => parseBounded(withGraph((g) => (g.layers[3].weights.weight = 'conv.w'))), { field: `${L}[3]`, detail: /layer 'fc' \(dense\).*weight must be \[out,in\]/ });
});

test('the executors check an in-memory model before allocating (a model that was never read from a file)', () => {
  const m = cnn();
  m.graph.layers[0].attrs.pads = [6000, 6000, 6000, 6000];
  assert.throws(() => runReference(m, tensor([1, 1, 8, 8])), (e: unknown) => e instanceof ExecutionError && /layer 'conv'.*limit/.test(e.message));
  const big = cnn();
  big.graph.inputs[0].shape = [1, 28000, 28000];
  assert.throws(() => runReference(big, tensor([1, 1, 8, 8])), (e: unknown) => e instanceof ExecutionError && /graph input 'x'/.test(e.message));
});

test('the ONNX importer refuses stride 0 and a huge input, naming the node and the attribute', () => {
  const graph = (strides: number[], h: number) => ({
    name: 'g', input: [vi('x', ['N', 1, h, h])], output: [vi('y', ['N', 1, 2, 2])],
    initializer: [f32('w', [1, 1, 3, 3], new Array(9).fill(0.1))],
    node: [node('Conv', ['x', 'w'], ['y'], [aInts('strides', strides)], 'conv0')],
  });
  assert.throws(() => importOnnxBytes(modelBytes(graph([0, 1], 6)), 'm.onnx'), (e: unknown) => e instanceof ImportError && /m\.onnx: node 'conv0' \(Conv\).*'strides'.*positive integer/.test((e as Error).message));
  assert.throws(() => importOnnxBytes(modelBytes(graph([1, 1], 1_000_000)), 'm.onnx'), (e: unknown) => e instanceof ImportError && /m\.onnx: graph input 'x'.*(limit|more than)/.test((e as Error).message));
});

test('tritscope inspect and run report the layer and attribute, with no internal error', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-hostile-graph-'));
  const file = path.join(dir, 'stride0.tnn');
  writeFileSync(file, withGraph((g) => (g.layers[0].attrs.strides = [0, 0])));
  for (const argv of [['inspect', file], ['run', file, '--input', 'zeros']]) {
    const r = await cli(...argv);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /layers\[0\]\.attrs\.strides.*layer 'conv' \(conv2d\)/);
    assert.doesNotMatch(r.stderr, /internal error/i);
  }
});
