import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrastRatio, formatValue, metricValues, position, rampColor, scaleOf, textOn, ticks } from '../../../webview/graph/colors';
import { residualRows } from './rows';

test('rampColor: viridis ends, clamped, monotonic in luminance', async () => {
  assert.deepEqual(rampColor(0), [68, 1, 84]);
  assert.deepEqual(rampColor(1), [253, 231, 37]);
  assert.deepEqual(rampColor(-3), rampColor(0));
  assert.deepEqual(rampColor(7), rampColor(1));
  assert.deepEqual(rampColor(Number.NaN), rampColor(0));
  const { luminance } = await import('../../../webview/graph/colors');
  let prev = -1;
  for (let i = 0; i <= 50; i++) {
    const l = luminance(rampColor(i / 50));
    assert.ok(l > prev, `luminance increases at ${i / 50}`);
    prev = l;
  }
});

test('textOn: node text reaches WCAG AA (4.5:1) on every ramp colour', () => {
  for (let i = 0; i <= 100; i++) {
    const fill = rampColor(i / 100);
    assert.ok(contrastRatio(fill, textOn(fill)) >= 4.5, `contrast at ${i / 100}`);
  }
  assert.deepEqual(textOn([68, 1, 84]), [255, 255, 255]);
  assert.deepEqual(textOn([253, 231, 37]), [0, 0, 0]);
});

test('scaleOf: ignores non-finite, null when empty, log when positive and > 2 decades', () => {
  assert.equal(scaleOf([]), null);
  assert.equal(scaleOf([Number.NaN, Infinity]), null);
  assert.deepEqual(scaleOf([0.2, 0.5, Number.NaN, 0.1]), { min: 0.1, max: 0.5, log: false });
  assert.deepEqual(scaleOf([10, 5e4, 3]), { min: 3, max: 5e4, log: true });
  assert.equal(scaleOf([0, 5e4])!.log, false, 'zero cannot go on a log scale');
});

test('position and ticks: linear, logarithmic, constant metric in the middle', () => {
  const lin = { min: 0, max: 2, log: false };
  assert.equal(position(0.5, lin), 0.25);
  assert.deepEqual(ticks(lin, 3), [0, 1, 2]);
  const log = { min: 1, max: 1e4, log: true };
  assert.ok(Math.abs(position(100, log) - 0.5) < 1e-12);
  assert.deepEqual(ticks(log, 3).map((v) => Math.round(v)), [1, 100, 10000]);
  assert.equal(position(3, { min: 3, max: 3, log: false }), 0.5);
  assert.deepEqual(ticks({ min: 3, max: 3, log: false }), [3]);
});

test('metricValues: built-ins from rows, overlays by metric id, absent overlay → no values', () => {
  const rows = residualRows();
  assert.deepEqual([...metricValues('sparsity', rows, new Map())], [['conv2', 0.4], ['fc', 0.1]]);
  assert.deepEqual([...metricValues('entropy', rows, new Map())].map(([k]) => k), ['conv2', 'fc']);
  assert.equal(metricValues('sensitivity', rows, new Map()).size, 0);
  const overlays = new Map([['sensitivity', { values: { conv2: 0.3, fc: Number.NaN, relu1: 2 } }]]);
  assert.deepEqual([...metricValues('sensitivity', rows, overlays)], [['conv2', 0.3], ['relu1', 2]]);
  assert.deepEqual([...metricValues('my-metric', rows, new Map([['my-metric', { values: { add: 1 } }]]))], [['add', 1]]);
});

test('formatValue: percent, energy units, plain numbers', () => {
  assert.equal(formatValue(0.4321, '%'), '43.2 %');
  assert.equal(formatValue(2.5e6, 'pJ'), '2.50 µJ');
  assert.equal(formatValue(1.23456, 'bits'), '1.23 bits');
  assert.equal(formatValue(1.5e-5, ''), '1.50e-5');
});
