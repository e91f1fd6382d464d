// alignColumns sizes columns by loops: a table of as many rows as a hostile header may declare
// (200,000 safetensors tensors) once overflowed the stack through Math.max(...cells).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignColumns } from '../../../src/core/text';

test('alignColumns pads to the widest cell, right-aligning the given columns', () => {
  const t = alignColumns([['name', 'n'], ['a', '10'], ['long-name', '7']], new Set([1]));
  assert.equal(t, 'name        n\na          10\nlong-name   7');
});

test('alignColumns handles 300,000 rows (no spread of the cells into Math.max)', () => {
  const rows = Array.from({ length: 300_000 }, (_, i) => [`t${i}`, String(i)]);
  const t = alignColumns(rows, new Set([1]));
  const lines = t.split('\n');
  assert.equal(lines.length, 300_000);
  assert.equal(lines[0], 't0            0');
  assert.equal(lines[299_999], 't299999  299999');
});
