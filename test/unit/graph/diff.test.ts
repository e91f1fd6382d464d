import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeSummary, diffLayers, layerChanges, sameNumber } from '../../../webview/graph/diff';
import { residualRows } from './rows';

test('identical models: nothing changed', () => {
  const d = diffLayers(residualRows(), residualRows());
  assert.deepEqual(changeSummary(d), { same: 6, changed: 0, added: 0, removed: 0 });
});

test('each kind of difference is named', () => {
  const a = residualRows();
  const b = residualRows();
  b[1] = { ...b[1], op: 'leakyrelu' };
  b[2] = { ...b[2], deltaP: 0.3, trits: { neg: 2, zero: 5, pos: 3 } };
  b[3] = { ...b[3], outputShape: [8, 8, 8] };
  b[4] = { ...b[4], inputs: ['bn2:0', 'conv1:0'] };
  b[5] = { ...b[5], ternary: false };
  const d = diffLayers(a, b);
  assert.deepEqual(d.get('relu1'), { kind: 'changed', reasons: ['op'] });
  assert.deepEqual(d.get('conv2'), { kind: 'changed', reasons: ['quant', 'trits'] });
  assert.deepEqual(d.get('bn2'), { kind: 'changed', reasons: ['shape'] });
  assert.deepEqual(d.get('add'), { kind: 'changed', reasons: ['wiring'] });
  assert.deepEqual(d.get('fc'), { kind: 'changed', reasons: ['quant'] });
  assert.equal(d.get('conv1')?.kind, 'same');
});

test('added and removed layers, matched by name', () => {
  const a = residualRows();
  const b = residualRows().filter((r) => r.name !== 'bn2');
  b.push({ ...b[0], index: 9, name: 'extra' });
  const d = diffLayers(a, b);
  assert.equal(d.get('bn2')?.kind, 'removed');
  assert.equal(d.get('extra')?.kind, 'added');
  assert.deepEqual(changeSummary(d), { same: 5, changed: 0, added: 1, removed: 1 });
});

test('a float32 round trip is not a change; a real difference is; null only equals null', () => {
  assert.ok(sameNumber(0.1, Math.fround(0.1)));
  assert.ok(!sameNumber(0.1, 0.1001));
  assert.ok(sameNumber(null, undefined));
  assert.ok(!sameNumber(null, 0));
  assert.ok(sameNumber(Number.NaN, Number.NaN));
  const a = residualRows()[2];
  assert.deepEqual(layerChanges(a, { ...a, relError: a.relError! * (1 + 1e-9) }), []);
  assert.deepEqual(layerChanges(a, { ...a, entropyBits: 1.49 }), ['trits']);
});

test('wiring is compared only when both sides carry it', () => {
  const a = residualRows()[4];
  const { inputs: _drop, ...older } = a;
  assert.deepEqual(layerChanges(a, older), []);
});
