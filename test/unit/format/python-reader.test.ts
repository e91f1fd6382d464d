/** Cross-check with the independent Python reader (test/tools/read_tnn.py, written from docs/tnn-format.md). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { computeChecksum, parseTnn, serializeTnn, unpackTrits } from '../../../src/core/format/index';
import { isPacked, type TnnModel } from '../../../src/core/graph/types';
import { modelArbitrary } from './arbitrary';
import { baseModel, editFile } from './helpers';

const READER = path.resolve('test/tools/read_tnn.py');

function runReader(file: string): { status: number | null; out: any; stderr: string } {
  const r = spawnSync('python3', [READER, file, '--values'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, out: r.status === 0 ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

/** Python spells non-finite floats as strings ('nan', 'inf', '-inf'). */
function sameFloat(py: number | string, ts: number): boolean {
  if (typeof py === 'string') return py === 'nan' ? Number.isNaN(ts) : py === 'inf' ? ts === Infinity : py === '-inf' && ts === -Infinity;
  return Object.is(Math.fround(py), ts);
}

function compare(model: TnnModel, report: any): { trits: number; floats: number } {
  let trits = 0;
  let floats = 0;
  assert.equal(report.checksum_ok, true);
  assert.equal(report.header_checksum_ok, true, 'the Python reader computes the same header checksum (§2.2)');
  assert.deepEqual(Object.keys(report.tensors).sort(), [...model.tensors.keys()].sort());
  for (const [name, t] of model.tensors) {
    const r = report.tensors[name];
    assert.deepEqual(r.shape, t.shape, name);
    if (isPacked(t)) {
      const ts = unpackTrits(t.bytes, t.count);
      assert.equal(r.dtype, 'U8');
      assert.deepEqual(r.stored_shape, [Math.ceil(t.count / 5)]);
      assert.deepEqual(r.trits, { neg: ts.filter((x) => x === -1).length, zero: ts.filter((x) => x === 0).length, pos: ts.filter((x) => x === 1).length }, name);
      assert.deepEqual(r.values, [...ts], name);
      trits += t.count;
    } else {
      assert.equal(r.dtype, 'F32');
      assert.equal(r.values.length, t.data.length);
      r.values.forEach((v: number | string, i: number) => assert.ok(sameFloat(v, t.data[i]), `${name}[${i}]: python ${v} vs ts ${t.data[i]}`));
      floats += t.data.length;
    }
  }
  return { trits, floats };
}

test('python reader agrees with the TS writer on names, shapes, trit counts and float values', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tnn-py-'));
  try {
    const models = [baseModel(), ...fc.sample(modelArbitrary, { numRuns: 25, seed: 42 })];
    let trits = 0;
    let floats = 0;
    models.forEach((model, i) => {
      const file = path.join(dir, `m${i}.tnn`);
      writeFileSync(file, serializeTnn(model));
      const r = runReader(file);
      assert.equal(r.status, 0, r.stderr);
      const c = compare(model, r.out);
      trits += c.trits;
      floats += c.floats;
    });
    const base = runReader(path.join(dir, 'm0.tnn')).out;
    assert.deepEqual(base.tensors['fc1.trits'].trits, { neg: 3, zero: 4, pos: 5 });
    assert.deepEqual(base.layers, ['fc1', 'act1', 'fc2', 'sm']);
    console.log(`python cross-check: ${models.length} files, ${trits} trits, ${floats} floats agree`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('python reader also rejects what the spec forbids (bad code byte, bad checksum)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tnn-py-'));
  try {
    const good = serializeTnn(baseModel());
    const badByte = editFile(good, (f) => {
      const [begin] = f.header['fc1.trits'].data_offsets;
      f.data[begin] = 247;
    });
    writeFileSync(path.join(dir, 'b.tnn'), badByte);
    const r = runReader(path.join(dir, 'b.tnn'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /247/);
    const badSum = editFile(good, (f) => (f.data[0] ^= 4), false);
    writeFileSync(path.join(dir, 'c.tnn'), badSum);
    const s = spawnSync('python3', [READER, path.join(dir, 'c.tnn')], { encoding: 'utf8' });
    assert.equal(s.status, 1);
    assert.equal(JSON.parse(s.stdout).checksum_ok, false);
    // A header edit with the data checksum still valid: caught by the header checksum on both sides.
    const edited = editFile(good, (f) => {
      const graph = JSON.parse(f.header.__metadata__.graph);
      graph.layers[0].weightQuant.thresholds.pos = 0.31;
      f.header.__metadata__.graph = JSON.stringify(graph);
      f.header.__metadata__.checksum = computeChecksum(f.data);
    }, false);
    writeFileSync(path.join(dir, 'd.tnn'), edited);
    const d = spawnSync('python3', [READER, path.join(dir, 'd.tnn')], { encoding: 'utf8' });
    assert.equal(d.status, 1);
    assert.deepEqual([JSON.parse(d.stdout).checksum_ok, JSON.parse(d.stdout).header_checksum_ok], [true, false]);
    assert.throws(() => parseTnn(edited, 'd.tnn'), /d\.tnn: __metadata__\.header_checksum: header hash .* does not match the stored/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
