/**
 * Ceil-mode pooling (ONNX ceil_mode=1, PyTorch's ceil_mode=True): output sizes rounded up,
 * a last window starting past the input dropped, average divisors as PyTorch counts them
 * (count_include_pad=1 counts the padding but not the overhang). onnxruntime-web is the
 * oracle (it agreed with PyTorch 1.13 on these cases to 1.2e-7); the packed engine runs
 * the reference kernel; TF.js refuses by name; an import keeps ceilMode only where it matters.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../src/core/rng';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { runReference } from '../../../src/core/exec/reference';
import type { AttrValue, FloatModel } from '../../../src/core/graph/types';
import { exportOnnx, importOnnxBytes } from '../../../src/core/import/index';
import { tfTranslation, windowOut } from '../../../src/core/ops/index';
import { tensor } from '../../../src/core/tensor';
import { relDiff, runOrt } from '../import/ort-helper';
import { ModelBuilder } from '../import/model-builders';

function pool(op: 'maxpool' | 'avgpool', attrs: Record<string, AttrValue>): FloatModel {
  const b = new ModelBuilder(`${op}-ceil`, [2, 8, 8]);
  b.add('pool', op, { kernel: [3, 3], strides: [2, 2], ...attrs });
  return b.build();
}

const r = mulberry32(11);
const x = tensor([2, 2, 8, 8], Float32Array.from({ length: 256 }, () => r() * 2 - 1));

test('windowOut in ceil mode rounds up and drops a window that would start past the input', () => {
  assert.equal(windowOut(8, 3, 2, 0, 0), 3);
  assert.equal(windowOut(8, 3, 2, 0, 0, 1, true), 4);
  // ⌈5/2⌉ + 1 = 4 windows, but the 4th would start at 3·2 = 6, past the 5 inputs and the 1 begin pad: dropped.
  assert.equal(windowOut(5, 2, 2, 1, 1, 1, true), 3);
  // ⌈4/3⌉ + 1 = 3, the 3rd would start at 6 ≥ 4 + 1: dropped.
  assert.equal(windowOut(4, 2, 3, 1, 1, 1, true), 2);
});

const variants: Array<['maxpool' | 'avgpool', Record<string, AttrValue>]> = [
  ['maxpool', { pads: [0, 0, 0, 0], ceilMode: 1 }],
  ['maxpool', { pads: [1, 1, 1, 1], ceilMode: 1 }],
  ['avgpool', { pads: [0, 0, 0, 0], ceilMode: 1, countIncludePad: 0 }],
  ['avgpool', { pads: [1, 1, 1, 1], ceilMode: 1, countIncludePad: 0 }],
  ['avgpool', { pads: [0, 0, 0, 0], ceilMode: 1, countIncludePad: 1 }],
  ['avgpool', { pads: [1, 1, 1, 1], ceilMode: 1, countIncludePad: 1 }],
];

for (const [op, attrs] of variants) {
  test(`${op} ${JSON.stringify(attrs)}: reference = onnxruntime-web = packed engine; TF.js refuses`, async () => {
    const m = pool(op, attrs);
    const ref = runReference(m, x);
    assert.deepEqual(ref.shape.slice(2), attrs.pads && (attrs.pads as number[])[0] ? [5, 5] : [4, 4], 'ceil-mode output size');
    const bytes = exportOnnx(m);
    assert.ok(relDiff((await runOrt(bytes, x)).data, ref.data) < 1e-6, 'onnxruntime-web');
    assert.ok(relDiff((await loadPackedEngine({ graph: m.graph, tensors: m.tensors, provenance: { toolVersion: 't', date: 'd' } })).run(x).data, ref.data) < 1e-6, 'packed engine');
    assert.equal(importOnnxBytes(bytes, 'p.onnx').graph.layers[0].attrs.ceilMode, 1, 'the round trip keeps ceil mode');
    assert.throws(() => tfTranslation(m.graph.layers[0]), /(ceil-mode|padded) pooling is not supported by the TF\.js translation/);
  });
}

test('an ONNX ceil_mode=1 that does not change the output size imports as a plain floor-mode pool', () => {
  const b = new ModelBuilder('even', [2, 9, 9]);
  b.add('pool', 'maxpool', { kernel: [3, 3], strides: [2, 2], pads: [0, 0, 0, 0], ceilMode: 1 });
  const back = importOnnxBytes(exportOnnx(b.build()), 'even.onnx');
  assert.equal(back.graph.layers[0].attrs.ceilMode, undefined);
  assert.doesNotThrow(() => tfTranslation(back.graph.layers[0]));
});
