// The VS Code tests open this fixture in the custom editor: it must stay a valid .tnn.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTnn, unpackTrits } from '../../../src/core/format/index';
import { isPacked } from '../../../src/core/graph/types';
import { tinyTnnModel, writeTinyTnn } from '../../fixtures/tiny-tnn';

test('tiny .tnn fixture round-trips through the core reader', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-fixture-'));
  try {
    const file = writeTinyTnn(path.join(dir, 'sub', 'tiny.tnn'));
    const parsed = parseTnn(new Uint8Array(readFileSync(file)), file);
    const expected = tinyTnnModel();
    assert.deepEqual(parsed.graph.layers.map((l) => l.op), ['flatten', 'dense', 'softmax']);
    const packed = parsed.tensors.get('fc.trits');
    assert.ok(packed && isPacked(packed));
    const want = expected.tensors.get('fc.trits');
    assert.ok(want && isPacked(want));
    assert.deepEqual(Array.from(unpackTrits(packed.bytes, packed.count)), Array.from(unpackTrits(want.bytes, want.count)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
