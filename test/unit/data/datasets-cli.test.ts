/** eval, run and quantize on user data sets (CIFAR-10 binary, image folders) with --preprocess, through the CLI. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readTnnFile } from '../../../src/core/format/index';
import { exportOnnx } from '../../../src/core/import/index';
import { mulberry32 } from '../../../src/core/rng';
import { cli } from '../cli/cli-helpers';
import { cifarCnn } from '../hostile/gen/models';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-datasets-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const model = path.join(dir, 'cifar.onnx');
writeFileSync(model, exportOnnx(cifarCnn()));

const r = mulberry32(21);
const cifar = path.join(dir, 'cifar-10-batches-bin');
mkdirSync(cifar);
const records = (n: number) => Uint8Array.from({ length: n * 3073 }, (_, i) => (i % 3073 === 0 ? Math.floor(r() * 10) : Math.floor(r() * 256)));
writeFileSync(path.join(cifar, 'test_batch.bin'), records(40));
for (let i = 1; i <= 5; i++) writeFileSync(path.join(cifar, `data_batch_${i}.bin`), records(8));

const images = path.join(dir, 'photos');
for (const [c, k] of [['cat', 3], ['dog', 2]] as const) {
  mkdirSync(path.join(images, c), { recursive: true });
  for (let i = 0; i < k; i++) {
    const p = new PNG({ width: 50 + i, height: 40 });
    for (let j = 0; j < p.data.length; j++) p.data[j] = j % 4 === 3 ? 255 : Math.floor(r() * 256);
    writeFileSync(path.join(images, c, `${i}.png`), PNG.sync.write(p));
  }
}

test('eval on cifar10:DIR and images:DIR, with and without --preprocess', async () => {
  const plain = await cli('eval', model, '--data', `cifar10:${cifar}`, '--json');
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(JSON.parse(plain.stdout).n, 40);
  const limited = await cli('eval', model, '--data', `cifar10:${cifar}:train`, '--preprocess', 'cifar', '--limit', '20');
  assert.equal(limited.code, 0, limited.stderr);
  assert.match(limited.stdout, /on 20 samples of cifar10:.*:train/);
  const photos = await cli('eval', model, '--data', `images:${images}`, '--preprocess', 'resize=36,crop=32,mean=0.5,std=0.25', '--json');
  assert.equal(photos.code, 0, photos.stderr);
  assert.equal(JSON.parse(photos.stdout).n, 5);
  const bad = await cli('eval', model, '--data', `cifar10:${cifar}`, '--preprocess', 'resize=40');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /after --preprocess 'resize=40' samples are \[3,40,40\], the model input is \[3,32,32\]/);
  const typo = await cli('eval', model, '--data', `cifar10:${cifar}`, '--preprocess', 'imagenett');
  assert.match(typo.stderr, /--preprocess 'imagenett': unknown item 'imagenett'/);
});

test('run takes a data set sample or an image with the same preprocessing', async () => {
  const a = await cli('run', model, '--input', `cifar10:${cifar}#3`, '--preprocess', 'cifar', '--engine', 'reference', '--json');
  assert.equal(a.code, 0, a.stderr);
  const b = await cli('run', model, '--input', `cifar10:${cifar}#3`, '--engine', 'reference', '--json');
  assert.notDeepEqual(JSON.parse(a.stdout).top5, JSON.parse(b.stdout).top5, 'normalization changes the scores');
  const img = await cli('run', model, '--input', path.join(images, 'dog', '1.png'), '--preprocess', 'imagenet,resize=36,crop=32', '--engine', 'reference');
  assert.equal(img.code, 0, img.stderr);
});

test('quantize calibrates on a streamed CIFAR set and records the preprocessing', async () => {
  const out = path.join(dir, 'q.tnn');
  const q = await cli('quantize', model, '-o', out, '--method', 'twn', '--activations', 'ternary', '--data', `cifar10:${cifar}`, '--preprocess', 'cifar', '--calibration-samples', '16', '--eval-limit', '24', '--keep-float', 'none');
  assert.equal(q.code, 0, q.stderr);
  const m = await readTnnFile(out);
  assert.equal(m.provenance.dataset, `cifar10:${cifar} --preprocess cifar`);
  assert.equal(m.provenance.evalSamples, 24);
  assert.deepEqual(m.graph.labels?.slice(0, 2), ['airplane', 'automobile']);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temp files left');
});
