import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildComparableCnn } from '../../../src/core/bench/sample-cnn';
import { formatStorage, storageAccounting } from '../../../src/core/bench/storage';
import { packTrits, peekTnnHeader, serializeTnn } from '../../../src/core/format/index';
import type { TnnModel } from '../../../src/core/graph/types';

/** Packed-tensor byte counts read straight from the safetensors header JSON (independent of the format module). */
function rawTritTensors(file: Uint8Array): { trits: number; bytes: number }[] {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<string, { data_offsets: [number, number] }> & { __metadata__: Record<string, string> };
  const trits = JSON.parse(header.__metadata__.trit_tensors) as Record<string, { count: number }>;
  return Object.entries(trits).map(([name, t]) => ({ trits: t.count, bytes: header[name].data_offsets[1] - header[name].data_offsets[0] }));
}

/** The comparable CNN plus one packed tensor of `count` trits (its own tail padding). */
function modelWithOddTensor(count: number): TnnModel {
  const m = buildComparableCnn(3);
  const trits = new Int8Array(count).map((_, i) => ((i * 7) % 3) - 1);
  // an extra packed tensor no layer uses: the writer stores it like any other
  m.tensors.set('extra.trits', { kind: 'trits', shape: [count], count, bytes: packTrits(trits) });
  return m;
}

test('storage accounting of a written .tnn: payload is exactly Σ⌈n/5⌉ and the tail padding explains the excess over 1.6 bits', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-storage-'));
  const file = path.join(dir, 'm.tnn');
  writeFileSync(file, serializeTnn(modelWithOddTensor(13)));
  const s = storageAccounting(await peekTnnHeader(file));
  const raw = rawTritTensors(readFileSync(file));
  const trits = raw.reduce((a, t) => a + t.trits, 0), bytes = raw.reduce((a, t) => a + t.bytes, 0);
  assert.equal(s.tensors, raw.length);
  assert.equal(s.trits, trits);
  assert.equal(s.payloadBytes, bytes);
  assert.equal(s.minimalBytes, raw.reduce((a, t) => a + Math.ceil(t.trits / 5), 0));
  assert.equal(s.payloadBytes, s.minimalBytes, 'no waste beyond per-tensor tail padding');
  // 1152, 4608, 18432 (3, 2, 3 unused slots) and 13 (2 unused slots)
  assert.equal(s.tailPaddingTrits, 3 + 2 + 3 + 2);
  assert.ok(Math.abs(s.tailPaddingBytes - s.tailPaddingTrits / 5) < 1e-9);
  assert.ok(Math.abs(s.bitsPerTrit - (8 * bytes) / trits) < 1e-12);
  assert.ok(Math.abs(s.bitsPerTrit - (1.6 + (8 * s.tailPaddingBytes) / trits)) < 1e-12, 'excess over 8/5 = tail padding');
  assert.ok(s.bitsPerTrit > 1.6 && s.bitsPerTritRounded === 1.6);
  assert.equal(s.ok, true);
  const text = formatStorage(s);
  assert.match(text, new RegExp(`^bits per trit \\(\\.tnn storage\\): ${s.bitsPerTrit.toFixed(4)} .* ok: rounds to 1\\.60`));
  assert.match(text, new RegExp(`8 × ${bytes} payload bytes / ${trits} trits in 4 packed tensors; Σ⌈n/5⌉ = ${bytes} bytes \\(payload − Σ⌈n/5⌉ = 0\\); tail padding 10 trit slots = 2\\.0 bytes`));
});

test('storage accounting flags a value that rounds above 1.60 and a payload with waste', async () => {
  // a few tiny tensors: tail padding dominates (one 2-trit tensor alone is 4 bits per trit)
  const m = buildComparableCnn(4);
  for (const name of [...m.tensors.keys()]) if (name.endsWith('.trits')) m.tensors.delete(name);
  const tiny = (name: string, n: number): void => { m.tensors.set(name, { kind: 'trits', shape: [n], count: n, bytes: packTrits(new Int8Array(n).fill(1)) }); };
  // keep the graph's references valid: conv2/conv3/dense1 name these tensors
  const shapes: Record<string, number[]> = { 'conv2.trits': [16, 8, 3, 3], 'conv3.trits': [32, 16, 3, 3], 'dense1.trits': [64, 288] };
  for (const [name, shape] of Object.entries(shapes)) {
    const n = shape.reduce((a, b) => a * b, 1);
    m.tensors.set(name, { kind: 'trits', shape, count: n, bytes: packTrits(new Int8Array(n)) });
  }
  for (let i = 0; i < 400; i++) tiny(`pad${i}.trits`, 1);
  const header = await peekTnnHeader(serializeTnn(m), 'tiny.tnn');
  const s = storageAccounting(header);
  assert.equal(s.payloadBytes, s.minimalBytes);
  assert.ok(s.bitsPerTritRounded > 1.6, `${s.bitsPerTrit}`);
  assert.equal(s.ok, false);
  assert.match(formatStorage(s), /NOT ok: rounds to \d\.\d\d > 1\.60/);
  // one byte too many in a tensor's stored range (not a valid file: the header is edited after parsing)
  const padded = { ...header, tensors: header.tensors.map((t, i) => (i === header.tensors.findIndex((u) => u.trits !== undefined) ? { ...t, end: t.end + 1 } : t)) };
  const w = storageAccounting(padded);
  assert.equal(w.payloadBytes, s.payloadBytes + 1);
  assert.equal(w.ok, false);
  assert.match(formatStorage(w), /NOT ok: the payload differs by 1 byte\(s\) from Σ⌈n\/5⌉/);
});
