/**
 * Issue #12 item 3: CIFAR-10/100 binary batches, image folders and the
 * preprocessing spec, on small synthetic sets; sources stream (each read goes
 * to disk) and errors name the file and what was wrong.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { loadDataset, openDataset, parsePreprocess } from '../../../src/core/data/index';
import { geometry } from '../../../src/core/data/preprocess';
import { DataError } from '../../../src/core/errors';

const root = mkdtempSync(path.join(tmpdir(), 'tritscope-datasets-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** CIFAR records: label byte(s) then 3072 pixels; pixel p of record r is (r * 7 + p) % 256. */
function cifarFile(file: string, labels: number[][], first = 0): void {
  const rec = labels[0].length + 3072;
  const b = new Uint8Array(labels.length * rec);
  labels.forEach((l, r) => {
    b.set(l, r * rec);
    for (let p = 0; p < 3072; p++) b[r * rec + l.length + p] = ((first + r) * 7 + p) % 256;
  });
  writeFileSync(file, b);
}

function cifar10Dir(): string {
  const dir = path.join(root, 'cifar10', 'cifar-10-batches-bin');
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= 5; i++) cifarFile(path.join(dir, `data_batch_${i}.bin`), [[i % 10], [(i + 1) % 10], [(i + 2) % 10]], (i - 1) * 3);
  cifarFile(path.join(dir, 'test_batch.bin'), [[3], [1], [4], [1]]);
  return path.dirname(dir); // the archive's parent folder works too
}

const isDataError = (pattern: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof DataError, `expected DataError, got ${e}`);
  assert.match(e.message, pattern);
  return true;
};

test('cifar10: train batches 1–5 in order, test batch, labels and CHW pixels, reads across files', async () => {
  const dir = cifar10Dir();
  const train = await openDataset(`cifar10:${dir}:train`);
  assert.equal(train.n, 15);
  assert.deepEqual(train.sampleShape, [3, 32, 32]);
  assert.equal(train.labelNames?.[0], 'airplane');
  const b = train.read(2, 3); // records 2 of batch 1, 0–1 of batch 2
  assert.deepEqual(Array.from(b.labels), [3, 2, 3]);
  assert.equal(b.images[0], Math.fround((2 * 7) % 256 / 255));
  assert.equal(b.images[3072 + 1024], Math.fround((3 * 7 + 1024) % 256 / 255), 'green plane of sample 3');
  const test = await openDataset(`cifar10:${dir}`, { limit: 2 });
  assert.equal(test.name, `cifar10:${dir}:test`);
  assert.equal(test.n, 2);
  assert.deepEqual(Array.from(test.read(0, 2).labels), [3, 1]);
  assert.throws(() => test.read(1, 2), isDataError(/samples \[1, 3\) are outside the 2 available/));
  assert.equal(loadDataset(`cifar10:${dir}:test`).images.length, 4 * 3072, 'the loaded form still works for training code');
});

test('cifar100: fine labels (the second byte), names from fine_label_names.txt', async () => {
  const dir = path.join(root, 'cifar100');
  mkdirSync(dir);
  cifarFile(path.join(dir, 'train.bin'), [[1, 42], [19, 99]]);
  cifarFile(path.join(dir, 'test.bin'), [[0, 7]]);
  let ds = await openDataset(`cifar100:${dir}:train`);
  assert.deepEqual(Array.from(ds.read(0, 2).labels), [42, 99]);
  assert.equal(ds.labelNames?.length, 100);
  assert.equal(ds.labelNames?.[99], 'worm');
  writeFileSync(path.join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `class${i}`).join('\n'));
  ds = await openDataset(`cifar100:${dir}`);
  assert.equal(ds.labelNames?.[7], 'class7');
});

