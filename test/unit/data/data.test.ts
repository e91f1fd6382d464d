import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { encodeIdx, FASHION_MNIST_LABELS, loadDataset, parseInputSpec, readIdx, readNpy, sampleAt, writeNpy } from '../../../src/core/data/index';
import { DataError } from '../../../src/core/errors';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-data-'));
const f = (name: string): string => path.join(dir, name);

function isDataError(file: string, pattern: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DataError, `expected DataError, got ${e}`);
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  };
}

test('IDX round trip (plain and gzip) and idx: data set', () => {
  const imgs = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256);
  writeFileSync(f('img.idx'), encodeIdx([3, 4, 5], imgs));
  writeFileSync(f('lbl.idx.gz'), gzipSync(encodeIdx([3], Uint8Array.from([2, 0, 9]))));
  const back = readIdx(f('img.idx'));
  assert.deepEqual(back.dims, [3, 4, 5]);
  assert.deepEqual(Array.from(back.data), Array.from(imgs));
  const ds = loadDataset(`idx:${f('img.idx')},${f('lbl.idx.gz')}`);
  assert.equal(ds.n, 3);
  assert.deepEqual(ds.sampleShape, [1, 4, 5]);
  assert.deepEqual(Array.from(ds.labels), [2, 0, 9]);
  assert.equal(ds.images[1], Math.fround(imgs[1] / 255));
  assert.equal(loadDataset(`idx:${f('img.idx')},${f('lbl.idx.gz')}`, { limit: 2 }).n, 2);
});

test('malformed IDX files → DataError naming the file', () => {
  writeFileSync(f('badmagic.idx'), Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 1, 5]));
  assert.throws(() => readIdx(f('badmagic.idx')), isDataError(f('badmagic.idx'), /magic/));
  const short = encodeIdx([2, 2, 2], new Uint8Array(8)).slice(0, -1);
  writeFileSync(f('short.idx'), short);
  assert.throws(() => readIdx(f('short.idx')), isDataError(f('short.idx'), /need 8 bytes.*has 7/));
  writeFileSync(f('int.idx'), Uint8Array.from([0, 0, 0x0c, 1, 0, 0, 0, 1, 0, 0, 0, 0]));
  assert.throws(() => readIdx(f('int.idx')), isDataError(f('int.idx'), /element type 0xc/));
  writeFileSync(f('lbl2.idx'), encodeIdx([2], Uint8Array.from([1, 2])));
  writeFileSync(f('img3.idx'), encodeIdx([3, 2, 2], new Uint8Array(12)));
  assert.throws(() => loadDataset(`idx:${f('img3.idx')},${f('lbl2.idx')}`), isDataError(f('lbl2.idx'), /2 labels for 3 images/));
});

test('npy round trips: float32, uint8, int32, int64; header padding', async () => {
  const x = Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1);
  await writeNpy(f('x.npy'), { dtype: '<f4', shape: [2, 3, 4], data: x });
  const bx = readNpy(f('x.npy'));
  assert.deepEqual(bx.shape, [2, 3, 4]);
  assert.deepEqual(Array.from(bx.data), Array.from(x));
  assert.equal((readFileSync(f('x.npy')).length - 24 * 4) % 64, 0, 'data starts on a 64-byte boundary');
  await writeNpy(f('y.npy'), { dtype: '<i8', shape: [2], data: Float64Array.from([7, 3]) });
  assert.deepEqual(Array.from(readNpy(f('y.npy')).data), [7, 3]);
  await writeNpy(f('u.npy'), { dtype: '|u1', shape: [3], data: Uint8Array.from([0, 128, 255]) });
  assert.deepEqual(Array.from(readNpy(f('u.npy')).data), [0, 128, 255]);
  await writeNpy(f('i.npy'), { dtype: '<i4', shape: [2, 1], data: Int32Array.from([-5, 9]) });
  assert.deepEqual(readNpy(f('i.npy')).shape, [2, 1]);
  const ds = loadDataset(`npy:${f('x.npy')},${f('y.npy')}`);
  assert.deepEqual(ds.sampleShape, [1, 3, 4]); // [n, H, W] gains a channel axis
  assert.deepEqual(Array.from(ds.labels), [7, 3]);
});

test('npy errors: other dtypes, Fortran order, truncated data name the file', async () => {
  const header = (descr: string, fortran = 'False', shape = '(2,)') => {
    let h = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
    h += ' '.repeat(63 - ((10 + h.length) % 64)) + '\n';
    const b = Buffer.alloc(10 + h.length);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    b.writeUInt16LE(h.length, 8);
    b.write(h, 10);
    return b;
  };
  writeFileSync(f('f8.npy'), Buffer.concat([header('<f8'), Buffer.alloc(16)]));
  assert.throws(() => readNpy(f('f8.npy')), isDataError(f('f8.npy'), /dtype '<f8' is not supported/));
  writeFileSync(f('fortran.npy'), Buffer.concat([header('<f4', 'True'), Buffer.alloc(8)]));
  assert.throws(() => readNpy(f('fortran.npy')), isDataError(f('fortran.npy'), /Fortran order/));
  writeFileSync(f('trunc.npy'), Buffer.concat([header('<f4'), Buffer.alloc(5)]));
  assert.throws(() => readNpy(f('trunc.npy')), isDataError(f('trunc.npy'), /needs 8 bytes, file has 5/));
  writeFileSync(f('notnpy.npy'), 'hello world');
  assert.throws(() => readNpy(f('notnpy.npy')), isDataError(f('notnpy.npy'), /not a \.npy file/));
});

