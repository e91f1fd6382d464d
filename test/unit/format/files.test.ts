import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTnn, peekTnnHeader, readTnnFile, readTnnTensor, serializeTnn, writeFileAtomic, writeTnnFile } from '../../../src/core/format/index';
import { TnnFormatError } from '../../../src/core/errors';
import { isPacked } from '../../../src/core/graph/types';
import { baseModel } from './helpers';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tnn-files-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('writeTnnFile + readTnnFile round trip; peekTnnHeader reads the header from a path', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'm.tnn');
    await writeTnnFile(file, baseModel());
    assert.deepEqual(await readdir(dir), ['m.tnn']);
    const back = await readTnnFile(file);
    const model = baseModel();
    assert.deepStrictEqual(back.graph, model.graph);
    // Tensors come back as plain Uint8Array/Float32Array copies, not views of Node's file Buffer.
    assert.deepStrictEqual(back.tensors, model.tensors);
    const bytes = await readFile(file);
    const peek = await peekTnnHeader(file);
    assert.equal(peek.file, file);
    assert.equal(peek.fileSize, bytes.length);
    assert.deepStrictEqual(peek, await peekTnnHeader(new Uint8Array(bytes), file));
    assert.deepEqual(peek.tensors.map((t) => t.name).sort(), [...baseModel().tensors.keys()].sort());
    for (const name of model.tensors.keys()) assert.deepStrictEqual(await readTnnTensor(peek, name), model.tensors.get(name), name);
    await assert.rejects(readTnnTensor(peek, 'nope'), /tensor "nope": not in this file/);
  }));

test('readTnnTensor validates the packed bytes it loads and names the file offset', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'p.tnn');
    const bytes = serializeTnn(baseModel());
    const peek = await peekTnnHeader(new Uint8Array(bytes), file);
    const info = peek.tensors.find((t) => t.name === 'fc1.trits')!;
    bytes[info.offset + 1] = 244;
    await writeFile(file, bytes);
    await assert.rejects(readTnnTensor(peek, 'fc1.trits'), (e: unknown) => e instanceof TnnFormatError && e.offset === info.offset + 1 && e.file === file);
    assert.ok(!isPacked(await readTnnTensor(peek, 'fc1.bias')));
  }));

test('peekTnnHeader does not read tensor data: corrupt data peeks fine but fails a full parse', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'c.tnn');
    const bytes = serializeTnn(baseModel());
    bytes[bytes.length - 1] ^= 0x55;
    await writeFile(file, bytes);
    const peek = await peekTnnHeader(file);
    assert.equal(peek.graph.name, 'tiny');
    await assert.rejects(readTnnFile(file), (e: unknown) => e instanceof TnnFormatError && e.file === file && /checksum|not a 5-trit code/.test(e.message));
    assert.throws(() => parseTnn(bytes, 'c.tnn'), TnnFormatError);
  }));

test('peekTnnHeader and readTnnFile reject short, missing and foreign files with TnnFormatError', () =>
  withDir(async (dir) => {
    const short = path.join(dir, 'short.tnn');
    await writeFile(short, Uint8Array.of(1, 2, 3));
    await assert.rejects(peekTnnHeader(short), (e: unknown) => e instanceof TnnFormatError && e.file === short && e.field === 'header length');
    const huge = path.join(dir, 'huge.tnn');
    const prefix = new Uint8Array(16);
    new DataView(prefix.buffer).setUint32(0, 99_000_000, true); // claims a header far beyond the file
    await writeFile(huge, prefix);
    await assert.rejects(peekTnnHeader(huge), /header length .*exceeds/);
    const missing = path.join(dir, 'nope.tnn');
    await assert.rejects(readTnnFile(missing), (e: unknown) => e instanceof TnnFormatError && /cannot be read: ENOENT/.test(e.message) && e.message.startsWith(missing));
    await assert.rejects(peekTnnHeader(missing), (e: unknown) => e instanceof TnnFormatError && /ENOENT/.test(e.message));
  }));