test('cifar errors name the file and the problem', async () => {
  const dir = path.join(root, 'cifar-bad');
  mkdirSync(dir);
  await assert.rejects(openDataset(`cifar10:${dir}:test`), isDataError(/test_batch\.bin: .*not found \(ENOENT\).*expected the binary version/));
  writeFileSync(path.join(dir, 'test_batch.bin'), new Uint8Array(3073 + 5));
  await assert.rejects(openDataset(`cifar10:${dir}:test`), isDataError(/test_batch\.bin: 3078 bytes is not a whole number of 3073-byte records/));
  cifarFile(path.join(dir, 'test_batch.bin'), [[1], [200]]);
  const ds = await openDataset(`cifar10:${dir}:test`);
  assert.throws(() => ds.read(0, 2), isDataError(/test_batch\.bin record 1: label 200 is not a class \(0–9\)/));
  const out = path.join(root, 'outside.bin');
  cifarFile(out, [[1]]);
  const linked = path.join(root, 'cifar-link');
  mkdirSync(linked);
  symlinkSync(out, path.join(linked, 'test_batch.bin'));
  await assert.rejects(openDataset(`cifar10:${linked}`), isDataError(/outside the model's folder|resolves to/));
});

function png(file: string, w: number, h: number, rgb: [number, number, number]): void {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set([...rgb, 255], 4 * i);
  writeFileSync(file, PNG.sync.write(p));
}

function imageFolder(): string {
  const dir = path.join(root, 'folder');
  for (const c of ['cat', 'dog', 'dog/sub', '.hidden']) mkdirSync(path.join(dir, c), { recursive: true });
  png(path.join(dir, 'cat', 'b.png'), 8, 6, [255, 0, 0]);
  png(path.join(dir, 'cat', 'a.PNG'), 4, 4, [0, 255, 0]);
  writeFileSync(path.join(dir, 'dog', 'x.jpg'), jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 200) }, 95).data);
  png(path.join(dir, 'dog', 'sub', 'y.png'), 5, 3, [0, 0, 255]);
  writeFileSync(path.join(dir, 'dog', 'notes.txt'), 'ignored');
  png(path.join(dir, '.hidden', 'z.png'), 2, 2, [1, 1, 1]);
  writeFileSync(path.join(dir, 'README'), 'not a class');
  return dir;
}

test('images:DIR: sorted classes, recursive files, other files ignored, fitted to the model input', async () => {
  const dir = imageFolder();
  const ds = await openDataset(`images:${dir}`, { inputShape: [3, 4, 4] });
  assert.equal(ds.n, 4);
  assert.deepEqual(ds.labelNames, ['cat', 'dog']);
  const b = ds.read(0, 4);
  assert.deepEqual(Array.from(b.labels), [0, 0, 1, 1]);
  assert.equal(b.images[16], 1, 'a.PNG (green) first: G plane of sample 0');
  assert.equal(b.images[48], 1, 'b.png (red) second, resized 8x6 → 4x4');
  assert.ok(Math.abs(b.images[2 * 48] - 200 / 255) < 0.03, 'the JPEG');
  assert.equal(b.images[3 * 48 + 32], 1, 'dog/sub/y.png (blue)');
  const gray = await openDataset(`images:${dir}`, { inputShape: [1, 2, 2], limit: 1 });
  assert.ok(Math.abs(gray.read(0, 1).images[0] - 0.587) < 1e-6, 'luma of pure green');
  await assert.rejects(openDataset(`images:${dir}`), isDataError(/image files vary in size/));
  assert.deepEqual((await openDataset(`images:${dir}`, { preprocess: 'crop=3x2' })).sampleShape, [3, 3, 2]);
});

