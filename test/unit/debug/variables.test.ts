import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableStore, childSpan, indexName, tensorValueText } from '../../../src/debug/variables';
import type { TensorSummary } from '../../../src/shared/engineProtocol';

const big: TensorSummary = {
  name: 'act', shape: [1, 64, 150, 150], dtype: 'f32', count: 1_440_000, min: -1, max: 2, mean: 0.5, std: 0.25, zeros: 10,
  ref: { layer: 0, kind: 'output', key: 0 },
};

test('childSpan keeps every level at ≤ 100 children', () => {
  assert.equal(childSpan(100), 1);
  assert.equal(childSpan(101), 100);
  assert.equal(childSpan(10_000), 100);
  assert.equal(childSpan(10_001), 10_000);
  for (const n of [1, 99, 100, 101, 12_544, 1_440_000, 123_456_789]) assert.ok(Math.ceil(n / childSpan(n)) <= 100, String(n));
});

test('a 1.44M-value tensor expands into groups of groups, never more than 100 children per request', async () => {
  const store = new VariableStore();
  const fetched: [number, number][] = [];
  const fetch = async (_r: unknown, start: number, count: number) => { fetched.push([start, count]); return Array.from({ length: count }, (_, i) => start + i); };
  const v = store.tensorVariable('output', big);
  assert.equal(v.indexedVariables, 2); // spans are powers of 100: two groups of 1 000 000
  const node = store.get(v.variablesReference)!;
  const top = await store.children(node, fetch, { variablesReference: v.variablesReference, filter: 'indexed' });
  assert.deepEqual(top.map((x) => x.name), ['[0..999999]', '[1000000..1439999]']);
  const level2 = await store.children(store.get(top[1].variablesReference)!, fetch, { variablesReference: 0, filter: 'indexed' });
  assert.equal(level2.length, 44);
  assert.equal(level2[0].name, '[1000000..1009999]');
  const level3 = await store.children(store.get(level2[0].variablesReference)!, fetch, { variablesReference: 0, filter: 'indexed', start: 5, count: 2 });
  assert.deepEqual(level3.map((x) => x.name), ['[1000500..1000599]', '[1000600..1000699]']);
  const values = await store.children(store.get(level3[1].variablesReference)!, fetch, { variablesReference: 0 });
  assert.equal(values.length, 100);
  assert.equal(values[0].name, indexName(big.shape, 1_000_600));
  assert.equal(values[0].value, '1000600');
  assert.deepEqual(fetched, [[1_000_600, 100]], 'only the shown values are fetched');
});

test('named children give shape and statistics; trit counts for ternary tensors', async () => {
  const store = new VariableStore();
  const t: TensorSummary = { ...big, shape: [2, 3], count: 6, dtype: 'trits', trits: { neg: 1, zero: 2, pos: 3 } };
  const v = store.tensorVariable('w', t);
  assert.match(v.value, /^\[2×3\] trits .* trits −1:1 0:2 \+1:3$/);
  const named = await store.children(store.get(v.variablesReference)!, async () => [], { variablesReference: 0, filter: 'named' });
  assert.equal(named.find((x) => x.name === 'shape')!.value, '[2,3]');
  assert.equal(named.find((x) => x.name === 'trits +1')!.value, '3');
  assert.equal(tensorValueText(big).startsWith('[1×64×150×150] f32'), true);
});

test('indexName is the row-major multi-index', () => {
  assert.equal(indexName([2, 3, 4], 23), '[1,2,3]');
  assert.equal(indexName([5], 4), '[4]');
});
