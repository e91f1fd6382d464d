/**
 * Issue #15 defect 4: the ONNX reader checks dims and data lengths before
 * allocating, and refuses graph inputs no model could run, naming the file
 * and the tensor or input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImportError } from '../../../src/core/errors';
import { importOnnxBytes } from '../../../src/core/import/onnx/import';
import { MAX_TENSOR_ELEMENTS } from '../../../src/core/limits';
import { aTensor, f32, modelBytes, node, vi, type Obj } from '../import/onnx-proto-builder';

const FILE = 'hostile.onnx';

/** input [N, 4] → Gemm(W [2,4], B [2]) → output; `edit` changes one part. */
function graph(edit: (g: { w: Obj; b: Obj; input: Obj; nodes: Obj[] }) => void = () => undefined): Uint8Array {
  const parts = { w: f32('W', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), b: f32('B', [2], [0.5, -0.5]), input: vi('x', ['N', 4]), nodes: [node('Gemm', ['x', 'W', 'B'], ['y'], [{ name: 'transB', type: 2, i: 1 }])] };
  edit(parts);
  return modelBytes({ name: 'g', node: parts.nodes, initializer: [parts.w, parts.b], input: [parts.input], output: [vi('y', ['N', 2])] });
}

function refused(bytes: Uint8Array, pattern: RegExp): void {
  const rss = process.memoryUsage().rss;
  assert.throws(() => importOnnxBytes(bytes, FILE), (e: unknown) => {
    assert.ok(e instanceof ImportError, `expected ImportError, got ${e}`);
    assert.ok(e.message.startsWith(`${FILE}: `), e.message);
    assert.match(e.message, pattern);
    return true;
  });
  // Nothing big was allocated on the way to the error.
  assert.ok(process.memoryUsage().rss - rss < 200 * 2 ** 20, 'memory grew by more than 200 MB');
}

test('the unedited graph imports', () => {
  assert.equal(importOnnxBytes(graph(), FILE).graph.layers.length, 1);
});

test('dims of 1e12 or negative name the file and the tensor', () => {
  refused(graph((g) => { g.w.dims = [1e6, 1e6]; }), /initializer 'W': dims \[1000000,1000000\] have more than \d+ elements/);
  refused(graph((g) => { g.w.dims = [1e12]; }), /initializer 'W'.*more than/);
  refused(graph((g) => { g.w.dims = [-2, -4]; }), /initializer 'W': dims\[0\] is -2; expected a non-negative integer/);
  refused(graph((g) => { g.w.dims = [2 ** 27, 2]; }), new RegExp(`more than ${MAX_TENSOR_ELEMENTS} elements`));
});

test('the data length is checked against the dims before allocating', () => {
  // 16 bytes of raw data claiming 2^26 floats: refused without a 256 MB array.
  refused(graph((g) => { g.w = { name: 'W', dims: [2 ** 13, 2 ** 13], data_type: 1, raw_data: new Uint8Array(16) }; }), /initializer 'W' \(FLOAT, dims \[8192,8192\]\): raw_data holds 16 bytes, the dims need 268435456/);
  refused(graph((g) => { g.w.float_data = [1, 2, 3]; }), /initializer 'W' \(FLOAT, dims \[2,4\]\): holds 3 values, the dims need 8/);
  refused(graph((g) => { g.b = { name: 'B', dims: [2], data_type: 1 }; }), /initializer 'B'.*holds 0 values, the dims need 2/);
  // A Constant node's tensor attribute is checked the same way.
  refused(graph((g) => {
    g.nodes.unshift(node('Constant', [], ['C'], [aTensor('value', { name: 'c', dims: [1e6], data_type: 1, raw_data: new Uint8Array(4) })], 'const0'));
  }), /attribute 'value' of node 'const0', tensor 'c'.*raw_data holds 4 bytes/);
});

test('graph inputs with absurd element counts are refused at import', () => {
  refused(graph((g) => { g.input = vi('x', [1, 1e6, 1e6]); }), /graph input 'x': shape \[1,1000000,1000000\] has more than \d+ elements/);
  refused(graph((g) => { g.input = vi('x', [1, 28000, 28000]); }), /graph input 'x'.*more than/);
  refused(graph((g) => { g.input = vi('x', [1, -4]); }), /graph input 'x': dimension 1 is -4/);
});
