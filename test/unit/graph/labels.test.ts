import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charsFor, nodeAriaLabel, shortLabel } from '../../../webview/graph/labels';

test('shortLabel keeps the tail of long names', () => {
  assert.equal(shortLabel('conv1', 10), 'conv1');
  assert.equal(shortLabel('/layer1/layer1.0/conv1/Conv', 12), '….0/conv1/Conv'.slice(-12).replace(/^./, '…'));
  assert.equal(shortLabel('/layer1/layer1.0/conv1/Conv', 12).length, 12);
  assert.ok(charsFor(176, 11) >= 20);
});

test('nodeAriaLabel names op, layer, shape, kind and the metric value or its absence', () => {
  const n = { id: 'L2', kind: 'layer' as const, name: 'conv2', op: 'conv2d', index: 2, detail: '8×16×16', ternary: true };
  assert.equal(nodeAriaLabel(n, null), 'conv2d layer conv2, output 8×16×16, ternary weights');
  assert.equal(nodeAriaLabel(n, { label: 'Sparsity', text: '40.0 %' }), 'conv2d layer conv2, output 8×16×16, ternary weights, Sparsity 40.0 %');
  assert.match(nodeAriaLabel({ ...n, ternary: false }, { label: 'Sensitivity', text: null }), /float, Sensitivity no value$/);
  assert.equal(nodeAriaLabel({ ...n, kind: 'input', name: 'x' }, null), 'graph input x');
});