test('fashion-mnist:test loads 10,000 images with 1,000 per class', () => {
  const ds = loadDataset('fashion-mnist');
  assert.equal(ds.n, 10000);
  assert.deepEqual(ds.sampleShape, [1, 28, 28]);
  assert.equal(ds.images.length, 10000 * 784);
  const hist = new Array(10).fill(0);
  for (const l of ds.labels) hist[l]++;
  assert.deepEqual(hist, new Array(10).fill(1000));
  let min = Infinity, max = -Infinity;
  for (const v of ds.images) { min = Math.min(min, v); max = Math.max(max, v); }
  assert.equal(min, 0);
  assert.equal(max, 1);
  assert.deepEqual(ds.labelNames, FASHION_MNIST_LABELS);
});

test('missing Fashion-MNIST directory says how to install it', () => {
  const saved = process.env.TRITSCOPE_FASHION_MNIST_DIR;
  process.env.TRITSCOPE_FASHION_MNIST_DIR = f('nowhere');
  try {
    assert.throws(() => loadDataset('fashion-mnist:train'), (e: unknown) => e instanceof DataError && /install Debian package dataset-fashion-mnist/.test(e.message) && e.message.includes('train-images-idx3-ubyte.gz'));
  } finally {
    if (saved === undefined) delete process.env.TRITSCOPE_FASHION_MNIST_DIR;
    else process.env.TRITSCOPE_FASHION_MNIST_DIR = saved;
  }
});

test('parseInputSpec: data set index, .npy with and without batch dim, random seeds', async () => {
  const t = await parseInputSpec('fashion-mnist:test#3', [1, 28, 28]);
  assert.deepEqual(t.shape, [1, 1, 28, 28]);
  assert.deepEqual(Array.from(t.data), Array.from(sampleAt(loadDataset('fashion-mnist:test', { limit: 4 }), 3)));
  const flat = await parseInputSpec('fashion-mnist:test#3', [784]);
  assert.deepEqual(flat.shape, [1, 784]);
  await assert.rejects(parseInputSpec('fashion-mnist:test#10000', [1, 28, 28]), /out of range/);
  const x = Float32Array.from({ length: 6 }, (_, i) => i);
  await writeNpy(f('in.npy'), { dtype: '<f4', shape: [2, 3], data: x });
  await writeNpy(f('inb.npy'), { dtype: '<f4', shape: [1, 2, 3], data: x });
  assert.deepEqual(Array.from((await parseInputSpec(f('in.npy'), [2, 3])).data), Array.from(x));
  assert.deepEqual((await parseInputSpec(f('inb.npy'), [2, 3])).shape, [1, 2, 3]);
  await assert.rejects(parseInputSpec(f('in.npy'), [3, 2]), isDataError(f('in.npy'), /shape \(2,3\) does not match the model input \[3,2\]/));
  const r1 = await parseInputSpec('random:42', [4, 4]);
  const r2 = await parseInputSpec('random:42', [4, 4]);
  const r3 = await parseInputSpec('random:43', [4, 4]);
  assert.deepEqual(r1.data, r2.data);
  assert.notDeepEqual(r1.data, r3.data);
  assert.ok(r1.data.every((v) => v >= 0 && v < 1));
  await assert.rejects(parseInputSpec('bogus', [1]), (e: unknown) => e instanceof DataError);
});

test('parseInputSpec: PNG and JPEG are converted to the model channels and resized bilinearly', async () => {
  const png = new PNG({ width: 4, height: 2 });
  for (let i = 0; i < 8; i++) png.data.set([i < 4 ? 255 : 0, 0, i < 4 ? 0 : 255, 255], 4 * i); // top row red, bottom blue
  writeFileSync(f('img.png'), PNG.sync.write(png));
  const rgb = await parseInputSpec(f('img.png'), [3, 2, 4]);
  assert.deepEqual(rgb.shape, [1, 3, 2, 4]);
  assert.deepEqual(Array.from(rgb.data.slice(0, 8)), [1, 1, 1, 1, 0, 0, 0, 0]); // R plane
  const gray = await parseInputSpec(f('img.png'), [1, 4, 8]); // upsampled 2×
  assert.deepEqual(gray.shape, [1, 1, 4, 8]);
  assert.ok(Math.abs(gray.data[0] - 0.299) < 1e-6 && Math.abs(gray.data[31] - 0.114) < 1e-6);
  assert.ok(gray.data[8] < 0.299 && gray.data[8] > 0.114, 'interpolated row');
  const jpg = jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 200) }, 95);
  writeFileSync(f('img.jpg'), jpg.data);
  const j = await parseInputSpec(f('img.jpg'), [1, 28, 28]);
  assert.ok(j.data.every((v) => Math.abs(v - 200 / 255) < 0.03));
  await assert.rejects(parseInputSpec(f('img.png'), [784]), isDataError(f('img.png'), /\[1\|3, H, W\]/));
});
