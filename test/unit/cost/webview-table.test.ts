import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerRow } from '../../../src/shared/messages';
import { isFromWebview } from '../../../src/shared/messages';
import { chartTickLabels, filterRows, fmt, fmtBytes, fmtCount, fmtEnergy, fmtPercent, navigate, pageCount, pageOf, shortLayerName, sortRows, tritFractions } from '../../../webview/table';

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

test('shortLayerName keeps plain names, drops the module-path segments PyTorch repeats, and shortens what is left in the middle', () => {
  assert.equal(shortLayerName('conv1'), 'conv1');
  assert.equal(shortLayerName('/layers/layers.3/shortcut/shortcut.0/Conv'), '/layers.3/shortcut.0/Conv');
  assert.equal(shortLayerName('/fc/Gemm'), '/fc/Gemm');
  assert.equal(shortLayerName('/layer1/layer1.0/downsample/downsample.0/Conv'), '/layer1.0/downsample.0/Conv');
  // EfficientNet's blocks differ only in the features.N.M part, which the shortened names keep.
  assert.equal(shortLayerName('/features/features.1/features.1.0/block/block.0/block.0.0/Conv'), '/features.1.0/block.0.0/Conv');
  assert.equal(shortLayerName('/features/features.2/features.2.0/block/block.0/block.0.0/Conv'), '/features.2.0/block.0.0/Conv');
  assert.equal(shortLayerName('/features/features.1/features.1.0/block/block.1/scale_activation/Sigmoid'), '/features.1.0/block.1/scale_activation/Sigmoid');
  const flat = 'a_very_long_name_without_any_slashes_at_all_in_it_ok';
  const s = shortLayerName(flat);
  assert.ok(s.length <= 48 && s.startsWith('a_very') && s.endsWith('in_it_ok') && s.includes('…') && !s.includes('/'));
  const deep = `/${Array.from({ length: 12 }, (_, i) => `mod${i}`).join('/')}/Conv`;
  assert.ok(shortLayerName(deep).length <= 48 && shortLayerName(deep).startsWith('/mod0/…') && shortLayerName(deep).endsWith('/Conv'));
});

test('chartTickLabels: names for a few short layers, #index once there are many or long ones', () => {
  assert.deepEqual(chartTickLabels([row(1, 'conv2', 'conv2d'), row(4, 'dense1', 'dense')]), { ticks: ['conv2', 'dense1'], compact: false });
  assert.deepEqual(chartTickLabels([row(3, '/layer1/layer1.0/conv1/Conv', 'conv2d')]), { ticks: ['#3'], compact: true });
  assert.equal(chartTickLabels(Array.from({ length: 52 }, (_, i) => row(i, `c${i}`, 'conv2d'))).compact, true);
});