test('writeFileAtomic replaces the target in one step', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'a.bin');
    await writeFileAtomic(file, Uint8Array.of(1, 2, 3));
    await writeFileAtomic(file, Uint8Array.of(9));
    assert.deepEqual([...(await readFile(file))], [9]);
    assert.deepEqual(await readdir(dir), ['a.bin']);
  }));

test('a failing rename (target is a non-empty directory) leaves no temp file and the target intact', () =>
  withDir(async (dir) => {
    const target = path.join(dir, 'model.tnn');
    await mkdir(target);
    await writeFile(path.join(target, 'keep'), 'x');
    await assert.rejects(writeFileAtomic(target, Uint8Array.of(1, 2, 3)));
    assert.deepEqual(await readdir(dir), ['model.tnn']);
    assert.deepEqual(await readdir(target), ['keep']);
  }));

test('a failing open (directory missing) creates nothing', () =>
  withDir(async (dir) => {
    await assert.rejects(writeFileAtomic(path.join(dir, 'no/such/dir/x.tnn'), Uint8Array.of(1)), /ENOENT/);
    assert.deepEqual(await readdir(dir), []);
  }));

test('writeTnnFile with a model that fails serialization writes nothing and keeps the old file', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'm.tnn');
    await writeTnnFile(file, baseModel());
    const before = await readFile(file);
    const bad = baseModel();
    bad.graph.layers[1].inputs = ['undefined-value'];
    await assert.rejects(writeTnnFile(file, bad), (e: unknown) => e instanceof TnnFormatError && e.file === file && e.field === '__metadata__.graph.layers[1].inputs[0]');
    assert.deepEqual(await readdir(dir), ['m.tnn']);
    assert.deepEqual(await readFile(file), before);
    await assert.rejects(writeTnnFile(path.join(dir, 'new.tnn'), bad), TnnFormatError);
    assert.deepEqual(await readdir(dir), ['m.tnn']);
  }));

test('lazyFloats: aligned F32 tensors are views of the file bytes, others decode on first read; values, re-serialization and validation as eager', () => {
  const model = baseModel();
  const bytes = serializeTnn(model);
  const eager = parseTnn(bytes, 'm.tnn');
  const floats = [...eager.tensors].filter(([, t]) => !isPacked(t)).map(([n]) => n);
  assert.ok(floats.length > 0, 'the fixture has float tensors');

  // As written (4-byte aligned payloads): no copy, the data lies in the file's buffer.
  const inPlace = parseTnn(bytes, 'm.tnn', { lazyFloats: true });
  for (const name of floats) {
    const t = inPlace.tensors.get(name) as { data: Float32Array };
    assert.equal(t.data.buffer, bytes.buffer, `${name}: a view of the file's bytes`);
  }
  for (const [name, t] of inPlace.tensors) if (isPacked(t)) assert.notEqual(t.bytes.buffer, bytes.buffer, `${name}: trits copied`);
  assert.deepStrictEqual(inPlace.tensors, eager.tensors);
  assert.deepEqual(serializeTnn(inPlace, 'm.tnn'), bytes);

  // The same file one byte into a buffer: payloads are misaligned, so they decode on first read, to a copy.
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  const lazy = parseTnn(shifted.subarray(1), 'm.tnn', { lazyFloats: true });
  for (const name of floats) {
    const d = Object.getOwnPropertyDescriptor(lazy.tensors.get(name)!, 'data');
    assert.equal(typeof d?.get, 'function', `${name}: not decoded at parse time`);
  }
  const first = lazy.tensors.get(floats[0])! as { data: Float32Array };
  const data = first.data;
  assert.equal(Object.getOwnPropertyDescriptor(first, 'data')?.value, data, 'settled into a plain property');
  assert.notEqual(data.buffer, shifted.buffer);
  assert.deepStrictEqual(lazy.tensors, eager.tensors);
  assert.deepEqual(serializeTnn(lazy, 'm.tnn'), bytes);

  // Validation is not deferred: one flipped data byte fails the checksum at parse.
  const broken = new Uint8Array(bytes);
  broken[broken.length - 1] ^= 1;
  assert.throws(() => parseTnn(broken, 'm.tnn', { lazyFloats: true }), (e: unknown) => e instanceof TnnFormatError && /checksum/.test(e.message));
});
