import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerRow } from '../../../src/shared/messages';
import { isFromWebview } from '../../../src/shared/messages';
import { filterRows, fmt, fmtBytes, fmtCount, fmtEnergy, fmtPercent, navigate, pageCount, pageOf, sortRows, tritFractions } from '../../../webview/table';

function row(index: number, name: string, op: string, extra: Partial<LayerRow> = {}): LayerRow {
  return {
    index, name, op, shape: [], outputShape: null, ternary: false, actTernary: false, method: null,
    deltaP: null, deltaN: null, alphaP: null, alphaN: null, gamma: null, trits: null, sparsity: null,
    entropyBits: null, relError: null, hasLatent: false, cost: null, ...extra,
  };
}

const rows = [
  row(0, 'conv1', 'conv2d'),
  row(1, 'conv2', 'conv2d', { ternary: true, sparsity: 0.4, deltaP: 0.2, trits: { neg: 3, zero: 4, pos: 3 } }),
  row(2, 'relu2', 'relu'),
  row(3, 'Dense_out', 'dense', { ternary: true, sparsity: 0.1, deltaP: 0.05 }),
];

test('sortRows: numeric both ways, nulls last either way, stable', () => {
  assert.deepEqual(sortRows(rows, 'sparsity', 1).map((r) => r.name), ['Dense_out', 'conv2', 'conv1', 'relu2']);
  assert.deepEqual(sortRows(rows, 'sparsity', -1).map((r) => r.name), ['conv2', 'Dense_out', 'conv1', 'relu2']);
  assert.deepEqual(sortRows(rows, 'name', 1).map((r) => r.name), ['conv1', 'conv2', 'Dense_out', 'relu2']);
  assert.deepEqual(sortRows(rows, 'index', -1).map((r) => r.index), [3, 2, 1, 0]);
});

test('filterRows: case-insensitive terms, op: prefix, ternary/float kinds', () => {
  assert.deepEqual(filterRows(rows, 'CONV').map((r) => r.name), ['conv1', 'conv2']);
  assert.deepEqual(filterRows(rows, 'op:dense').map((r) => r.name), ['Dense_out']);
  assert.deepEqual(filterRows(rows, 'ternary conv').map((r) => r.name), ['conv2']);
  assert.deepEqual(filterRows(rows, 'float').map((r) => r.name), ['conv1', 'relu2']);
  assert.equal(filterRows(rows, '  ').length, 4);
  assert.equal(filterRows(rows, 'nothing-matches').length, 0);
});

test('navigate: arrows clamp, Home/End, no selection starts at the top, other keys ignored', () => {
  assert.equal(navigate(-1, 'ArrowDown', 4), 0);
  assert.equal(navigate(1, 'ArrowDown', 4), 2);
  assert.equal(navigate(3, 'ArrowDown', 4), 3);
  assert.equal(navigate(0, 'ArrowUp', 4), 0);
  assert.equal(navigate(2, 'Home', 4), 0);
  assert.equal(navigate(0, 'End', 4), 3);
  assert.equal(navigate(0, 'PageDown', 40), 10);
  assert.equal(navigate(1, 'a', 4), null);
  assert.equal(navigate(0, 'ArrowDown', 0), null);
});

test('paging', () => {
  const many = Array.from({ length: 450 }, (_, i) => i);
  assert.equal(pageCount(450), 3);
  assert.equal(pageCount(0), 1);
  assert.deepEqual(pageOf(many, 2).slice(0, 2), [400, 401]);
  assert.equal(pageOf(many, 9).length, 50); // clamped to the last page
});

test('formatting', () => {
  assert.equal(fmt(null), '–');
  assert.equal(fmt(0.123456), '0.1235');
  assert.equal(fmt(1234567), '1.23e+6');
  assert.equal(fmtCount(999), '999');
  assert.equal(fmtCount(25_557_032), '25.6 M');
  assert.equal(fmtBytes(512), '512 B');
  assert.equal(fmtBytes(5 * 1024 * 1024), '5.00 MiB');
  assert.equal(fmtPercent(0.4251), '42.5 %');
  assert.equal(fmtEnergy(12.5), '12.5 pJ');
  assert.equal(fmtEnergy(4.6e6), '4.60 µJ');
  assert.deepEqual(tritFractions({ neg: 1, zero: 2, pos: 1 }), [0.25, 0.5, 0.25]);
  assert.equal(tritFractions({ neg: 0, zero: 0, pos: 0 }), null);
});

test('isFromWebview accepts only known message types', () => {
  assert.equal(isFromWebview({ type: 'ready' }), true);
  assert.equal(isFromWebview({ type: 'selectProfile', messageId: 1, profileId: 'x' }), true);
  assert.equal(isFromWebview({ type: 'rm -rf' }), false);
  assert.equal(isFromWebview(null), false);
});

test('trit entropy: equal thirds reach log2 3, a single value is 0', async () => {
  const { tritEntropy } = await import('../../../src/workers/view/model-view');
  assert.ok(Math.abs(tritEntropy({ neg: 5, zero: 5, pos: 5 }) - Math.log2(3)) < 1e-12);
  assert.equal(tritEntropy({ neg: 0, zero: 9, pos: 0 }), 0);
  assert.ok(Math.abs(tritEntropy({ neg: 1, zero: 2, pos: 1 }) - 1.5) < 1e-12);
});