test('images:DIR never follows a link out of DIR, refuses FIFOs and header-declared pixel bombs', async () => {
  const dir = path.join(root, 'hostile-folder');
  mkdirSync(path.join(dir, 'a'), { recursive: true });
  png(path.join(root, 'secret.png'), 2, 2, [9, 9, 9]);
  symlinkSync(path.join(root, 'secret.png'), path.join(dir, 'a', 'leak.png'));
  await assert.rejects(openDataset(`images:${dir}`, { inputShape: [3, 2, 2] }), isDataError(/a\/leak\.png: .*outside/));
  rmSync(path.join(dir, 'a', 'leak.png'));
  symlinkSync(root, path.join(dir, 'b'));
  await assert.rejects(openDataset(`images:${dir}`, { inputShape: [3, 2, 2] }), isDataError(/'b' resolves to .*outside/));
  rmSync(path.join(dir, 'b'));
  // A 30000x30000 PNG header over a tiny file: refused from the header, nothing decoded.
  const bomb = new PNG({ width: 1, height: 1 });
  const bytes = Buffer.from(PNG.sync.write(bomb));
  bytes.writeUInt32BE(30000, 16);
  bytes.writeUInt32BE(30000, 20);
  writeFileSync(path.join(dir, 'a', 'bomb.png'), bytes);
  const ds = await openDataset(`images:${dir}`, { inputShape: [3, 2, 2] });
  const rss = process.memoryUsage().rss;
  assert.throws(() => ds.read(0, 1), isDataError(/a\/bomb\.png: PNG header: 30000x30000 is 900000000 pixels, over the 40000000-pixel cap; nothing was decoded/));
  assert.ok(process.memoryUsage().rss - rss < 100 * 2 ** 20);
});

test('preprocess spec: presets, explicit items, later items win, errors', () => {
  const inet = parsePreprocess('imagenet');
  assert.deepEqual(inet.resize, { short: 256 });
  assert.deepEqual(inet.crop, { h: 224, w: 224 });
  assert.deepEqual(parsePreprocess('imagenet,crop=192').crop, { h: 192, w: 192 });
  assert.deepEqual(parsePreprocess('resize=32x48,mean=0.5,std=0.25:0.5:1'), { text: 'resize=32x48,mean=0.5,std=0.25:0.5:1', resize: { h: 32, w: 48 }, mean: [0.5], std: [0.25, 0.5, 1] });
  assert.deepEqual(parsePreprocess('imagenet,none'), { text: 'imagenet,none' });
  for (const bad of ['resize=0', 'crop=abc', 'std=0', 'mean=1:2:3:4:5', 'blur=3', 'cifar10', 'resize=99999']) {
    assert.throws(() => parsePreprocess(bad), isDataError(/--preprocess/), bad);
  }
  // torchvision: Resize(256) of 500x375 → 341x256; CenterCrop(224) offsets round half to even.
  assert.deepEqual(geometry(parsePreprocess('imagenet'), 375, 500, 'x'), { resizedH: 256, resizedW: 341, top: 16, left: 58, h: 224, w: 224 });
  assert.throws(() => geometry(parsePreprocess('crop=40'), 32, 32, 'cifar'), isDataError(/crop 40x40 is larger than the 32x32 image/));
});

test('preprocess on tensor data sets: cifar normalization, resize to a bigger model, mismatches are errors', async () => {
  const dir = cifar10Dir();
  const raw = (await openDataset(`cifar10:${dir}`, { limit: 1 })).read(0, 1).images;
  const norm = (await openDataset(`cifar10:${dir}`, { limit: 1, preprocess: 'cifar' })).read(0, 1).images;
  assert.ok(Math.abs(norm[0] - (raw[0] - 0.4914) / 0.247) < 1e-6);
  assert.ok(Math.abs(norm[2048] - (raw[2048] - 0.4465) / 0.2616) < 1e-6);
  const big = await openDataset(`cifar10:${dir}`, { limit: 1, preprocess: 'resize=64', inputShape: [3, 64, 64] });
  assert.deepEqual(big.sampleShape, [3, 64, 64]);
  assert.equal(big.read(0, 1).images.length, 3 * 64 * 64);
  await assert.rejects(openDataset(`cifar10:${dir}`, { preprocess: 'resize=48', inputShape: [3, 64, 64] }), isDataError(/after --preprocess 'resize=48' samples are \[3,48,48\], the model input is \[3,64,64\]/));
  await assert.rejects(openDataset(`cifar10:${dir}`, { preprocess: 'mean=0.1:0.2' }), isDataError(/mean has 2 values for 3-channel samples/));
});
